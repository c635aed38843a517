import type pg from "pg";
import type { WorkNotice } from "../mailbox-store.js";
import type { NoticeHub } from "../notice-hub.js";
import { listenForWork, type WorkListener } from "./listen-for-work.js";
import type { PostgresStatements } from "./postgres-statements.js";

/** The cross-process half: NOTIFY on commit, LISTEN for other processes' hints. */
export interface NoticeChannel {
  /** Queues the notices' NOTIFY in the transaction (delivered on commit, to every process). */
  notifyIn(client: pg.ClientBase, notices: readonly WorkNotice[]): Promise<void>;
  /** The `pg_notify` arguments of a `publish`. */
  publication(channel: string, payload: string): [string, string];
  listener: WorkListener;
}

/**
 * Listens on the schema's work and event channels and hands other processes' hints to `hub`
 * (this process delivered its own already, at once).
 */
export function openNoticeChannel(
  clientConfig: pg.ClientConfig,
  schema: string,
  sql: PostgresStatements,
  hub: NoticeHub,
  instanceId: string,
): NoticeChannel {
  const workChannel = `switchboard_work_${schema}`.slice(0, 63);
  const eventChannel = `switchboard_events_${schema}`.slice(0, 63);
  const listener = listenForWork(clientConfig, [workChannel, eventChannel], (on, payload) => {
    if (on === eventChannel) {
      const published = parsePublished(payload);
      if (published !== undefined && published.from !== instanceId)
        hub.deliver(published.channel, published.payload);
      return;
    }
    const notice = parseNotice(payload);
    if (notice !== undefined && notice.from !== instanceId) {
      const { from: _from, ...work } = notice;
      hub.emit(work);
    }
  });
  return {
    listener,
    async notifyIn(client, notices) {
      if (notices.length === 0) return;
      const payloads = [
        ...new Set(
          notices.map((notice) =>
            JSON.stringify({
              kind: notice.kind,
              conversationSid: notice.conversationSid,
              ...(notice.leaseVersion === undefined ? {} : { leaseVersion: notice.leaseVersion }),
              from: instanceId,
            }),
          ),
        ),
      ];
      await client.query(sql.notify, [workChannel, payloads]);
    },
    publication: (channel, payload) => [
      eventChannel,
      JSON.stringify({ channel, payload, from: instanceId }),
    ],
  };
}

/** A work notice from another process, or undefined for anything malformed. */
function parseNotice(text: string): (WorkNotice & { from: unknown }) | undefined {
  try {
    const parsed = JSON.parse(text) as {
      kind?: unknown;
      conversationSid?: unknown;
      leaseVersion?: unknown;
      from?: unknown;
    };
    if (typeof parsed.conversationSid !== "string") return undefined;
    if (parsed.kind === "interrupt") {
      // Only a version names the run to stop; an interrupt without one is malformed.
      if (!Number.isSafeInteger(parsed.leaseVersion)) return undefined;
      return {
        kind: parsed.kind,
        conversationSid: parsed.conversationSid,
        leaseVersion: parsed.leaseVersion as number,
        from: parsed.from,
      };
    }
    if (parsed.kind !== "turn" && parsed.kind !== "outbox") return undefined;
    return { kind: parsed.kind, conversationSid: parsed.conversationSid, from: parsed.from };
  } catch {
    return undefined;
  }
}

/** A publication from another process, or undefined for anything malformed. */
function parsePublished(
  text: string,
): { channel: string; payload: string; from: unknown } | undefined {
  try {
    const parsed = JSON.parse(text) as { channel?: unknown; payload?: unknown; from?: unknown };
    if (typeof parsed.channel !== "string" || typeof parsed.payload !== "string") return undefined;
    return { channel: parsed.channel, payload: parsed.payload, from: parsed.from };
  } catch {
    return undefined;
  }
}
