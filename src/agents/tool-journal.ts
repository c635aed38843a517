/**
 * One journaled step result. `value` must survive JSON (the mailbox stores it as JSON);
 * `name` is the step's name (the tool's), kept to explain a replay in logs and tests.
 */
export interface JournalEntry {
  name: string;
  value: unknown;
}

/**
 * Where a turn's step results (tool calls, model steps, transcriptions) are recorded
 * before the model sees them, so a re-run of the same turn — after a crash, a retry or a
 * lost lease — replays them instead of repeating their effects.
 *
 * The runtime provides one per turn (`AgentContext.journal`). The mailbox implements it
 * fenced by the turn's lease: a worker that lost its lease must not journal, so `record`
 * throws, and the agent stops the turn at once (no further tool runs) with a
 * `ToolJournalError`. Keys are unique per turn across its re-runs (they start with the
 * turn id); the same key is never recorded twice with different values by a correct agent,
 * so an implementation may keep the first value on a repeated `record`.
 */
export interface ToolJournal {
  /** The recorded result for `key`, or `undefined` when the step never completed. */
  get(key: string): Promise<JournalEntry | undefined>;
  /** Records a completed step; must be durable before it resolves; may throw. */
  record(key: string, entry: JournalEntry): Promise<void>;
}

/** An in-memory {@link ToolJournal} with a record of what was asked, for tests. */
export interface InMemoryToolJournal extends ToolJournal {
  /** The recorded entries, in record order. */
  readonly entries: ReadonlyMap<string, JournalEntry>;
  /** Every `record` call's key, in order (repeats included). */
  readonly recordedKeys: readonly string[];
}

/**
 * A {@link ToolJournal} in memory — for tests and the test kit; it does not survive the
 * process. Values go through JSON like the mailbox's do, so a value that would not survive
 * storage fails here too. `failRecord` makes `record` throw (as a worker that lost its
 * lease would see) from the call with that position on (0-based).
 */
export function inMemoryToolJournal(
  options: { failRecord?: { from: number; error?: Error } } = {},
): InMemoryToolJournal {
  const entries = new Map<string, JournalEntry>();
  const recordedKeys: string[] = [];
  return {
    entries,
    recordedKeys,
    async get(key) {
      const entry = entries.get(key);
      return entry === undefined ? undefined : (JSON.parse(JSON.stringify(entry)) as JournalEntry);
    },
    async record(key, entry) {
      const position = recordedKeys.length;
      recordedKeys.push(key);
      const failure = options.failRecord;
      if (failure !== undefined && position >= failure.from) {
        throw failure.error ?? new Error("The lease on this conversation was lost.");
      }
      const stored = JSON.stringify(entry);
      if (stored === undefined) throw new TypeError(`Journal entry for ${key} is not JSON.`);
      if (!entries.has(key)) entries.set(key, JSON.parse(stored) as JournalEntry);
    },
  };
}
