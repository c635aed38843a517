import { describe, expect, it } from "vitest";
import {
  createVisitorSession,
  offlineText,
  SessionError,
  type TokenStore,
} from "./visitor-session.js";
import { createWidgetCall } from "./widget-api.js";

const origin = "http://switchboard.test";

function memoryStore(initial: string | null): TokenStore & { value: string | null } {
  return {
    value: initial,
    load() {
      return this.value;
    },
    save(token) {
      this.value = token;
    },
  };
}

/** A fake server answering `/webchat/session` from a list of replies, recording bodies. */
function server(replies: Array<() => Response>) {
  const bodies: unknown[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    expect(String(input)).toBe(`${origin}/webchat/session`);
    expect(init?.credentials).toBe("omit");
    bodies.push(JSON.parse(String(init?.body)));
    const reply = replies.shift();
    if (!reply) throw new Error("no more replies");
    return reply();
  }) as typeof fetch;
  return { call: createWidgetCall(origin, fetcher), bodies };
}

const answer =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers });
const session = (token: string, resumed: boolean) => ({
  token,
  identity: "visitor-1",
  conversationSid: `CH${"b".repeat(32)}`,
  resumed,
});

describe("the visitor session (token gate)", () => {
  it("resumes the stored token's conversation and keeps the renewed token", async () => {
    const store = memoryStore("old-token");
    const { call, bodies } = server([answer(200, session("renewed", true))]);
    let cleared = 0;
    const visitor = createVisitorSession({ call, store, onNewConversation: () => (cleared += 1) });
    await visitor.renew();
    expect(bodies).toEqual([{ token: "old-token" }]);
    expect(store.value).toBe("renewed");
    expect(visitor.token()).toBe("renewed");
    expect(cleared).toBe(0);
  });

  it("starts over as a new visitor when the stored token is refused, clearing the log", async () => {
    const store = memoryStore("forged");
    const { call, bodies } = server([
      answer(401, { error: { code: "token_invalid", message: "bad" } }),
      answer(201, session("fresh", false)),
    ]);
    let cleared = 0;
    const visitor = createVisitorSession({ call, store, onNewConversation: () => (cleared += 1) });
    await visitor.renew();
    expect(bodies).toEqual([{ token: "forged" }, {}]);
    expect(store.value).toBe("fresh");
    expect(cleared).toBe(1);
  });

  it("shares one request between concurrent callers", async () => {
    const { call, bodies } = server([answer(201, session("one", false))]);
    const visitor = createVisitorSession({
      call,
      store: memoryStore(null),
      onNewConversation() {},
    });
    const [first, second] = await Promise.all([visitor.renew(), visitor.renew()]);
    expect(first).toBe(second);
    expect(bodies).toHaveLength(1);
  });

  it("reports the server's reason and its Retry-After, or that the visitor is offline", async () => {
    const { call } = server([
      answer(
        429,
        { error: { code: "rate_limited", message: "Too many new conversations." } },
        {
          "retry-after": "12",
        },
      ),
    ]);
    const visitor = createVisitorSession({
      call,
      store: memoryStore(null),
      onNewConversation() {},
    });
    const error = await visitor.renew().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ message: "Too many new conversations.", retryAfter: 12 });

    const offline = createVisitorSession({
      call: createWidgetCall(origin, (async () => {
        throw new TypeError("Failed to fetch");
      }) as typeof fetch),
      store: memoryStore("kept"),
      onNewConversation() {},
    });
    await expect(offline.renew()).rejects.toThrow(offlineText);
    expect(offline.token()).toBe("kept");
  });
});
