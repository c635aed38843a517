import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createNetServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const childScript = fileURLToPath(new URL("./tool-child.mjs", import.meta.url));

/** A free local port (the child listens on it). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One `tool-child.mjs` process with its output as lines, and a way to wait for one. */
export class ToolChild {
  readonly lines: string[] = [];
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  constructor(config: Record<string, unknown>) {
    this.process = spawn(process.execPath, [childScript], {
      env: { ...process.env, SWITCHBOARD_CHILD: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.exited = new Promise((resolve) => this.process.once("exit", () => resolve()));
    createInterface({ input: this.process.stdout! }).on("line", (line) => {
      this.lines.push(line);
      const ready = this.#waiters.filter((waiter) => waiter.test(line));
      this.#waiters = this.#waiters.filter((waiter) => !waiter.test(line));
      for (const waiter of ready) waiter.resolve(line);
    });
  }

  waitFor(test: (line: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`child never printed ${what}; it printed ${this.lines.join(" | ")}`)),
        timeoutMs,
      );
      this.#waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null)
      this.process.kill("SIGKILL");
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null)
      this.process.kill("SIGTERM");
    await this.exited;
  }
}

/** One request the booking API received. */
export interface BookingRequest {
  key: string;
  worker: string;
}

/**
 * A booking API on a local port that counts every request (each is one execution of the
 * tool) and, like a real payments or bookings API, answers a repeated idempotency key with
 * the first booking instead of making a second one.
 */
export async function startBookingApi(): Promise<{
  url: string;
  requests: BookingRequest[];
  bookings: Map<string, string>;
  close(): Promise<void>;
}> {
  const requests: BookingRequest[] = [];
  const bookings = new Map<string, string>();
  const header = (request: IncomingMessage, name: string) => String(request.headers[name] ?? "");
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const key = header(request, "idempotency-key");
      requests.push({ key, worker: header(request, "x-worker") });
      let reference = bookings.get(key);
      if (reference === undefined) {
        reference = `B-${bookings.size + 1}`;
        bookings.set(key, reference);
      }
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ reference }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/bookings`,
    requests,
    bookings,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
