import type pg from "pg";
import { MailboxInputError } from "../mailbox-errors.js";
import type { WorkNotice } from "../mailbox-store.js";
import { listenForWork, type WorkListener } from "./listen-for-work.js";
import type { PostgresStatements } from "./postgres-statements.js";

/**
 * This process's side of the mailbox's hints: `onWork` listeners and `subscribe`rs. It exists
 * from construction (listeners may register before the store connects) and outlives nothing:
 * `clear` at close.
 */
export interface NoticeHub {
  /** Calls every `onWork` listener now. */
  emit(notice: WorkNotice): void;
  /** Calls them after `delayMs`: settle and burst windows make work due with no new write. */
  emitLater(notice: WorkNotice, delayMs: number): void;
  /** Calls every subscriber of `channel`. */
  deliver(channel: string, payload: string): void;
  onWork(listener: (notice: WorkNotice) => void): () => void;
  subscribe(channel: string, listener: (payload: string) => void): () => void;
  clear(): void;
}

export function createNoticeHub(): NoticeHub {
  const listeners = new Set<(notice: WorkNotice) => void>();
  const subscribers = new Map<string, Set<(payload: string) => void>>();
  const timers = new Set<NodeJS.Timeout>();
  const emit = (notice: WorkNotice) => {
    for (const listener of listeners) {
      try {
        listener(notice);
      } catch {
        // A listener is a hint consumer; its failure must not break the writer.
      }
    }
  };
  return {
    emit,
    emitLater(notice, delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        emit(notice);
      }, delayMs + 1);
      timer.unref();
      timers.add(timer);
    },
    deliver(channel, payload) {
      for (const listener of subscribers.get(channel) ?? []) {
        try {
          listener(payload);
        } catch {
          // A subscriber's bug must not stop delivery to the others.
        }
      }
    },
    onWork(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    subscribe(channel, listener) {
      validateChannelName("channel", channel);
      let set = subscribers.get(channel);
      if (set === undefined) {
        set = new Set();
        subscribers.set(channel, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && subscribers.get(channel) === set) subscribers.delete(channel);
      };
    },
    clear() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      listeners.clear();
      subscribers.clear();
    },
  };
}

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
    if (notice !== undefined && notice.from !== instanceId)
      hub.emit({ kind: notice.kind, conversationSid: notice.conversationSid });
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

/** Channel and lock names: short printable identifiers chosen by code, never by customers. */
export function validateChannelName(field: string, name: string): void {
  if (typeof name !== "string" || !/^[A-Za-z0-9._:-]{1,100}$/.test(name))
    throw new MailboxInputError(
      field,
      `${field}: 1 to 100 characters of letters, digits, ".", "_", ":" or "-"`,
    );
}

/** A work notice from another process, or undefined for anything malformed. */
function parseNotice(
  text: string,
): { kind: WorkNotice["kind"]; conversationSid: string; from: unknown } | undefined {
  try {
    const parsed = JSON.parse(text) as {
      kind?: unknown;
      conversationSid?: unknown;
      from?: unknown;
    };
    if (typeof parsed.conversationSid !== "string") return undefined;
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
