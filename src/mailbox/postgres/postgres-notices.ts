import type pg from "pg";
import type { WorkNotice } from "../mailbox-store.js";
import type { NoticeHub } from "../notice-hub.js";
import { listenForWork, type WorkListener } from "./listen-for-work.js";
import type { PostgresStatements } from "./postgres-statements.js";

/** The cross-process half: NOTIFY on commit, LISTEN for other processes' hints. */
export interface NoticeChannel {
  /** The channel work hints go out on (the ingest function notifies it itself). */
  workChannel: string;
  /** Queues the notices' NOTIFY in the transaction (delivered on commit, to every process). */
  notifyIn(client: pg.ClientBase, notices: readonly WorkNotice[]): Promise<void>;
  /**
   * The `pg_notify` payloads carrying `notices`: turn and outbox hints coalesced by kind
   * (~7 KB each), each interrupt on its own with its lease version.
   */
  workPayloads(notices: readonly WorkNotice[]): string[];
  /**
   * The `pg_notify` payloads carrying `publications` to the other processes: as few as fit
   * under PostgreSQL's 8000-byte payload limit, so a burst of live events costs one NOTIFY,
   * not one each.
   */
  publications(items: readonly { channel: string; payload: string }[]): string[];
  /** The channel those payloads go out on. */
  eventChannel: string;
  listener: WorkListener;
}

/**
 * A NOTIFY payload carries at most 7999 bytes; envelopes and JSON escaping stay under this.
 * A single item may reach {@link maxPublishBytes} (7 000) plus its channel name and escaping,
 * so an item that does not fit an open payload starts a new one, and a payload with one item
 * is sent whatever its size (validated before, so it fits).
 */
const payloadBudgetBytes = 7_000;

/**
 * Splits `items` (already JSON-encoded) into JSON arrays of at most ~`payloadBudgetBytes`.
 * Why: each NOTIFY takes the server's notification-queue lock and wakes every listener, so
 * one per batch instead of one per event is what keeps live fan-out cheap.
 */
export function packPayloads(encoded: readonly string[], budget = payloadBudgetBytes): string[][] {
  const packs: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const item of encoded) {
    const size = Buffer.byteLength(item) + 1;
    if (current.length > 0 && bytes + size > budget) {
      packs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) packs.push(current);
  return packs;
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
      for (const published of parsePublished(payload, instanceId))
        hub.deliver(published.channel, published.payload);
      return;
    }
    for (const notice of parseNotices(payload, instanceId)) hub.emit(notice);
  });
  // The JSON object's opening (sender and fields), left open for the pre-encoded array.
  const envelope = (fields: Record<string, string>) =>
    JSON.stringify({ from: instanceId, ...fields }).slice(0, -1);
  const workPayloads = (notices: readonly WorkNotice[]) => {
    const payloads: string[] = [];
    // Each interrupt names the lease it took away, so it cannot join a SID list: it goes as
    // its own payload, in the single form. They are rare (one per interrupted turn), so this
    // costs little; first, so the running turn is stopped before the wake-up that claims it.
    for (const notice of notices)
      if (notice.kind === "interrupt")
        payloads.push(
          JSON.stringify({
            from: instanceId,
            kind: notice.kind,
            conversationSid: notice.conversationSid,
            leaseVersion: notice.leaseVersion,
          }),
        );
    for (const kind of ["turn", "outbox"] as const) {
      const sids = [
        ...new Set(
          notices.filter((notice) => notice.kind === kind).map((notice) => notice.conversationSid),
        ),
      ];
      for (const pack of packPayloads(sids.map((sid) => JSON.stringify(sid))))
        payloads.push(`${envelope({ kind })},"conversationSids":[${pack.join(",")}]}`);
    }
    return payloads;
  };
  return {
    listener,
    workChannel,
    eventChannel,
    workPayloads,
    async notifyIn(client, notices) {
      if (notices.length === 0) return;
      await client.query(sql.notify, [workChannel, workPayloads(notices)]);
    },
    publications: (items) =>
      packPayloads(items.map((item) => JSON.stringify(item))).map(
        (pack) => `${envelope({})},"events":[${pack.join(",")}]}`,
      ),
  };
}

/**
 * The work notices of another process's NOTIFY; none for our own or anything malformed. Takes
 * the coalesced form (`conversationSids`) and the single one (`conversationSid`) that
 * instances of an earlier version send during a rolling upgrade; an interrupt always comes
 * single, with the version of the lease it took away.
 */
export function parseNotices(text: string, self: string): WorkNotice[] {
  try {
    const parsed = JSON.parse(text) as {
      kind?: unknown;
      conversationSid?: unknown;
      conversationSids?: unknown;
      leaseVersion?: unknown;
      from?: unknown;
    };
    if (typeof parsed !== "object" || parsed === null || parsed.from === self) return [];
    const kind = parsed.kind;
    if (kind === "interrupt") {
      // Only a version names the run to stop; an interrupt without one is malformed.
      const { conversationSid, leaseVersion } = parsed;
      if (typeof conversationSid !== "string" || conversationSid.length === 0) return [];
      if (!Number.isSafeInteger(leaseVersion)) return [];
      return [{ kind, conversationSid, leaseVersion: leaseVersion as number }];
    }
    if (kind !== "turn" && kind !== "outbox") return [];
    const sids = Array.isArray(parsed.conversationSids)
      ? parsed.conversationSids
      : [parsed.conversationSid];
    return sids
      .filter((sid): sid is string => typeof sid === "string" && sid.length > 0)
      .map((conversationSid) => ({ kind, conversationSid }));
  } catch {
    return [];
  }
}

/**
 * The publications of another process's NOTIFY; none for our own or anything malformed.
 * Takes the coalesced form (`events`) and the single one of earlier versions.
 */
export function parsePublished(text: string, self: string): { channel: string; payload: string }[] {
  try {
    const parsed = JSON.parse(text) as {
      events?: unknown;
      channel?: unknown;
      payload?: unknown;
      from?: unknown;
    };
    if (typeof parsed !== "object" || parsed === null || parsed.from === self) return [];
    const items: unknown[] = Array.isArray(parsed.events) ? parsed.events : [parsed];
    return items.flatMap((item) => {
      const { channel, payload } = (item ?? {}) as { channel?: unknown; payload?: unknown };
      return typeof channel === "string" && typeof payload === "string"
        ? [{ channel, payload }]
        : [];
    });
  } catch {
    return [];
  }
}
