import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type EventStream, openEventStream } from "./event-stream.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server whose only route opens an event stream and hands it to the test. */
async function serveStream(options: Parameters<typeof openEventStream>[2]) {
  const streams: EventStream[] = [];
  const server = createServer((request, response) => {
    streams.push(openEventStream(request, response, options));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, streams };
}

describe("openEventStream", () => {
  it("starts with the retry hint, sends heartbeat comments and framed events", async () => {
    const served = await serveStream({ heartbeatMs: 5, retryMs: 1500 });
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const response = await fetch(served.url, { signal: controller.signal });
    expect(response.headers.get("cache-control")).toBe("no-cache, no-store");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes(": keep-alive\n\n")) text += (await reader.read()).value ?? "";
    expect(text.startsWith("retry: 1500\n\n")).toBe(true);
    served.streams[0]!.send("message", { body: "line one\nline two" }, 7);
    while (!text.includes("event: message")) text += (await reader.read()).value ?? "";
    while (!text.endsWith("\n\n")) text += (await reader.read()).value ?? "";
    // JSON keeps the newline escaped, so the event stays one `data:` line.
    expect(text).toContain('id: 7\nevent: message\ndata: {"body":"line one\\nline two"}\n\n');
  });

  it("closes the stream of a client that stops reading instead of buffering forever", async () => {
    const served = await serveStream({
      heartbeatMs: 60_000,
      retryMs: 1000,
      maxBufferedBytes: 64 * 1024,
    });
    const outgoing = httpRequest(served.url);
    const gone = new Promise<void>((resolve) => {
      outgoing.on("response", (incoming) => {
        incoming.pause(); // never reads
        incoming.on("close", resolve);
        incoming.on("error", () => resolve());
      });
      outgoing.on("error", () => resolve());
    });
    outgoing.end();
    await expect.poll(() => served.streams.length).toBe(1);
    const stream = served.streams[0]!;
    let closedBy = "";
    stream.onClose(() => {
      closedBy = "server";
    });
    const chunk = { body: "x".repeat(16 * 1024) };
    for (let sent = 0; sent < 2000 && !stream.closed; sent += 1)
      stream.send("message", chunk, sent);
    expect(stream.closed).toBe(true);
    expect(closedBy).toBe("server");
    await gone;
  });
});
