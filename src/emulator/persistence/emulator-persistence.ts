import { clockAdvanceProblem, type EmulatorClock, latestEmulatorTime } from "../clock.js";
import type { ContentStore, ContentStoreState } from "../content/content-store.js";
import type { ChannelDelivery, ChannelDeliveryState } from "../delivery/channel-delivery.js";
import type { MediaStore, StoredMedia } from "../media/media-store.js";
import { scheduleConversationTimers } from "../store/conversation-actions.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { EmulatorStateError, type EmulatorStateFile } from "./emulator-state-file.js";

/**
 * Fields of `EmulatorStore` that are wiring, not state: constructor options, the clock,
 * event sinks, lookups, live timers and locks. Every other own field of the store is
 * saved and restored without being named here, so a resource added to the store later
 * persists by itself (`emulator-persistence.test.ts` fails if one does not round-trip).
 */
export const transientStoreFields: ReadonlySet<string> = new Set([
  "accountSid",
  "defaultServiceSid",
  "clock",
  "events",
  "lookups",
  "timers",
  "locks",
  // Derived from the services' records: rebuilt after a restore, never saved.
  "addressPairs",
]);

/** The parts of a running emulator whose state a state file keeps. */
export interface PersistedEmulatorParts {
  store: EmulatorStore;
  content: ContentStore;
  media: MediaStore;
  delivery: ChannelDelivery;
  clock: EmulatorClock;
}

/** The saved graph: the store's own fields and each other part's `persistentState()`. */
interface EmulatorSnapshot {
  store: Record<string, unknown>;
  content: ContentStoreState;
  media: { media: Map<string, StoredMedia> };
  delivery: ChannelDeliveryState;
  /** Emulator time minus real time when saved: advances survive a restart. */
  clockOffsetMs: number;
}

/** Saves an emulator's state to its file, batching changes. */
export interface EmulatorPersistence {
  /** Notes a change; a save follows within the debounce interval. */
  changed(): void;
  /** Saves now if anything is pending (or always, with `force`). */
  flush(force?: boolean): void;
  /** Saves what is pending and closes the file. */
  close(): void;
}

/** The store's own state fields (everything but `transientStoreFields`), live. */
export function storeStateFields(store: EmulatorStore): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store))
    if (!transientStoreFields.has(key)) fields[key] = value;
  return fields;
}

/** Everything the state file keeps, as live references (encoding copies it). */
export function emulatorSnapshot(parts: PersistedEmulatorParts): EmulatorSnapshot {
  return {
    store: storeStateFields(parts.store),
    content: parts.content.persistentState(),
    media: parts.media.persistentState(),
    delivery: parts.delivery.persistentState(),
    clockOffsetMs: parts.clock.now() - Date.now(),
  };
}

/**
 * Puts a loaded snapshot back: store fields (Maps refilled in place, since other modules
 * may hold them), the other parts, the clock's offset, then every conversation's timers
 * re-armed (an overdue one fires at once, as it would have while the emulator was down).
 */
export function restoreEmulatorSnapshot(
  parts: PersistedEmulatorParts,
  saved: unknown,
  path: string,
): void {
  const snapshot = checkSnapshot(saved, path);
  const store = parts.store as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(snapshot.store)) {
    // A field this version no longer has is dropped; one it added keeps its default.
    if (transientStoreFields.has(key) || !(key in store)) continue;
    const current = store[key];
    if (current instanceof Map && value instanceof Map) {
      current.clear();
      for (const [entryKey, entry] of value) current.set(entryKey, entry);
    } else store[key] = value;
  }
  parts.content.restoreState(snapshot.content);
  parts.media.restoreState(snapshot.media);
  parts.delivery.restoreState(snapshot.delivery);
  parts.store.addressPairs.rebuild(parts.store.services);
  restoreClockOffset(parts.clock, snapshot.clockOffsetMs, path);
  for (const conversation of parts.store.allConversations())
    scheduleConversationTimers(parts.store, conversation);
}

/**
 * Moves the clock to the saved offset from real time. An older version let the clock run
 * past any valid date (and saved it so); such an offset is dropped with a warning and the
 * clock starts at real time, instead of breaking every timestamp again.
 */
function restoreClockOffset(clock: EmulatorClock, savedOffsetMs: number, path: string): void {
  const behind = savedOffsetMs - (clock.now() - Date.now());
  if (!(behind > 0)) return;
  if (clockAdvanceProblem(clock.now(), behind) === undefined) clock.advance(behind);
  else
    process.emitWarning(
      `The emulator state file ${path} holds a clock ${savedOffsetMs} ms ahead of real time, past ${new Date(latestEmulatorTime).toISOString()}; the clock starts at real time instead.`,
    );
}

/**
 * Saves `parts` to `file` at most once per `debounceMs` after a change (a burst of
 * webhooks and receipts is one write), and on `flush()`/`close()`. A save encodes the
 * whole state on the event loop, so the wait after a slow save grows to ten times its
 * duration (at most 10 s): a large state costs at most about a tenth of the loop.
 */
export function createEmulatorPersistence(
  file: EmulatorStateFile,
  parts: PersistedEmulatorParts,
  debounceMs = 250,
): EmulatorPersistence {
  let timer: NodeJS.Timeout | undefined;
  let pending = false;
  let closed = false;
  let lastSaveMs = 0;
  const save = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pending = false;
    const started = performance.now();
    file.save(emulatorSnapshot(parts));
    lastSaveMs = performance.now() - started;
  };
  return {
    changed() {
      if (closed) return;
      pending = true;
      if (timer !== undefined) return;
      timer = setTimeout(
        () => {
          try {
            save();
          } catch (error) {
            // A timer has no caller to throw to; say so and keep serving (the next change retries).
            process.emitWarning(
              `The emulator state was not saved to ${file.path}: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        },
        Math.min(Math.max(debounceMs, lastSaveMs * 10), 10_000),
      );
      timer.unref();
    },
    flush(force = false) {
      if (!closed && (pending || force)) save();
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        if (pending) save();
      } finally {
        file.close();
      }
    },
  };
}

function checkSnapshot(saved: unknown, path: string): EmulatorSnapshot {
  const snapshot = saved as Partial<EmulatorSnapshot> | null;
  const ok =
    typeof snapshot === "object" &&
    snapshot !== null &&
    typeof snapshot.store === "object" &&
    snapshot.store !== null &&
    snapshot.content?.entries instanceof Map &&
    typeof snapshot.content.sequence === "number" &&
    snapshot.media?.media instanceof Map &&
    snapshot.delivery?.lastInbound instanceof Map &&
    snapshot.delivery.inboxes instanceof Map &&
    typeof snapshot.clockOffsetMs === "number";
  if (!ok) throw new EmulatorStateError(path, "does not hold a complete emulator state");
  return snapshot as EmulatorSnapshot;
}
