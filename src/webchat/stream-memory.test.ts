import type { IncomingMessage, ServerResponse } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { createConsoleApi } from "../console/console-api.js";
import { InMemoryConsole } from "../console/in-memory-console.test-support.js";
import { InMemoryWebchat } from "./in-memory-webchat.test-support.js";
import { readEvents, serveHandler } from "./serve-handler.test-support.js";
import { createWebchatApi } from "./webchat-api.js";

// A full collection on demand: what `node --expose-gc` gives, switched on for this file.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/**
 * Serves `handler`, keeping a weak reference to every stream's response: everything a
 * stream holds (its event stream, heartbeat, subscription, closers) reaches the response,
 * so a response still alive after close means something kept the stream's state.
 */
async function watched(handler: Handler, retain?: ServerResponse[]) {
  const streams: WeakRef<ServerResponse>[] = [];
  const server = await serveHandler(async (request, response) => {
    if (request.url?.includes("/stream?") === true || request.url === "/api/stream") {
      streams.push(new WeakRef(response));
      if (retain !== undefined && retain.length === 0) retain.push(response);
    }
    return handler(request, response);
  });
  cleanups.push(() => server.close());
  return { url: server.url, streams };
}

/** Collects until every watched response is gone, or gives up after 40 rounds. */
async function alive(streams: readonly WeakRef<object>[]): Promise<number> {
  let left = streams.length;
  for (let round = 0; round < 40 && left > 0; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    collect();
    left = streams.filter((stream) => stream.deref() !== undefined).length;
  }
  return left;
}

const count = 40;

async function webchatStreams(retain?: ServerResponse[]) {
  const deps = new InMemoryWebchat();
  const api = createWebchatApi(deps, {
    secret: "a-test-secret-that-is-long-enough-0123456789",
    heartbeatMs: 60_000,
    maxStreamsPerIdentity: count,
    reconnectRate: {
      perIdentity: { capacity: count * 2, refillMs: 60_000 },
      perClient: { capacity: count * 2, refillMs: 60_000 },
    },
  });
  const server = await watched(api, retain);
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
  const { token, conversationSid } = (await (await post("/webchat/session", {})).json()) as {
    token: string;
    conversationSid: string;
  };
  const controllers: AbortController[] = [];
  for (let index = 0; index < count; index += 1) {
    const { ticket } = (await (await post("/webchat/stream-ticket", {}, token)).json()) as {
      ticket: string;
    };
    const controller = new AbortController();
    controllers.push(controller);
    const stream = await fetch(`${server.url}/webchat/stream?ticket=${ticket}`, {
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    await readEvents(stream, (events) => events.length >= 1);
  }
  expect(deps.listenerCount(conversationSid)).toBe(count);
  const heapOpen = process.memoryUsage().heapUsed;
  for (const controller of controllers) controller.abort();
  await expect.poll(() => deps.listenerCount(conversationSid)).toBe(0);
  return { streams: server.streams, heapOpen };
}

describe("memory per open stream is released on close", () => {
  it(`web chat: ${count} streams opened and closed leave nothing behind`, async () => {
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    const { streams, heapOpen } = await webchatStreams();
    expect(streams).toHaveLength(count);
    expect(await alive(streams)).toBe(0);
    const heapAfter = process.memoryUsage().heapUsed;
    // Figures for the note, not assertions: heap is noisy.
    console.log(
      `web chat streams: heap ${Math.round(heapBefore / 1024)} KB before, ${Math.round(heapOpen / 1024)} KB with ${count} open, ${Math.round(heapAfter / 1024)} KB after close`,
    );
  });

  it("the check catches a stream whose state is still referenced", async () => {
    // One response kept on purpose: the check must report it, or it proves nothing.
    const retain: ServerResponse[] = [];
    const { streams } = await webchatStreams(retain);
    expect(await alive(streams)).toBe(1);
    retain.length = 0;
    expect(await alive(streams)).toBe(0);
  });

  it(`console: ${count} streams opened and closed leave nothing behind`, async () => {
    const deps = new InMemoryConsole();
    const api = createConsoleApi(deps, { heartbeatMs: 60_000, maxStreams: count });
    const server = await watched(api);
    const controllers: AbortController[] = [];
    for (let index = 0; index < count; index += 1) {
      const controller = new AbortController();
      controllers.push(controller);
      const stream = await fetch(`${server.url}/api/stream`, { signal: controller.signal });
      expect(stream.status).toBe(200);
      await readEvents(stream, (events) => events.length >= 1);
    }
    expect(deps.listeners.size).toBe(count);
    for (const controller of controllers) controller.abort();
    await expect.poll(() => deps.listeners.size).toBe(0);
    expect(await alive(server.streams)).toBe(0);
  });
});
