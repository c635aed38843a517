import { createServer, type Server, Socket } from "node:net";

/** Where the next `COMMIT` is cut: before the server sees it, or after (its answer is lost). */
export type CutPoint = "before-commit" | "after-commit";

/** A TCP proxy in front of PostgreSQL that can drop a connection exactly at a commit. */
export interface CommitCuttingProxy {
  port: number;
  /**
   * The next commit passing through cuts its connection at `point`: a simple-protocol
   * `COMMIT`, or the autocommit call of a one-round-trip function (ingest, a claim, turn
   * completion, a sent settle: its `Sync` commits it).
   */
  cutNextCommit(point: CutPoint): void;
  /** How many cuts happened so far. */
  cuts(): number;
  close(): Promise<void>;
}

/** The functions the mailbox calls in autocommit, each its own transaction. */
const oneTripWrites = [
  "ingest_batch(",
  "ingest_batch_v2(",
  "claim_turns(",
  "complete_turn(",
  "complete_turn_v2(",
  "settle_sent(",
  "settle_sent_v2(",
];

/**
 * Test support: forwards bytes both ways and reads the client's messages (type byte + length)
 * to find `COMMIT`. "after-commit" forwards it, waits for the server to finish it, and
 * destroys the client side when the answer arrives, instead of relaying it: the transaction committed but the
 * client cannot know — the ambiguous case the mailbox must resolve without losing or repeating
 * work. "before-commit" destroys both sides instead: the server rolls back.
 */
export async function startCommitCuttingProxy(target: {
  host: string;
  port: number;
}): Promise<CommitCuttingProxy> {
  let armed: CutPoint | undefined;
  let cutCount = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = new Socket();
    // Messages are forwarded one by one: Nagle's algorithm would hold each small write back.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    let buffered = Buffer.alloc(0);
    let startup = true;
    let holdReplies = false;
    let cutAtSync = false;
    // Per prepared statement name ("" the unnamed one): whether its text calls a one-trip write.
    const oneTripStatements = new Map<string, boolean>();
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on("error", closeBoth);
    upstream.on("error", closeBoth);
    upstream.on("data", (chunk) => {
      // The server answered the cut COMMIT: it is done; the client never hears of it.
      if (holdReplies) client.destroy();
      else client.write(chunk);
    });
    upstream.connect(target.port, target.host);

    client.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        // The startup message has no type byte; every later message does.
        const header = startup ? 4 : 5;
        if (buffered.length < header) return;
        const length = buffered.readInt32BE(startup ? 0 : 1) + (startup ? 0 : 1);
        if (buffered.length < length) return;
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        const isStartupControl =
          startup && message.length >= 8 && message.readInt32BE(4) === 80877103;
        // An SSLRequest is answered before the real startup message follows.
        if (startup && !isStartupControl) startup = false;
        const isCommit =
          !startup &&
          message[0] === 0x51 &&
          message
            .subarray(5, message.length - 1)
            .toString("utf8")
            .trim()
            .toUpperCase() === "COMMIT";
        // Extended protocol: Parse (P) carries a statement's name and text, once per connection
        // for a named (prepared) one; each call is a Bind (B) naming it, and the Sync (S) after
        // it commits.
        if (!startup && message[0] === 0x50) {
          const name = message.subarray(5, message.indexOf(0, 5)).toString("utf8");
          oneTripStatements.set(
            name,
            oneTripWrites.some((write) => message.includes(write)),
          );
        }
        let isOneTripWrite = false;
        if (!startup && message[0] === 0x42) {
          const portalEnd = message.indexOf(0, 5);
          const name = message.subarray(portalEnd + 1, message.indexOf(0, portalEnd + 1));
          isOneTripWrite = oneTripStatements.get(name.toString("utf8")) === true;
        }
        if (isOneTripWrite && armed !== undefined) {
          const point = armed;
          armed = undefined;
          cutCount += 1;
          if (point === "before-commit") {
            closeBoth();
            return;
          }
          cutAtSync = true;
        }
        if (cutAtSync && message[0] === 0x53) {
          cutAtSync = false;
          holdReplies = true;
          upstream.write(message);
          return;
        }
        if (isCommit && armed !== undefined) {
          const point = armed;
          armed = undefined;
          cutCount += 1;
          if (point === "before-commit") {
            closeBoth();
            return;
          }
          holdReplies = true;
          upstream.write(message);
          return;
        }
        upstream.write(message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cutNextCommit(point) {
      armed = point;
    },
    cuts: () => cutCount,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
