// The SQLite mailbox's writer thread: it owns its own connections and commits the batches the
// main thread sends, so the fsync of `synchronous=FULL` blocks this thread instead of the
// event loop that parses and verifies webhooks. Started by `startSqliteWriterThread`; one
// thread serves every mailbox of the process.
import { isMainThread, parentPort } from "node:worker_threads";
import { applySqliteWrite } from "./apply-sqlite-write.js";
import { openSqliteDatabase } from "./open-sqlite-database.js";
import { createSavepointCommitter } from "./sqlite-savepoints.js";
import { prepareSqliteStatements } from "./sqlite-statements.js";
import type { AppliedWrite, SqliteWrite, SqliteWriteSettings } from "./sqlite-write.js";
import { toWireError, type WireError } from "./wire-error.js";

/** Main thread → writer thread. Connections are numbered by the main thread. */
export type ToWriterThread =
  | { kind: "open"; connection: number; location: string; settings: SqliteWriteSettings }
  | { kind: "commit"; connection: number; id: number; at: number; writes: WireWrite[] }
  | { kind: "close"; connection: number };

/**
 * A write on its way to the thread: an ingest travels as text — the JSON of its fields other
 * than `record` (all strings, finite numbers or null, so the text gives back the same
 * values), a newline, then `record` as it is (already JSON text; `JSON.stringify` never
 * writes a raw newline, so the first one is the cut) — because cloning a string is a copy
 * while structured clone walks every field (that walk was the largest single cost of the
 * webhook path's hand-off), and the record is neither escaped nor unescaped on the way.
 * Other writes, rarer and holding nested data, are cloned as they are.
 */
export type WireWrite = SqliteWrite | string;

/** The write a `WireWrite` carries. */
export function fromWireWrite(write: WireWrite): SqliteWrite {
  if (typeof write !== "string") return write;
  const cut = write.indexOf("\n");
  const ingest = JSON.parse(write.slice(0, cut)) as Extract<SqliteWrite, { kind: "ingest" }>;
  ingest.record = write.slice(cut + 1);
  return ingest;
}

/** How one write of a batch ended, as plain data. */
export type WireOutcome = { ok: true; value: AppliedWrite } | { ok: false; error: WireError };

/**
 * Writer thread → main thread. A batch of ingests only (every write crossed as text) is
 * answered with its outcomes as JSON text: what an ingest returns is plain JSON data (a word
 * and its notices), and parsing text on the main thread is cheaper than deserialising the
 * cloned objects (measured as 3 % of the main thread's time under the ingest benchmark).
 * Any other batch, whose results may hold what JSON would change, is cloned.
 */
export type FromWriterThread =
  | { kind: "opened"; connection: number }
  | { kind: "open-failed"; connection: number; error: WireError }
  | { kind: "committed"; connection: number; id: number; outcomes: WireOutcome[] | string }
  | { kind: "commit-failed"; connection: number; id: number; error: WireError }
  | { kind: "closed"; connection: number };

interface Connection {
  database: ReturnType<typeof openSqliteDatabase>;
  settings: SqliteWriteSettings;
  statements: ReturnType<typeof prepareSqliteStatements>;
  commitInSavepoints: ReturnType<typeof createSavepointCommitter>;
}

/** Serves every SQLite mailbox of the process, one connection each, one message at a time. */
function serve(port: NonNullable<typeof parentPort>): void {
  const send = (message: FromWriterThread) => port.postMessage(message);
  const connections = new Map<number, Connection>();
  port.on("message", (message: ToWriterThread) => {
    const { connection } = message;
    if (message.kind === "open") {
      try {
        // The main thread opened and migrated the file first; this re-check finds it current.
        const database = openSqliteDatabase(message.location);
        connections.set(connection, {
          database,
          settings: message.settings,
          statements: prepareSqliteStatements(database),
          commitInSavepoints: createSavepointCommitter(database),
        });
        send({ kind: "opened", connection });
      } catch (error) {
        send({ kind: "open-failed", connection, error: toWireError(error) });
      }
      return;
    }
    const open = connections.get(connection);
    if (message.kind === "close") {
      connections.delete(connection);
      open?.database.close();
      send({ kind: "closed", connection });
      return;
    }
    const { id } = message;
    try {
      if (open === undefined) throw new Error(`writer connection ${connection} is not open`);
      const outcomes = open.commitInSavepoints(
        message.writes.map(
          (write) => () =>
            applySqliteWrite(open.statements, open.settings, fromWireWrite(write), message.at),
        ),
      );
      const wire = outcomes.map(
        (outcome): WireOutcome =>
          outcome.ok ? outcome : { ok: false, error: toWireError(outcome.error) },
      );
      const allIngests = message.writes.every((write) => typeof write === "string");
      send({
        kind: "committed",
        connection,
        id,
        outcomes: allIngests ? JSON.stringify(wire) : wire,
      });
    } catch (error) {
      send({ kind: "commit-failed", connection, id, error: toWireError(error) });
    }
  });
}

if (!isMainThread && parentPort !== null) serve(parentPort);
