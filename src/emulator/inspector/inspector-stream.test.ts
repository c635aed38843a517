import { get, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ServedRoutes, serveRoutes } from "../content/serve-routes.js";
import { createInspectorRoutes, inspectorStreamPath } from "./inspector-routes.js";
import type { InspectorState } from "./inspector-state.js";
import { createInspectorStream } from "./inspector-stream.js";

function emptyState(serviceSid: string): InspectorState {
  return {
    accountSid: `AC${"1".repeat(32)}`,
    serviceSid,
    numbers: { sms: "+15005550006", whatsapp: "whatsapp:+14155238886" },
    conversations: [],
    devices: {},
    webhooks: [],
  };
}

/** A state source with change listeners, as the emulator store will provide. */
function source() {
  let state = emptyState("IS0");
  const listeners = new Set<() => void>();
  return {
    listeners,
    getState: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next: InspectorState) {
      state = next;
      for (const listener of listeners) listener();
    },
  };
}

/** Reads SSE `state` events from a live response, one at a time. */
function events(response: IncomingMessage) {
  let buffer = "";
  const queue: string[] = [];
  const waiting: ((event: string) => void)[] = [];
  response.setEncoding("utf8");
  response.on("data", (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith("event: state\n")) {
        const data = block.slice(block.indexOf("data: ") + 6);
        const resolve = waiting.shift();
        if (resolve) resolve(data);
        else queue.push(data);
      }
      end = buffer.indexOf("\n\n");
    }
  });
  return {
    next: () =>
      new Promise<InspectorState>((resolve) => {
        const ready = queue.shift();
        if (ready !== undefined) resolve(JSON.parse(ready));
        else waiting.push((data) => resolve(JSON.parse(data)));
      }),
  };
}

let server: ServedRoutes | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(states: ReturnType<typeof source>) {
  const stream = createInspectorStream(states);
  server = await serveRoutes(createInspectorRoutes({ getState: states.getState }), {
    accountSid: "AC",
    fallback: (request, response) => {
      if (request.url !== inspectorStreamPath) return false;
      stream(request, response);
      return true;
    },
  });
  const response = await new Promise<IncomingMessage>((resolve) =>
    get(`${server?.url}${inspectorStreamPath}`, resolve),
  );
  return response;
}

describe("createInspectorStream", () => {
  it("sends the state on connect and the newest state once per burst of changes", async () => {
    const states = source();
    const response = await start(states);
    expect(response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(response.headers["cache-control"]).toContain("no-cache");
    const stream = events(response);
    expect((await stream.next()).serviceSid).toBe("IS0");

    // Three changes in one tick: the client hears only the last.
    states.set(emptyState("IS1"));
    states.set(emptyState("IS2"));
    states.set(emptyState("IS3"));
    expect((await stream.next()).serviceSid).toBe("IS3");
    states.set(emptyState("IS4"));
    expect((await stream.next()).serviceSid).toBe("IS4");
    response.destroy();
  });

  it("carries a body with newlines, SSE syntax and markup intact in one event", async () => {
    const states = source();
    const response = await start(states);
    const stream = events(response);
    await stream.next();
    const tricky = emptyState("IS5");
    tricky.devices["+15551234567"] = [
      {
        body: "line one\n\nevent: state\ndata: forged\n\n<script>alert(1)</script>",
        media: [],
        from: "+15005550006",
        dateCreated: "2026-01-02T03:04:05Z",
        status: "delivered",
      },
    ];
    states.set(tricky);
    const received = await stream.next();
    expect(received.devices["+15551234567"]?.[0]?.body).toBe(
      tricky.devices["+15551234567"]?.[0]?.body,
    );
    response.destroy();
  });

  it("unsubscribes when the client goes away", async () => {
    const states = source();
    const response = await start(states);
    await events(response).next();
    expect(states.listeners.size).toBe(1);
    response.destroy();
    await vi.waitFor(() => expect(states.listeners.size).toBe(0), { timeout: 5000 });
    // A change after the disconnect writes to nobody and throws nothing.
    states.set(emptyState("IS6"));
  });
});

describe("createInspectorRoutes", () => {
  it("serves the state as JSON, the page with a strict CSP, and redirects the bare path", async () => {
    const states = source();
    (await start(states)).destroy();
    const state = await fetch(`${server?.url}/_emulator/state`);
    expect(state.headers.get("cache-control")).toBe("no-store");
    expect(await state.json()).toEqual(states.getState());

    const page = await fetch(`${server?.url}/_emulator/`);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain("unsafe-inline");
    const html = await page.text();
    // Self-contained: nothing is fetched from anywhere (the icon is an empty data: URL).
    expect(html).not.toMatch(/<(img|iframe)\b|(src|href)="(http|\/\/)/);

    const bare = await fetch(`${server?.url}/_emulator`, { redirect: "manual" });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe("/_emulator/");
  });
});
