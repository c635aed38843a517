import { ToolJournalError } from "./agent-errors.js";
import type { ToolJournal } from "./tool-journal.js";
import type { AgentContext, Turn } from "./types.js";

/**
 * The turn's id for idempotency keys: the runtime's `context.turnId`, else the
 * conversation and the turn's first message — both stable when the same turn runs again.
 */
export function turnIdOf(turn: Turn, context: Pick<AgentContext, "turnId">): string {
  return context.turnId ?? `${turn.conversationSid}/${turn.messages[0]?.messageSid ?? "turn"}`;
}

/**
 * Runs `run` once per `key` across re-runs of a turn: a result found in the journal is
 * returned without running; otherwise `run`'s result is recorded before it is returned.
 * Only results are journaled — a step that threw runs again next time, with the same key,
 * so a tool that forwards the key to its API stays safe. A journal that cannot be read or
 * written throws {@link ToolJournalError}: the turn must stop there.
 */
export async function runJournaled<T>(
  journal: ToolJournal | undefined,
  key: string,
  name: string,
  run: () => Promise<T> | T,
): Promise<T> {
  if (journal === undefined) return await run();
  let found: Awaited<ReturnType<ToolJournal["get"]>>;
  try {
    found = await journal.get(key);
  } catch (error) {
    throw new ToolJournalError(key, `Could not read the tool journal for ${key}.`, {
      cause: error,
    });
  }
  if (found !== undefined) return found.value as T;
  const value = await run();
  try {
    await journal.record(key, { name, value });
  } catch (error) {
    throw new ToolJournalError(
      key,
      `Could not journal the result of ${name} (${key}); the turn stops so it cannot repeat the effect.`,
      { cause: error },
    );
  }
  return value;
}

/** What a durable step's function receives. */
export interface DurableStepInfo {
  /**
   * The step's idempotency key: the same every time this turn runs again. Forward it to
   * APIs that accept one (payments, bookings) so an effect cannot happen twice.
   */
  key: string;
  signal: AbortSignal;
}

const occurrences = new WeakMap<AgentContext, Map<string, number>>();

/**
 * Makes one effect of a turn exactly-once for any agent (`functionAgent` included): the
 * first run executes `run` and journals its result; a re-run of the same turn returns the
 * journaled result without running it. Steps are told apart by `name` and by how many
 * steps of that name ran before in this turn, so call them in a deterministic order.
 * The count lives with the context object, so the runtime must give each attempt of a
 * turn a fresh `AgentContext` (it does: one per `respond` call).
 * Without `context.journal` the step simply runs (still with a stable key).
 *
 * ```ts
 * functionAgent(async (turn, context) => {
 *   const booking = await durableStep(turn, context, "book", ({ key }) =>
 *     rentals.book({ bike: "city", idempotencyKey: key }),
 *   );
 *   return `Booked: ${booking.reference}`;
 * });
 * ```
 *
 * The result must survive JSON. Throws `ToolJournalError` when the journal fails (e.g. the
 * worker lost its lease); let it propagate so the turn stops.
 */
export async function durableStep<T>(
  turn: Turn,
  context: AgentContext,
  name: string,
  run: (step: DurableStepInfo) => Promise<T> | T,
): Promise<T> {
  if (typeof name !== "string" || name === "") {
    throw new TypeError("durableStep: name must be a non-empty string.");
  }
  let counts = occurrences.get(context);
  if (counts === undefined) {
    counts = new Map();
    occurrences.set(context, counts);
  }
  const occurrence = counts.get(name) ?? 0;
  counts.set(name, occurrence + 1);
  const key = `${turnIdOf(turn, context)}/step/${name}/${occurrence}`;
  return runJournaled(context.journal, key, name, () => {
    // A turn aborted (interrupted, shut down, lease lost) starts no new effect, even when its
    // agent ignores the signal; a journaled result still replays.
    context.signal.throwIfAborted();
    return run({ key, signal: context.signal });
  });
}
