import { MailboxInputError } from "./mailbox-errors.js";
import type { WorkNotice } from "./mailbox-store.js";

/**
 * This process's side of the mailbox's hints (both stores): `onWork` listeners and `subscribe`rs. It exists
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
  /** The latest `emitLater` timer, which notices asking for the same delay may still join. */
  let later: { delayMs: number; since: number; notices: WorkNotice[] } | undefined;
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
      // The messages of one group commit each ask for the same delay at the same moment:
      // they share one timer (one per message was a measurable cost of the ingest path).
      // A notice joins a timer set up less than a millisecond before for the same delay;
      // that timer waits one millisecond more, so no notice is emitted earlier than asked.
      const now = performance.now();
      if (later !== undefined && later.delayMs === delayMs && now - later.since < 1) {
        later.notices.push(notice);
        return;
      }
      const notices = [notice];
      later = { delayMs, since: now, notices };
      const timer = setTimeout(() => {
        timers.delete(timer);
        for (const due of notices) emit(due);
      }, delayMs + 2);
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
      later = undefined;
      listeners.clear();
      subscribers.clear();
    },
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
