import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { MailboxWriterStoppedError } from "./mailbox-errors.js";
import type { AppliedWrite, SqliteWrite, SqliteWriteSettings } from "./sqlite-write.js";
import type { SqliteWriter } from "./sqlite-writer.js";
import type {
  FromWriterThread,
  ToWriterThread,
  WireOutcome,
  WireWrite,
} from "./sqlite-writer-worker.js";
import { fromWireError } from "./wire-error.js";
import type { BatchOutcome } from "./write-batcher.js";

// Running from the TypeScript sources (vitest, or node's type stripping): the thread needs the
// same `.js` → `.ts` mapping the caller got from its tooling, so it registers this hook first.
const sourceResolveHook = `export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); } catch (error) {
    if (specifier.startsWith(".") && specifier.endsWith(".js"))
      return next(specifier.slice(0, -3) + ".ts", context);
    throw error;
  }
}`;

function createWorker(): Worker | undefined {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(`./sqlite-writer-worker.${fromSource ? "ts" : "js"}`, import.meta.url);
  // A bundle that left the worker file behind still works, with the writes on this thread.
  if (entry.protocol !== "file:" || !existsSync(fileURLToPath(entry))) return undefined;
  if (!fromSource) return new Worker(entry);
  const bootstrap = `require("node:module").register("data:text/javascript," +
    encodeURIComponent(${JSON.stringify(sourceResolveHook)}));
  import(${JSON.stringify(entry.href)});`;
  return new Worker(bootstrap, { eval: true });
}

/** What a mailbox's connection on the thread hears about. */
interface ThreadClient {
  receive(message: FromWriterThread): void;
  stopped(reason: string, cause?: unknown): void;
}

/** The process's writer thread and the connections it serves. */
interface WriterThread {
  clients: Map<number, ThreadClient>;
  /** Posts a message that will be answered: the process stays alive until it is. */
  ask(message: ToWriterThread): void;
  /** An answer arrived. */
  answered(): void;
}

let shared: WriterThread | undefined;
let nextConnection = 0;

// One thread for the whole process: it starts once (tens of milliseconds), and a process
// with several mailboxes still fsyncs off the event loop. Idle, it keeps nothing alive.
function writerThread(): WriterThread | undefined {
  if (shared !== undefined) return shared;
  const worker = createWorker();
  if (worker === undefined) return undefined;
  worker.unref();
  let outstanding = 0;
  const thread: WriterThread = {
    clients: new Map(),
    ask(message) {
      if (outstanding++ === 0) worker.ref();
      worker.postMessage(message);
    },
    answered() {
      if (--outstanding === 0) worker.unref();
    },
  };
  let stopped = false;
  const stop = (reason: string, cause?: unknown) => {
    if (stopped) return;
    stopped = true;
    if (shared === thread) shared = undefined;
    const clients = [...thread.clients.values()];
    thread.clients.clear();
    for (const client of clients) client.stopped(reason, cause);
  };
  worker.on("message", (message: FromWriterThread) => {
    thread.answered();
    thread.clients.get(message.connection)?.receive(message);
  });
  worker.on("error", (error) => stop(error.message, error));
  worker.on("exit", (code) => stop(`exit code ${code}`));
  shared = thread;
  return thread;
}

/** See `WireWrite`: an ingest crosses as text, its record (already JSON) after a newline. */
function toWireWrite(write: SqliteWrite): WireWrite {
  if (write.kind !== "ingest") return write;
  const { record, ...fields } = write;
  return `${JSON.stringify(fields)}\n${record}`;
}

interface Pending {
  writes: Parameters<SqliteWriter["commit"]>[0];
  at: number;
  resolve: (outcomes: BatchOutcome<AppliedWrite>[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs a mailbox's commits on the process's `node:worker_threads` writer thread, over a
 * connection of its own to `location`, so the fsync of each group commit no longer stalls
 * the event loop. A commit resolves only once the thread reports it committed. If the thread
 * cannot start or open the file, `fallback()` takes over (nothing was written by then); if it
 * dies with a commit under way, that commit rejects with `MailboxWriterStoppedError` (its
 * outcome is unknown) and `fallback()` takes the following ones.
 */
export function startSqliteWriterThread(
  location: string,
  settings: SqliteWriteSettings,
  fallback: (reason: string) => SqliteWriter,
): SqliteWriter {
  const thread = writerThread();
  if (thread === undefined) return fallback("its file is missing from this build");
  const connection = nextConnection++;
  let opened = false;
  let closing = false;
  let replacement: SqliteWriter | undefined;
  let nextId = 0;
  const waitingForOpen: Pending[] = [];
  const posted = new Map<number, Pending>();
  let onClosed: (() => void) | undefined;

  const post = (commit: Pending) => {
    const id = nextId++;
    posted.set(id, commit);
    thread.ask({
      kind: "commit",
      connection,
      id,
      at: commit.at,
      writes: commit.writes.map(toWireWrite),
    });
  };
  const takeOver = (reason: string, cause?: unknown) => {
    for (const commit of posted.values())
      commit.reject(new MailboxWriterStoppedError(reason, { cause }));
    posted.clear();
    onClosed?.();
    if (closing) return;
    const writer = fallback(reason);
    replacement = writer;
    // Never sent to the thread, so never written: they run here instead, in order.
    for (const commit of waitingForOpen.splice(0))
      writer.commit(commit.writes, commit.at).then(commit.resolve, commit.reject);
  };

  thread.clients.set(connection, {
    receive(message) {
      switch (message.kind) {
        case "opened":
          opened = true;
          for (const commit of waitingForOpen.splice(0)) post(commit);
          return;
        case "open-failed":
          thread.clients.delete(connection);
          takeOver("it could not open the file", fromWireError(message.error));
          return;
        case "closed":
          thread.clients.delete(connection);
          onClosed?.();
          return;
      }
      const commit = posted.get(message.id);
      if (commit === undefined) return;
      posted.delete(message.id);
      if (message.kind === "commit-failed") commit.reject(fromWireError(message.error));
      else
        commit.resolve(
          (typeof message.outcomes === "string"
            ? (JSON.parse(message.outcomes) as WireOutcome[])
            : message.outcomes
          ).map((outcome) =>
            outcome.ok ? outcome : { ok: false, error: fromWireError(outcome.error) },
          ),
        );
    },
    stopped: takeOver,
  });
  thread.ask({ kind: "open", connection, location, settings });

  return {
    offThread: true,
    commit(writes, at) {
      if (replacement !== undefined) return replacement.commit(writes, at);
      return new Promise((resolve, reject) => {
        const commit = { writes, at, resolve, reject };
        if (opened) post(commit);
        else waitingForOpen.push(commit);
      });
    },
    async close() {
      if (replacement !== undefined) return replacement.close();
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => {
        onClosed = resolve;
      });
      thread.ask({ kind: "close", connection });
      await closed;
    },
  };
}
