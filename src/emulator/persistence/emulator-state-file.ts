import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type Database from "better-sqlite3";
import { SwitchboardError } from "../../errors.js";
import {
  decodeStateGraph,
  type EncodedValue,
  encodeStateGraph,
  StateGraphError,
} from "./encode-state-graph.js";

/**
 * Bump when a stored record changes shape in a way an old file cannot be read as (a field
 * renamed or retyped). A file of another format is refused, never half-read.
 */
export const emulatorStateFormat = 1;

/**
 * The emulator state file cannot be used: unreadable, not an emulator state file, written
 * by an incompatible version, or for another account. The message names the file and how
 * to start clean.
 */
export class EmulatorStateError extends SwitchboardError {
  /** The state file's absolute path. */
  readonly path: string;
  constructor(path: string, problem: string, options: { cause?: unknown } = {}) {
    super(
      "emulator_state_unusable",
      `The emulator state file ${path} ${problem}. Start clean with \`switchboard dev --fresh\` ` +
        "(or delete the file); it holds only the local emulator's conversations.",
      options,
    );
    this.path = path;
  }
}

/**
 * One emulator's state in its own SQLite file: the object graph as one JSON row and each
 * distinct byte array (media) once in a blob table keyed by its hash, so saving after a
 * message rewrites the JSON but never re-writes uploaded files. Every save is one
 * transaction: a crash leaves the previous save or the new one, never a mix.
 *
 * SQLite rather than a JSON file with an atomic rename: media bytes would otherwise be
 * re-encoded and rewritten on every save, and better-sqlite3 is already the mailbox's
 * driver, so this adds no dependency.
 */
export interface EmulatorStateFile {
  readonly path: string;
  /** The saved graph, or `undefined` for a new file. Throws `EmulatorStateError`. */
  load(): unknown;
  /** Saves `state` (skipped when it encodes exactly as the last save). */
  save(state: unknown): void;
  close(): void;
}

/** Opens (creating) the state file for `accountSid`; refuses a file it cannot use. */
export async function openEmulatorStateFile(
  path: string,
  accountSid: string,
): Promise<EmulatorStateFile> {
  const location = resolve(path);
  // Loaded on demand: an in-memory emulator never loads the native driver.
  const { default: Sqlite } = await import("better-sqlite3");
  let database: Database.Database;
  try {
    mkdirSync(dirname(location), { recursive: true });
    database = new Sqlite(location);
  } catch (cause) {
    throw new EmulatorStateError(location, `cannot be opened (${describe(cause)})`, { cause });
  }
  try {
    database.pragma("journal_mode = WAL");
    // Development state: losing the last save on power loss is acceptable; a torn file is not.
    database.pragma("synchronous = NORMAL");
    const tables = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[];
    if (tables.length > 0 && !tables.includes("emulator_meta"))
      throw new EmulatorStateError(location, "is a SQLite database but not an emulator state file");
    database.exec(`
      CREATE TABLE IF NOT EXISTS emulator_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS emulator_state (id INTEGER PRIMARY KEY CHECK (id = 1), graph TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS emulator_blobs (key TEXT PRIMARY KEY, bytes BLOB NOT NULL);
    `);
    const meta = new Map(
      (
        database.prepare("SELECT key, value FROM emulator_meta").all() as {
          key: string;
          value: string;
        }[]
      ).map((row) => [row.key, row.value]),
    );
    if (meta.size === 0) {
      const insert = database.prepare("INSERT INTO emulator_meta (key, value) VALUES (?, ?)");
      database.transaction(() => {
        insert.run("format", String(emulatorStateFormat));
        insert.run("accountSid", accountSid);
      })();
    } else {
      if (meta.get("format") !== String(emulatorStateFormat))
        throw new EmulatorStateError(
          location,
          `was written in format ${meta.get("format") ?? "unknown"}, and this version reads format ${emulatorStateFormat}`,
        );
      if (meta.get("accountSid") !== accountSid)
        throw new EmulatorStateError(
          location,
          `belongs to account ${meta.get("accountSid") ?? "unknown"}, not ${accountSid}`,
        );
    }
  } catch (error) {
    database.close();
    if (error instanceof EmulatorStateError) throw error;
    throw new EmulatorStateError(location, `is not readable (${describe(error)})`, {
      cause: error,
    });
  }
  return createStateFile(location, database);
}

function createStateFile(location: string, database: Database.Database): EmulatorStateFile {
  const readGraph = database.prepare("SELECT graph FROM emulator_state WHERE id = 1").pluck();
  const readBlob = database.prepare("SELECT bytes FROM emulator_blobs WHERE key = ?").pluck();
  const writeGraph = database.prepare(
    "INSERT INTO emulator_state (id, graph) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET graph = excluded.graph",
  );
  const written = new Set(
    database.prepare("SELECT key FROM emulator_blobs").pluck().all() as string[],
  );
  const insertBlob = database.prepare(
    "INSERT INTO emulator_blobs (key, bytes) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
  );
  const deleteBlob = database.prepare("DELETE FROM emulator_blobs WHERE key = ?");
  /** Hash per byte array: uploads never change, so each is hashed once per process. */
  const hashes = new WeakMap<Uint8Array, string>();
  let lastText: string | undefined;

  const writeSnapshot = database.transaction(
    (text: string, added: [string, Uint8Array][], stale: string[]) => {
      for (const [key, bytes] of added) insertBlob.run(key, bytes);
      writeGraph.run(text);
      for (const key of stale) deleteBlob.run(key);
    },
  );

  return {
    path: location,
    load() {
      try {
        const text = readGraph.get() as string | undefined;
        if (text === undefined) return undefined;
        const graph = JSON.parse(text) as EncodedValue;
        const state = decodeStateGraph(graph, (key) => readBlob.get(key) as Buffer | undefined);
        lastText = text;
        return state;
      } catch (error) {
        if (error instanceof EmulatorStateError) throw error;
        const problem =
          error instanceof StateGraphError
            ? `holds state this version cannot read (${error.message})`
            : `is corrupt (${describe(error)})`;
        throw new EmulatorStateError(location, problem, { cause: error });
      }
    },
    save(state) {
      const blobs = new Map<string, Uint8Array>();
      const graph = encodeStateGraph(state, (bytes) => {
        let key = hashes.get(bytes);
        if (key === undefined) {
          key = createHash("sha256").update(bytes).digest("hex");
          hashes.set(bytes, key);
        }
        blobs.set(key, bytes);
        return key;
      });
      const text = JSON.stringify(graph);
      if (text === lastText) return;
      const added = [...blobs].filter(([key]) => !written.has(key));
      const stale = [...written].filter((key) => !blobs.has(key));
      writeSnapshot(text, added, stale);
      for (const [key] of added) written.add(key);
      for (const key of stale) written.delete(key);
      lastText = text;
    },
    close() {
      database.close();
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
