import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { InMemoryWebchat } from "./in-memory-webchat.test-support.js";
import { readEvents, serveHandler } from "./serve-handler.test-support.js";
import { createVisitorTokens } from "./visitor-token.js";
import { createWebchatApi, type WebchatApiOptions } from "./webchat-api.js";

const secret = "a-test-secret-that-is-long-enough-0123456789";
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: Partial<WebchatApiOptions> = {}) {
  let now = Date.UTC(2026, 10, 25, 12, 0, 0);
  const deps = new InMemoryWebchat();
  const errors: unknown[] = [];
  const handler = createWebchatApi(deps, {
    secret,
    now: () => now,
    heartbeatMs: 60_000,
    logger: { warn: () => {}, error: (fields) => errors.push(fields) },
    ...options,
  });
  const server = await serveHandler(handler);
  cleanups.push(() => server.close());
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const session = async (token?: string) => {
    const response = await post("/webchat/session", token === undefined ? {} : { token });
    return {
      status: response.status,
      body: (await response.json()) as {
        token: string;
        identity: string;
        conversationSid: string;
        resumed: boolean;
        error?: { code: string; message: string };
      },
    };
  };
  const send = (token: string, text: unknown) =>
    post("/webchat/messages", { text }, { authorization: `Bearer ${token}` });
  const stream = (query: string, headers: Record<string, string> = {}) => {
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    return fetch(`${server.url}/webchat/stream?${query}`, { signal: controller.signal, headers });
  };
  /** A one-use ticket for the visitor `token`: the only thing that opens a stream. */
  const ticketFor = async (token: string) => {
    const issued = await post("/webchat/stream-ticket", {}, { authorization: `Bearer ${token}` });
    expect(issued.status).toBe(201);
    return ((await issued.json()) as { ticket: string }).ticket;
  };
  /** Opens the stream as the visitor holding `token`, through a fresh ticket. */
  const streamAs = async (token: string, query = "", headers: Record<string, string> = {}) =>
    stream(`ticket=${encodeURIComponent(await ticketFor(token))}${query}`, headers);
  return {
    deps,
    errors,
    url: server.url,
    post,
    session,
    send,
    stream,
    ticketFor,
    streamAs,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

/** Sends a raw request so the body can be streamed without a Content-Length. */
function postChunked(url: string, chunks: string[], headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json", ...headers } },
      (incoming) => {
        let body = "";
        incoming.setEncoding("utf8");
        incoming.on("data", (chunk: string) => {
          body += chunk;
        });
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body }));
      },
    );
    outgoing.on("error", reject);
    for (const chunk of chunks) outgoing.write(chunk);
    outgoing.end();
  });
}

describe("POST /webchat/session", () => {
  it("starts a conversation for a new visitor with a server-chosen identity", async () => {
    const api = await start();
    const first = await api.session();
    expect(first.status).toBe(201);
    expect(first.body.identity).toMatch(/^visitor-[0-9a-f-]{36}$/);
    expect(first.body.conversationSid).toMatch(/^CH[0-9a-f]{32}$/);
    expect(first.body.resumed).toBe(false);
    expect(api.deps.conversations.get(first.body.conversationSid)?.identity).toBe(
      first.body.identity,
    );
    const second = await api.session();
    expect(second.body.identity).not.toBe(first.body.identity);
    expect(second.body.conversationSid).not.toBe(first.body.conversationSid);
  });

  it("ignores an identity the client tries to choose", async () => {
    const api = await start();
    const response = await api.post("/webchat/session", { identity: "visitor-mine" });
    const body = (await response.json()) as { identity: string };
    expect(body.identity).not.toBe("visitor-mine");
  });

  it("resumes the same conversation for a valid token and renews it", async () => {
    const api = await start();
    const first = await api.session();
    api.advance(60_000);
    const again = await api.session(first.body.token);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      identity: first.body.identity,
      conversationSid: first.body.conversationSid,
      resumed: true,
    });
    expect(again.body.token).not.toBe(first.body.token);
    expect(api.deps.conversations.size).toBe(1);
  });

  it("starts a new conversation with the same identity when the old one closed", async () => {
    const api = await start();
    const first = await api.session();
    api.deps.close(first.body.conversationSid);
    const next = await api.session(first.body.token);
    expect(next.status).toBe(201);
    expect(next.body.identity).toBe(first.body.identity);
    expect(next.body.conversationSid).not.toBe(first.body.conversationSid);
    expect(next.body.resumed).toBe(false);
  });

  it("refuses forged, malformed and expired tokens with 401", async () => {
    const api = await start({ tokenTtlMs: 60_000 });
    const { body } = await api.session();
    const [payload, signature] = body.token.split(".") as [string, string];
    // Another secret signing a payload that claims this visitor's conversation.
    const forger = createVisitorTokens({ secret: "someone-elses-secret-0123456789abcdefghij" });
    const forged = forger.issue({ conversationSid: body.conversationSid }).token;
    const tampered = `${Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, "base64url").toString()),
        conversationSid: "CH".padEnd(34, "f"),
      }),
    ).toString("base64url")}.${signature}`;
    for (const [token, code] of [
      [forged, "token_bad_signature"],
      [tampered, "token_bad_signature"],
      ["not-a-token", "token_malformed"],
      [`${payload}.${signature}.extra`, "token_malformed"],
      ["x".repeat(5000), "token_malformed"],
    ] as const) {
      const refused = await api.session(token);
      expect(refused.status, token.slice(0, 20)).toBe(401);
      expect(refused.body.error?.code).toBe(code);
    }
    api.advance(60_000);
    const expired = await api.session(body.token);
    expect(expired.status).toBe(401);
    expect(expired.body.error?.code).toBe("token_expired");
    expect(api.deps.conversations.size).toBe(1);
  });

  it("limits new conversations per client address (429 with Retry-After)", async () => {
    const api = await start({ sessionRate: { capacity: 2, refillMs: 60_000 } });
    const first = await api.session();
    expect((await api.session()).status).toBe(201);
    const refused = await api.post("/webchat/session", {});
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect((await errorOf(refused)).code).toBe("rate_limited");
    // Resuming costs nothing and is not limited.
    expect((await api.session(first.body.token)).status).toBe(200);
    api.advance(30_000);
    expect((await api.session()).status).toBe(201);
    expect(api.deps.conversations.size).toBe(3);
  });

  it("keeps a global budget of new conversations, whatever address each client claims", async () => {
    const api = await start({
      sessionRate: { capacity: 100, refillMs: 60_000 },
      globalSessionRate: { capacity: 3, refillMs: 60_000 },
      clientAddress: (request) => String(request.headers["x-client"]),
    });
    const statuses: number[] = [];
    for (let client = 0; client < 5; client += 1)
      statuses.push((await api.post("/webchat/session", {}, { "x-client": `c${client}` })).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect(api.deps.conversations.size).toBe(3);
  });

  it("limits resumes and stream opens per identity before any lookup (429)", async () => {
    const api = await start({ reconnectRate: { perIdentity: { capacity: 3, refillMs: 60_000 } } });
    const { body } = await api.session();
    const lookups = { closed: 0 };
    const isClosed = api.deps.isClosed.bind(api.deps);
    api.deps.isClosed = async (sid: string) => {
      lookups.closed += 1;
      return isClosed(sid);
    };
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1)
      statuses.push((await api.session(body.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(lookups.closed).toBe(3);
    const stream = await api.streamAs(body.token);
    expect(stream.status).toBe(429);
    expect(stream.headers.get("retry-after")).not.toBeNull();
  });

  it("opens the stream with a one-use ticket, keeping the token out of the URL", async () => {
    const api = await start({ streamTicketMs: 5000 });
    const { body } = await api.session();
    expect((await api.post("/webchat/stream-ticket", {})).status).toBe(401);
    const issued = await api.post(
      "/webchat/stream-ticket",
      {},
      {
        authorization: `Bearer ${body.token}`,
      },
    );
    expect(issued.status).toBe(201);
    const { ticket } = (await issued.json()) as { ticket: string };
    const stream = await api.stream(`ticket=${encodeURIComponent(ticket)}`);
    expect(stream.status).toBe(200);
    const again = await api.stream(`ticket=${encodeURIComponent(ticket)}`);
    expect(again.status).toBe(401);
    expect((await errorOf(again)).code).toBe("ticket_invalid");
    const late = (await (
      await api.post("/webchat/stream-ticket", {}, { authorization: `Bearer ${body.token}` })
    ).json()) as { ticket: string };
    api.advance(5001);
    expect((await api.stream(`ticket=${encodeURIComponent(late.ticket)}`)).status).toBe(401);
  });

  it("releases what a stream holds when it closes: its slot and its subscription", async () => {
    const api = await start({ maxStreams: 3, maxStreamsPerIdentity: 3 });
    const { body } = await api.session();
    const conversation = api.deps.conversations.get(body.conversationSid)!;
    for (let round = 0; round < 3; round += 1) {
      const controllers = [new AbortController(), new AbortController(), new AbortController()];
      for (const controller of controllers) {
        const opened = await fetch(
          `${api.url}/webchat/stream?ticket=${await api.ticketFor(body.token)}`,
          { signal: controller.signal },
        );
        expect(opened.status).toBe(200);
      }
      expect(conversation.listeners.size).toBe(3);
      for (const controller of controllers) controller.abort();
      await expect.poll(() => conversation.listeners.size).toBe(0);
      // The slots come back too: the next round opens three again.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it("caps open streams over all visitors", async () => {
    const api = await start({ maxStreams: 1 });
    const first = await api.session();
    const second = await api.session();
    const open = await api.streamAs(first.body.token);
    expect(open.status).toBe(200);
    const refused = await api.streamAs(second.body.token);
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe("too_many_streams");
  });

  it("rejects a body that is not a JSON object", async () => {
    const api = await start();
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ["{nope", {}, 400, "invalid_json"],
      ["[1,2]", {}, 400, "invalid_body"],
      ['{"token": 42}', {}, 400, "invalid_token_field"],
      ["{}", { "content-type": "text/plain" }, 415, "unsupported_media_type"],
    ];
    for (const [body, headers, status, code] of cases) {
      const response = await api.post("/webchat/session", body, headers);
      expect(response.status, body).toBe(status);
      expect((await errorOf(response)).code).toBe(code);
    }
  });
});

describe("POST /webchat/messages", () => {
  it("posts the visitor's text as their participant and answers 202", async () => {
    const api = await start();
    const { body } = await api.session();
    const response = await api.send(body.token, "  Where is my order?  ");
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      messageSid: `IM${"0".repeat(32)}`,
      index: 0,
    });
    expect(api.deps.sends).toEqual([
      {
        conversationSid: body.conversationSid,
        identity: body.identity,
        text: "Where is my order?",
      },
    ]);
  });

  it("refuses missing, malformed, forged and expired tokens with 401", async () => {
    const api = await start({ tokenTtlMs: 60_000 });
    const { body } = await api.session();
    const forged = createVisitorTokens({
      secret: "someone-elses-secret-0123456789abcdefghij",
    }).issue({ conversationSid: body.conversationSid }).token;
    const noConversation = createVisitorTokens({ secret }).issue().token;
    const cases: Array<[Record<string, string>, string]> = [
      [{}, "token_missing"],
      [{ authorization: body.token }, "token_malformed"],
      [{ authorization: "Bearer abc" }, "token_malformed"],
      [{ authorization: `Bearer ${forged}` }, "token_bad_signature"],
      [{ authorization: `Bearer ${noConversation}` }, "token_without_conversation"],
    ];
    for (const [headers, code] of cases) {
      const response = await api.post("/webchat/messages", { text: "hi" }, headers);
      expect(response.status, code).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await errorOf(response)).code).toBe(code);
    }
    api.advance(60_000);
    const expired = await api.send(body.token, "hi");
    expect(expired.status).toBe(401);
    expect((await errorOf(expired)).code).toBe("token_expired");
    expect(api.deps.sends).toEqual([]);
  });

  it("rejects oversized bodies (413), long, empty and odd text (400)", async () => {
    const api = await start({
      maxTextLength: 20,
      maxBodyBytes: 1024,
      messageRate: { capacity: 50, refillMs: 1000 },
    });
    const { body } = await api.session();
    const auth = { authorization: `Bearer ${body.token}` };

    const declared = await api.post("/webchat/messages", { text: "a".repeat(2000) }, auth);
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe("body_too_large");

    // Chunked, so the server only finds out while reading.
    const chunked = await postChunked(
      `${api.url}/webchat/messages`,
      ['{"text":"', "b".repeat(700), "c".repeat(700), '"}'],
      auth,
    );
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe("body_too_large");

    const cases: Array<[unknown, string]> = [
      ["x".repeat(21), "text_too_long"],
      ["   ", "empty_text"],
      [42, "invalid_text"],
      [undefined, "invalid_text"],
      ["bell\u0007", "invalid_text"],
    ];
    for (const [text, code] of cases) {
      const response = await api.send(body.token, text);
      expect(response.status, String(text)).toBe(400);
      expect((await errorOf(response)).code).toBe(code);
    }
    // Characters, not UTF-16 units: 20 emoji fit in a 20-character limit.
    expect((await api.send(body.token, "🙂".repeat(20))).status).toBe(202);
    expect(api.deps.sends.map((send) => send.text)).toEqual(["🙂".repeat(20)]);
  });

  it("answers a flood with 429 and Retry-After, per visitor", async () => {
    const api = await start({ messageRate: { capacity: 5, refillMs: 10_000 } });
    const flooder = await api.session();
    const neighbour = await api.session();
    for (let count = 0; count < 5; count += 1) {
      expect((await api.send(flooder.body.token, `message ${count}`)).status).toBe(202);
    }
    const refused = await api.send(flooder.body.token, "one too many");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect((await errorOf(refused)).code).toBe("rate_limited");
    // Another visitor is not slowed down by the flood.
    expect((await api.send(neighbour.body.token, "hello")).status).toBe(202);
    api.advance(2000);
    expect((await api.send(flooder.body.token, "later")).status).toBe(202);
    expect(api.deps.sends).toHaveLength(7);
  });

  it("answers 409 conversation_closed for a closed conversation", async () => {
    const api = await start();
    const { body } = await api.session();
    api.deps.close(body.conversationSid);
    const response = await api.send(body.token, "anyone there?");
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe("conversation_closed");
    expect(api.deps.sends).toEqual([]);
  });

  it("maps a conversation closed during the send (Twilio's refusal) to 409", async () => {
    const api = await start();
    const { body } = await api.session();
    const { WebchatConversationClosedError } = await import(
      "./webchat-conversation-closed-error.js"
    );
    api.deps.failNextSend = new WebchatConversationClosedError(body.conversationSid);
    const response = await api.send(body.token, "hello");
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe("conversation_closed");
  });

  it("hides unexpected failures behind a generic 500 and logs them", async () => {
    const api = await start();
    const { body } = await api.session();
    api.deps.failNextSend = new Error("Twilio said: secret details");
    const response = await api.send(body.token, "hello");
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe("internal_error");
    expect(error.message).not.toContain("secret");
    expect(api.errors).toHaveLength(1);
  });
});

describe("routing, methods and CORS", () => {
  it("serves the widget script and answers 405 for other methods", async () => {
    const api = await start();
    const script = await fetch(`${api.url}/webchat.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain("document.currentScript");
    const wrong = await api.post("/webchat.js", {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
  });

  it("serves the widget's source map next to it, named from the script", async () => {
    const api = await start();
    const script = await (await fetch(`${api.url}/webchat.js`)).text();
    expect(script).toMatch(/\/\/# sourceMappingURL=webchat\.js\.map\n$/);
    const map = await fetch(`${api.url}/webchat.js.map`);
    expect(map.status).toBe(200);
    expect(map.headers.get("access-control-allow-origin")).toBe("*");
    const sources = ((await map.json()) as { sources: string[] }).sources;
    expect(sources.some((source) => source.endsWith("webchat/client/webchat-element.ts"))).toBe(
      true,
    );
  });

  it("answers 405 with Allow for the wrong method and 404 for unknown paths", async () => {
    const api = await start();
    for (const [method, path, allow] of [
      ["GET", "/webchat/session", "POST"],
      ["PUT", "/webchat/messages", "POST"],
      ["POST", "/webchat/stream", "GET"],
    ] as const) {
      const response = await fetch(`${api.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get("allow")).toBe(allow);
      expect((await errorOf(response)).code).toBe("method_not_allowed");
    }
    const unknown = await fetch(`${api.url}/webchat/admin`);
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("not_found");
    // Paths outside /webchat are left to the next handler.
    const other = await fetch(`${api.url}/webchatty`);
    expect(await other.text()).toBe("not handled");
  });

  it("answers preflights and allows any origin by default, without cookies", async () => {
    const api = await start();
    const preflight = await fetch(`${api.url}/webchat/messages`, {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    const session = await api.post("/webchat/session", {}, { origin: "https://shop.example" });
    expect(session.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("enforces an origin allowlist when one is configured", async () => {
    const api = await start({ allowedOrigins: ["https://shop.example"] });
    const allowed = await api.post("/webchat/session", {}, { origin: "https://shop.example" });
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(allowed.headers.get("vary")).toBe("Origin");
    const refused = await api.post("/webchat/session", {}, { origin: "https://evil.example" });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe("origin_not_allowed");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(api.deps.conversations.size).toBe(1);
  });
});

describe("GET /webchat/stream", () => {
  it("sends state and history, then live typing and messages with index ids", async () => {
    const api = await start();
    const { body } = await api.session();
    await api.send(body.token, "Do you ship to Canada?");
    const response = await api.streamAs(body.token);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const initial = await readEvents(response, (events) => events.length >= 2);
    expect(initial).toEqual([
      { event: "state", data: { closed: false } },
      {
        event: "message",
        id: "0",
        data: expect.objectContaining({
          index: 0,
          role: "visitor",
          author: body.identity,
          body: "Do you ship to Canada?",
          media: [],
        }),
      },
    ]);
    api.deps.typing(body.conversationSid, true);
    api.deps.reply(body.conversationSid, "Yes, to all provinces.");
    api.deps.typing(body.conversationSid, false);
    api.deps.close(body.conversationSid);
    const live = await readEvents(response, (events) => events.length >= 4);
    expect(live.map((event) => [event.event, event.id, event.data])).toEqual([
      ["typing", undefined, { on: true }],
      ["message", "1", expect.objectContaining({ role: "agent", body: "Yes, to all provinces." })],
      ["typing", undefined, { on: false }],
      ["state", undefined, { closed: true }],
    ]);
  });

  it("resumes after `after` or Last-Event-ID without repeating messages", async () => {
    const api = await start();
    const { body } = await api.session();
    for (const text of ["one", "two", "three"]) api.deps.reply(body.conversationSid, text);

    const afterQuery = await api.streamAs(body.token, `&after=0`);
    const fromQuery = await readEvents(afterQuery, (events) => events.length >= 3);
    expect(fromQuery.filter((e) => e.event === "message").map((e) => e.id)).toEqual(["1", "2"]);

    // EventSource reconnects with the original URL plus Last-Event-ID; the later wins.
    const reconnect = await api.streamAs(body.token, `&after=0`, { "last-event-id": "1" });
    const fromHeader = await readEvents(reconnect, (events) => events.length >= 2);
    expect(fromHeader.filter((e) => e.event === "message").map((e) => e.id)).toEqual(["2"]);
    api.deps.reply(body.conversationSid, "four");
    const next = await readEvents(reconnect, (events) => events.length >= 1);
    expect(next.map((e) => e.id)).toEqual(["3"]);
  });

  it("never shows one visitor another visitor's conversation", async () => {
    const api = await start();
    const alice = await api.session();
    const bob = await api.session();
    api.deps.reply(alice.body.conversationSid, "Alice's secret order number");
    api.deps.reply(bob.body.conversationSid, "Bob's reply");
    const response = await api.streamAs(bob.body.token);
    const events = await readEvents(response, (received) => received.length >= 2);
    expect(events.map((event) => (event.data as { body?: string }).body)).toEqual([
      undefined,
      "Bob's reply",
    ]);
    api.deps.reply(alice.body.conversationSid, "Alice again");
    api.deps.reply(bob.body.conversationSid, "Bob again");
    const live = await readEvents(response, (received) => received.length >= 1);
    expect(live.map((event) => (event.data as { body?: string }).body)).toEqual(["Bob again"]);
  });

  it("refuses bad tokens and cursors, and limits open streams per visitor", async () => {
    const api = await start({ maxStreamsPerIdentity: 2 });
    const { body } = await api.session();
    const token = encodeURIComponent(body.token);
    expect((await api.stream("")).status).toBe(401);
    // The visitor token itself never opens a stream, in the URL or as a header.
    for (const refused of [
      await api.stream(`token=${token}`),
      await api.stream("", { authorization: `Bearer ${body.token}` }),
      await api.stream(`ticket=${token}`),
    ]) {
      expect(refused.status).toBe(401);
      expect((await errorOf(refused)).code).toMatch(/^ticket_(missing|invalid)$/);
    }
    for (const after of ["x", "-2", "1.5", "99999999999999999999"]) {
      const response = await api.streamAs(body.token, `&after=${after}`);
      expect(response.status, after).toBe(400);
      expect((await errorOf(response)).code).toBe("invalid_cursor");
    }
    const badHeader = await api.streamAs(body.token, "", { "last-event-id": "abc" });
    expect(badHeader.status).toBe(400);

    const first = await api.streamAs(body.token);
    const second = await api.streamAs(body.token);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await api.streamAs(body.token);
    expect(third.status).toBe(429);
    expect((await errorOf(third)).code).toBe("too_many_streams");
    expect(third.headers.get("retry-after")).not.toBeNull();
  });

  it("unsubscribes when the visitor goes away", async () => {
    const api = await start();
    const { body } = await api.session();
    const controller = new AbortController();
    const response = await fetch(
      `${api.url}/webchat/stream?ticket=${await api.ticketFor(body.token)}`,
      { signal: controller.signal },
    );
    await readEvents(response, (events) => events.length >= 1);
    expect(api.deps.listenerCount(body.conversationSid)).toBe(1);
    controller.abort();
    await expect.poll(() => api.deps.listenerCount(body.conversationSid)).toBe(0);
    // The slot is free again.
    const again = await api.streamAs(body.token);
    expect(again.status).toBe(200);
  });

  it("ends the stream when history cannot be loaded, and logs why", async () => {
    const api = await start();
    const { body } = await api.session();
    api.deps.failHistory = new Error("database down");
    const response = await api.streamAs(body.token);
    const events = await readEvents(response, () => false);
    expect(events).toEqual([]);
    expect(api.errors).toHaveLength(1);
    expect(api.deps.listenerCount(body.conversationSid)).toBe(0);
  });
});

describe("a conversation Twilio no longer has", () => {
  it("is replaced at the next session call, under the same identity", async () => {
    const api = await start();
    const first = await api.session();
    api.deps.forget(first.body.conversationSid);
    const next = await api.session(first.body.token);
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({ identity: first.body.identity, resumed: false });
    expect(next.body.conversationSid).not.toBe(first.body.conversationSid);
    expect((await api.send(next.body.token, "hello again")).status).toBe(202);
    expect(api.errors).toEqual([]);
  });

  it("answers 409 conversation_gone to a message and to a stream, not a 500", async () => {
    const api = await start();
    const { body } = await api.session();
    api.deps.forget(body.conversationSid);
    const sent = await api.send(body.token, "anyone there?");
    expect(sent.status).toBe(409);
    expect(await errorOf(sent)).toMatchObject({
      code: "conversation_gone",
      message: "This conversation no longer exists; start a new one.",
    });
    const stream = await api.streamAs(body.token);
    expect(stream.status).toBe(409);
    expect((await errorOf(stream)).code).toBe("conversation_gone");
    expect(api.deps.sends).toEqual([]);
    expect(api.errors).toEqual([]);
  });
});
