import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { readEvents, serveHandler } from "../webchat/serve-handler.test-support.js";
import { type ConsoleApiOptions, createConsoleApi } from "./console-api.js";
import { consoleTokenRequired, hostnameOf, isLoopbackHost } from "./console-auth.js";
import type { ConsoleInfo } from "./console-deps.js";
import { InMemoryConsole } from "./in-memory-console.test-support.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: ConsoleApiOptions = {}, info: Partial<ConsoleInfo> = {}) {
  const deps = new InMemoryConsole(info);
  const errors: unknown[] = [];
  const server = await serveHandler(
    createConsoleApi(deps, {
      heartbeatMs: 60_000,
      logger: { warn: () => {}, error: (fields) => errors.push(fields) },
      ...options,
    }),
  );
  cleanups.push(() => server.close());
  const headers = (extra: Record<string, string> = {}) => ({
    ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    ...extra,
  });
  const get = (path: string, extra: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers: headers(extra) });
  const post = (path: string, body: unknown, extra: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: headers({ "content-type": "application/json", ...extra }),
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { deps, errors, url: server.url, get, post };
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

/** A raw request, so the Host header can be anything (fetch will not let us set it). */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = httpRequest(url, { headers }, (incoming) => {
      let body = "";
      incoming.setEncoding("utf8");
      incoming.on("data", (chunk: string) => {
        body += chunk;
      });
      incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("console page and info", () => {
  it("serves the page with a strict CSP and no data in it", async () => {
    const api = await start({ token: "s3cret-console-token" });
    const page = await fetch(`${api.url}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const html = await page.text();
    expect(html).toContain("switchboard console");
    expect(html).not.toContain("s3cret-console-token");
    expect((await fetch(`${api.url}/`, { method: "POST" })).status).toBe(405);
  });

  it("inlines the built script under the CSP's hash and serves its source map", async () => {
    const api = await start();
    const page = await fetch(`${api.url}/`);
    const html = await page.text();
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? "";
    const digest = createHash("sha256").update(script).digest("base64");
    expect(page.headers.get("content-security-policy")).toContain(`script-src 'sha256-${digest}'`);
    expect(script).toMatch(/\/\/# sourceMappingURL=\/console\.js\.map\n$/);
    const map = await fetch(`${api.url}/console.js.map`);
    expect(map.status).toBe(200);
    const sources = ((await map.json()) as { sources: string[] }).sources;
    expect(sources.some((source) => source.endsWith("console/client/main.ts"))).toBe(true);
  });

  it("reports mode, inspector, channels and numbers", async () => {
    const api = await start();
    expect(await (await api.get("/api/info")).json()).toEqual({
      mode: "dev",
      inspectorUrl: "http://127.0.0.1:3000/_emulator/",
      channels: ["sms", "whatsapp", "chat"],
      numbers: { sms: "+15005550006", whatsapp: "whatsapp:+14155238886" },
      canSendAsCustomer: true,
    });
  });

  it("drops an inspector URL that is not http(s)", async () => {
    const api = await start({}, { inspectorUrl: "javascript:alert(1)" });
    const info = (await (await api.get("/api/info")).json()) as Record<string, unknown>;
    expect(info.inspectorUrl).toBeUndefined();
  });

  it("leaves other paths to the next handler", async () => {
    const api = await start();
    expect(await (await api.get("/healthz")).text()).toBe("not handled");
    const unknown = await api.get("/api/nothing");
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("not_found");
  });
});

describe("auth", () => {
  it("requires the bearer token on every /api path when one is set", async () => {
    const api = await start({ token: "s3cret-console-token" });
    for (const path of ["/api/info", "/api/conversations"]) {
      const missing = await fetch(`${api.url}${path}`);
      expect(missing.status, path).toBe(401);
      expect((await errorOf(missing)).code).toBe("token_missing");
      const wrong = await fetch(`${api.url}${path}`, {
        headers: { authorization: "Bearer s3cret-console-tokeN" },
      });
      expect(wrong.status, path).toBe(401);
      expect((await errorOf(wrong)).code).toBe("token_invalid");
    }
    const send = await fetch(`${api.url}/api/customers/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "sms", from: "+15551230001", text: "hi" }),
    });
    expect(send.status).toBe(401);
    expect(api.deps.actions).toEqual([]);
    expect((await fetch(`${api.url}/api/stream`)).status).toBe(401);
    expect((await api.get("/api/info")).status).toBe(200);
  });

  it("never takes the token in a URL, and the stream takes only a ticket", async () => {
    const api = await start({ token: "s3cret-console-token" });
    expect((await fetch(`${api.url}/api/info?token=s3cret-console-token`)).status).toBe(401);
    for (const refused of [
      await fetch(`${api.url}/api/stream?token=s3cret-console-token`),
      await fetch(`${api.url}/api/stream`, {
        headers: { authorization: "Bearer s3cret-console-token" },
      }),
      await fetch(`${api.url}/api/stream?token=nope`),
    ]) {
      expect(refused.status).toBe(401);
      expect((await errorOf(refused)).code).toBe("ticket_missing");
    }
  });

  it("opens the stream with a one-use ticket instead of the token in the URL", async () => {
    const api = await start({ token: "s3cret-console-token", streamTicketMs: 5000 });
    const anonymous = await fetch(`${api.url}/api/stream-ticket`, { method: "POST" });
    expect(anonymous.status).toBe(401);
    const issued = await api.post("/api/stream-ticket", {});
    expect(issued.status).toBe(201);
    const { ticket, expiresInMs } = (await issued.json()) as {
      ticket: string;
      expiresInMs: number;
    };
    expect(ticket.length).toBeGreaterThanOrEqual(32);
    expect(expiresInMs).toBe(5000);
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const stream = await fetch(`${api.url}/api/stream?ticket=${ticket}`, {
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    // Spent: the same ticket opens nothing again, and a ticket is no key to the rest.
    expect((await fetch(`${api.url}/api/stream?ticket=${ticket}`)).status).toBe(401);
    expect((await fetch(`${api.url}/api/info?ticket=${ticket}`)).status).toBe(401);
  });

  it("caps open console streams", async () => {
    const api = await start({ maxStreams: 1 });
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const first = await fetch(`${api.url}/api/stream`, { signal: controller.signal });
    expect(first.status).toBe(200);
    const second = await fetch(`${api.url}/api/stream`);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).not.toBeNull();
    controller.abort();
    await expect
      .poll(async () => {
        const again = await fetch(`${api.url}/api/stream`);
        await again.body?.cancel();
        return again.status;
      })
      .toBe(200);
  });

  it("without a token, answers only loopback host names (no DNS rebinding)", async () => {
    const api = await start();
    const port = new URL(api.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await rawGet(`${api.url}/api/info`, { host })).status, host).toBe(200);
    }
    const rebound = await rawGet(`${api.url}/api/info`, { host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.code).toBe("host_not_allowed");
    // With a token, any host name works (the token is the protection).
    const guarded = await start({ token: "t0ken-for-remote-use" });
    const remote = await rawGet(`${guarded.url}/api/info`, {
      host: "console.example:3000",
      authorization: "Bearer t0ken-for-remote-use",
    });
    expect(remote.status).toBe(200);
  });

  it("refuses writes from another origin", async () => {
    const api = await start();
    const sid = api.deps.seed("sms", "+15551230001", [["customer", "hi"]]);
    for (const origin of ["http://evil.example", "null", "not a url"]) {
      const response = await api.post(
        `/api/conversations/${sid}/handoff`,
        { on: true },
        { origin },
      );
      expect(response.status, origin).toBe(403);
      expect((await errorOf(response)).code).toBe("cross_origin");
    }
    const same = await api.post(
      `/api/conversations/${sid}/handoff`,
      { on: true },
      { origin: api.url },
    );
    expect(same.status).toBe(200);
    expect(api.deps.actions).toEqual([`handoff ${sid} true`]);
  });

  it("knows when a token is required", () => {
    for (const host of ["127.0.0.1", "127.8.9.10", "localhost", "app.localhost", "::1", "[::1]"]) {
      expect(consoleTokenRequired(host), host).toBe(false);
    }
    for (const host of [
      "0.0.0.0",
      "::",
      "",
      "192.168.1.20",
      "10.0.0.1",
      "example.com",
      "128.0.0.1",
    ]) {
      expect(consoleTokenRequired(host), host).toBe(true);
    }
    expect(isLoopbackHost(hostnameOf("[::1]:3000"))).toBe(true);
    expect(hostnameOf("127.0.0.1:3000")).toBe("127.0.0.1");
  });
});

describe("conversations and transcripts", () => {
  it("lists conversations newest first and returns transcripts", async () => {
    const api = await start();
    const older = api.deps.seed("sms", "+15551230001", [["customer", "first"]]);
    const newer = api.deps.seed("whatsapp", "whatsapp:+15551230002", [
      ["customer", "hola"],
      ["agent", "¡Hola!"],
    ]);
    const list = (await (await api.get("/api/conversations")).json()) as {
      conversations: Array<{ sid: string; channel: string; state: string }>;
    };
    expect(list.conversations.map((conversation) => conversation.sid)).toEqual([newer, older]);
    expect(list.conversations[0]).toMatchObject({ channel: "whatsapp", state: "bot" });
    const transcript = (await (await api.get(`/api/conversations/${newer}`)).json()) as {
      messages: Array<{ role: string; body: string }>;
    };
    expect(transcript.messages.map((message) => [message.role, message.body])).toEqual([
      ["customer", "hola"],
      ["agent", "¡Hola!"],
    ]);
  });

  it("answers 404 for an unknown conversation and 400 for a malformed SID", async () => {
    const api = await start();
    const unknown = `CH${"e".repeat(32)}`;
    for (const [method, path] of [
      ["GET", `/api/conversations/${unknown}`],
      ["POST", `/api/conversations/${unknown}/handoff`],
      ["POST", `/api/conversations/${unknown}/retry`],
    ] as const) {
      const response = method === "GET" ? await api.get(path) : await api.post(path, { on: true });
      expect(response.status, path).toBe(404);
      expect((await errorOf(response)).code).toBe("conversation_not_found");
    }
    for (const bad of [
      "CH123",
      "..%2F..%2Fetc",
      "%3Cscript%3E",
      "%E0%A4%A",
      `CH${"%61".repeat(32)}`,
    ]) {
      const response = await api.get(`/api/conversations/${bad}`);
      expect(response.status, bad).toBe(400);
      expect((await errorOf(response)).code).toBe("invalid_conversation_sid");
    }
  });

  it("answers 405 for the wrong method", async () => {
    const api = await start();
    const sid = api.deps.seed("sms", "+15551230001", [["customer", "hi"]]);
    expect((await api.post("/api/conversations", {})).status).toBe(405);
    expect((await api.post(`/api/conversations/${sid}`, {})).status).toBe(405);
    const wrong = await api.get(`/api/conversations/${sid}/retry`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect((await api.get("/api/customers/send")).status).toBe(405);
  });
});

describe("operator actions", () => {
  it("takes over, replies as a person, and hands back", async () => {
    const api = await start();
    const sid = api.deps.seed("sms", "+15551230001", [["customer", "I want a person"]]);
    const early = await api.post(`/api/conversations/${sid}/reply`, { text: "Hi" });
    expect(early.status).toBe(409);
    expect((await errorOf(early)).code).toBe("not_handed_off");
    expect((await api.post(`/api/conversations/${sid}/handoff`, { on: true })).status).toBe(200);
    const reply = await api.post(`/api/conversations/${sid}/reply`, { text: " Hi, Sam here. " });
    expect(reply.status).toBe(202);
    expect((await api.post(`/api/conversations/${sid}/handoff`, { on: false })).status).toBe(200);
    expect(api.deps.actions).toEqual([
      `handoff ${sid} true`,
      `reply ${sid} Hi, Sam here.`,
      `handoff ${sid} false`,
    ]);
  });

  it("validates handoff and reply bodies", async () => {
    const api = await start({ maxTextLength: 10 });
    const sid = api.deps.seed("sms", "+15551230001", [["customer", "hi"]]);
    const cases: Array<[string, unknown, number, string]> = [
      ["handoff", { on: "yes" }, 400, "invalid_handoff"],
      ["handoff", {}, 400, "invalid_handoff"],
      ["handoff", "[true]", 400, "invalid_body"],
      ["handoff", "{broken", 400, "invalid_json"],
      ["reply", { text: "x".repeat(11) }, 400, "text_too_long"],
      ["reply", { text: "" }, 400, "empty_text"],
      ["reply", { text: ["a"] }, 400, "invalid_text"],
    ];
    for (const [action, body, status, code] of cases) {
      const response = await api.post(`/api/conversations/${sid}/${action}`, body);
      expect(response.status, `${action} ${JSON.stringify(body)}`).toBe(status);
      expect((await errorOf(response)).code).toBe(code);
    }
    const wrongType = await api.post(`/api/conversations/${sid}/handoff`, "{}", {
      "content-type": "text/plain",
    });
    expect(wrongType.status).toBe(415);
    expect(api.deps.actions).toEqual([]);
  });

  it("rejects oversized bodies with 413", async () => {
    const api = await start({ maxBodyBytes: 512 });
    const sid = api.deps.seed("sms", "+15551230001", [["customer", "hi"]]);
    const response = await api.post(`/api/conversations/${sid}/reply`, { text: "y".repeat(600) });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("body_too_large");
  });

  it("retries and skips dead letters, and says 409 when there is none", async () => {
    const api = await start();
    const sid = api.deps.seed("chat", "visitor-1", [["customer", "hello"]]);
    const none = await api.post(`/api/conversations/${sid}/retry`, {});
    expect(none.status).toBe(409);
    expect((await errorOf(none)).code).toBe("no_dead_letter");
    api.deps.deadLetter(sid, "agent timed out 5 times");
    expect((await api.post(`/api/conversations/${sid}/retry`, {})).status).toBe(200);
    api.deps.deadLetter(sid, "agent timed out 5 times");
    expect((await api.post(`/api/conversations/${sid}/skip`, "")).status).toBe(200);
    expect(api.deps.actions).toEqual([`retry ${sid}`, `skip ${sid}`]);
  });

  it("hides unexpected failures behind a generic 500", async () => {
    const api = await start();
    const sid = api.deps.seed("sms", "+15551230001", [["customer", "hi"]]);
    api.deps.setHandoff = async () => {
      throw new Error("database password is hunter2");
    };
    const response = await api.post(`/api/conversations/${sid}/handoff`, { on: true });
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain("hunter2");
    expect(api.errors).toHaveLength(1);
  });
});

describe("POST /api/customers/send", () => {
  it("writes as a customer on each channel and normalises WhatsApp addresses", async () => {
    const api = await start();
    const sms = await api.post("/api/customers/send", {
      channel: "sms",
      from: "+15551230001",
      text: "Opening hours?",
    });
    expect(sms.status).toBe(202);
    expect(await sms.json()).toMatchObject({
      from: "+15551230001",
      conversationSid: expect.stringMatching(/^CH/),
    });
    const whatsapp = await api.post("/api/customers/send", {
      channel: "whatsapp",
      from: "+15551230002",
      text: "hola",
    });
    expect(((await whatsapp.json()) as { from: string }).from).toBe("whatsapp:+15551230002");
    await api.post("/api/customers/send", { channel: "chat", from: "visitor-ab12", text: "hey" });
    expect(api.deps.actions).toEqual([
      "send sms +15551230001 Opening hours?",
      "send whatsapp whatsapp:+15551230002 hola",
      "send chat visitor-ab12 hey",
    ]);
  });

  it("validates channel, address and text", async () => {
    const api = await start();
    const cases: Array<[unknown, string]> = [
      [{ channel: "fax", from: "+15551230001", text: "hi" }, "invalid_channel"],
      [{ from: "+15551230001", text: "hi" }, "invalid_channel"],
      [{ channel: "sms", from: "5551230001", text: "hi" }, "invalid_from"],
      [{ channel: "sms", from: "whatsapp:+15551230001", text: "hi" }, "invalid_from"],
      [{ channel: "whatsapp", from: "whatsapp:123", text: "hi" }, "invalid_from"],
      [{ channel: "chat", from: "<script>", text: "hi" }, "invalid_from"],
      [{ channel: "chat", from: 7, text: "hi" }, "invalid_from"],
      [{ channel: "sms", from: "+15551230001", text: "   " }, "empty_text"],
    ];
    for (const [body, code] of cases) {
      const response = await api.post("/api/customers/send", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(response)).code).toBe(code);
    }
    expect(api.deps.actions).toEqual([]);
  });

  it("is refused outside dev mode", async () => {
    const api = await start({}, { mode: "serve" });
    const response = await api.post("/api/customers/send", {
      channel: "sms",
      from: "+15551230001",
      text: "hi",
    });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe("dev_mode_only");
    const info = (await (await api.get("/api/info")).json()) as { canSendAsCustomer: boolean };
    expect(info.canSendAsCustomer).toBe(false);
  });
});

describe("GET /api/stream", () => {
  it("streams conversation upserts, messages, typing and state", async () => {
    const api = await start();
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const stream = await fetch(`${api.url}/api/stream`, { signal: controller.signal });
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(await readEvents(stream, (events) => events.length >= 1)).toEqual([
      { event: "ready", data: {} },
    ]);
    await api.post("/api/customers/send", { channel: "sms", from: "+15551230001", text: "hi" });
    const sid = [...api.deps.conversations.keys()][0]!;
    api.deps.typing(sid, true);
    api.deps.agentReply(sid, "Hello!");
    api.deps.deadLetter(sid, "boom");
    const events = await readEvents(stream, (received) =>
      received.some((e) => e.event === "state"),
    );
    expect(events.map((event) => event.event)).toEqual([
      "conversation",
      "message",
      "conversation",
      "typing",
      "message",
      "conversation",
      "state",
    ]);
    expect(events[3]?.data).toEqual({ conversationSid: sid, on: true });
    expect(events[4]?.data).toMatchObject({
      conversationSid: sid,
      message: { role: "agent", body: "Hello!" },
    });
    expect(events[6]?.data).toEqual({ conversationSid: sid, state: "dead", reason: "boom" });
    controller.abort();
    await expect.poll(() => api.deps.listeners.size).toBe(0);
  });
});
