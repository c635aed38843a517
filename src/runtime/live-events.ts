import { type MailboxStore, maxPublishBytes } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { SwitchboardEventMap, SwitchboardEvents } from "./switchboard-events.js";

/** The runtime events faces show live (web chat, console), from every instance. */
export const liveEventNames = [
  "message.ingested",
  "typing",
  "turn.completed",
  "turn.failed",
  "reply.sent",
  "reply.failed",
  "handoff",
  "handoff.released",
  "handoff.summary",
  "dead-letter",
  "whatsapp.template",
  "catch-up",
  "conversation.gone",
  "delivery.updated",
  "consent.changed",
  "message.refused",
] as const satisfies readonly (keyof SwitchboardEventMap)[];

export type LiveEventName = (typeof liveEventNames)[number];

/**
 * One live event: what happened (`name`, `event` as in `switchboard.events`) and which
 * instance it happened on (`instance`, a random id per running switchboard).
 */
export type LiveEvent = {
  [Name in LiveEventName]: { name: Name; event: SwitchboardEventMap[Name]; instance: string };
}[LiveEventName];

/**
 * Live events of every instance sharing the mailbox. With a shared store (PostgreSQL) a web
 * chat visitor whose stream is held by instance A sees the typing indicator and the reply that
 * instance B produced; with a single-process store (SQLite) they are this instance's events.
 * Hints for screens, not a log: an instance that is reconnecting to the database misses some.
 */
export interface LiveEventSource {
  /** Calls `listener` for every live event of every instance; returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

/** The mailbox channel live events travel on. */
export const liveEventsChannel = "switchboard.live";

/** Past this many unsent events the oldest are dropped: a stalled database must not grow memory. */
const maxQueued = 10_000;

export interface LiveFanOut extends LiveEventSource {
  /** Publishes what is queued and stops listening. */
  close(): Promise<void>;
}

/**
 * Forwards this instance's live events to every instance through `mailbox.publish` (in order,
 * packed into as few publications as fit the size limit, one publication in flight at a time)
 * and hands everything received through `mailbox.subscribe` to local subscribers. Without
 * publish/subscribe on the mailbox the events stay in this process.
 */
export function createLiveFanOut(settings: {
  mailbox: MailboxStore;
  events: SwitchboardEvents;
  instance: string;
  logger: TwilioLogger;
}): LiveFanOut {
  const { mailbox, events, instance, logger } = settings;
  const listeners = new Set<(event: LiveEvent) => void>();
  const deliver = (event: LiveEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A face's bug must not stop the others.
      }
    }
  };
  const shared = mailbox.publish !== undefined && mailbox.subscribe !== undefined;
  const queue: string[] = [];
  let flushing: Promise<void> | undefined;
  let dropped = 0;

  const flush = async () => {
    while (queue.length > 0) {
      // Pack as many whole events as fit one publication (an array in JSON).
      const batch: string[] = [];
      let bytes = 2;
      while (queue.length > 0) {
        const next = queue[0]!;
        const size = Buffer.byteLength(next) + 1;
        if (batch.length > 0 && bytes + size > maxPublishBytes) break;
        queue.shift();
        // Only a pathological event (huge SIDs) is still too large once texts are cut.
        if (size + 2 > maxPublishBytes) continue;
        batch.push(next);
        bytes += size;
      }
      if (batch.length === 0) continue;
      try {
        await mailbox.publish!(liveEventsChannel, `[${batch.join(",")}]`);
      } catch (error) {
        logger.debug({ err: error, events: batch.length }, "live events not published");
      }
    }
  };

  const unsubscribeMailbox = shared
    ? mailbox.subscribe!(liveEventsChannel, (payload) => {
        for (const event of parseLiveEvents(payload)) deliver(event);
      })
    : undefined;

  const unsubscribeEvents = liveEventNames.map((name) =>
    events.on(name, (event: SwitchboardEventMap[typeof name]) => {
      const live = { name, event, instance } as LiveEvent;
      if (!shared) {
        deliver(live);
        return;
      }
      queue.push(serialise(live));
      if (queue.length > maxQueued) {
        queue.shift();
        dropped += 1;
        if (dropped === 1 || dropped % 1000 === 0)
          logger.warn({ dropped }, "live events dropped: the database is not keeping up");
      }
      flushing ??= flush().finally(() => {
        flushing = undefined;
      });
    }),
  );

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async close() {
      for (const unsubscribe of unsubscribeEvents) unsubscribe();
      await flushing;
      unsubscribeMailbox?.();
      listeners.clear();
    },
  };
}

const knownNames = new Set<string>(liveEventNames);
/** Error texts can be long; a live event carries their start (the mailbox keeps them whole). */
const maxTextLength = 500;

function serialise(live: LiveEvent): string {
  const text = JSON.stringify(live);
  if (text.length <= maxPublishBytes / 4) return text;
  const event = Object.fromEntries(
    Object.entries(live.event).map(([field, value]) => [
      field,
      typeof value === "string" && value.length > maxTextLength
        ? `${value.slice(0, maxTextLength)}…`
        : value,
    ]),
  );
  return JSON.stringify({ ...live, event });
}

/** The events of one publication; anything malformed (another writer, a bug) is dropped. */
export function parseLiveEvents(payload: string): LiveEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (item): item is LiveEvent =>
      typeof item === "object" &&
      item !== null &&
      typeof item.name === "string" &&
      knownNames.has(item.name) &&
      typeof item.instance === "string" &&
      typeof item.event === "object" &&
      item.event !== null &&
      (item.name === "catch-up" || typeof item.event.conversationSid === "string"),
  );
}
