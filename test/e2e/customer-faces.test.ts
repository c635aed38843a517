// Over 400 lines on purpose: every customer-faces scenario shares one emulator harness and the
// same visitor and code helpers; each test reads as one story from the web chat to the console.
import { afterEach, describe, expect, it } from "vitest";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import { readClosedConversations } from "../../src/runtime/closed-conversations.js";
import { signVisitorIdentity } from "../../src/webchat/signed-identity.js";
import { eventually } from "../runtime/runtime-harness.js";
import { botMessages } from "../runtime/webhook-helpers.js";
import {
  type CustomerFacesHarness,
  consoleToken,
  identitySecret,
  startCustomerFacesHarness,
} from "./customer-faces-harness.js";

let harness: CustomerFacesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface Visitor {
  token: string;
  identity: string;
  conversationSid: string;
}

async function chatVisitor(h: CustomerFacesHarness, text: string): Promise<Visitor> {
  const session = await h.webchat("/webchat/session", {});
  expect(session.status).toBe(201);
  const visitor = session.body as unknown as Visitor;
  expect((await h.webchat("/webchat/messages", { text }, visitor.token)).status).toBe(202);
  await eventually(
    async () =>
      (await botMessages(h.emulator, visitor.conversationSid)).length >= 1 ? true : undefined,
    "the chat reply",
  );
  return visitor;
}

/** The code in the latest text the phone received. */
function codeOn(h: CustomerFacesHarness, address: string): Promise<string> {
  return eventually(() => {
    const texts = h.emulator.deviceMessages(address).map((message) => message.body ?? "");
    const match = /verification code is (\d{6})/.exec(texts.at(-1) ?? "");
    return match?.[1];
  }, `the code on ${address}`);
}

describe("customer faces over the emulator (issue 18)", () => {
  it("a visitor verifies their number with the code; their SMS turn remembers the chat and is answered by SMS only", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const visitor = await chatVisitor(h, "Do you rent e-bikes for a weekend?");
    const started = await h.webchat(
      "/webchat/verify",
      { phone: "+1 (555) 700-0101" },
      visitor.token,
    );
    expect(started.status).toBe(202);
    expect(started.body.channel).toBe("sms");
    const code = await codeOn(h, "+15557000101");
    // The code is nowhere in the challenge the widget holds.
    expect(String(started.body.challenge)).not.toContain(code);
    const confirmed = await h.webchat(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code },
      visitor.token,
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ verified: true, channel: "sms", number: "+1555***0101" });
    // Replaying the spent challenge does nothing more.
    const replay = await h.webchat(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code },
      visitor.token,
    );
    expect(replay.status).toBe(410);

    const chatCustomer = await h.switchboard.customers.byAddress({
      kind: "chat",
      value: visitor.identity,
    });
    expect(chatCustomer?.addresses.map((address) => [address.kind, address.source])).toEqual([
      ["chat", "first-contact"],
      ["sms", "verified"],
    ]);

    const phone = h.emulator.customer({ channel: "sms", address: "+15557000101" });
    await phone.send("is the e-bike still free?");
    const calls = await h.agent.waitForCalls(2);
    const smsTurn = calls[1]!;
    expect(smsTurn.conversation.customerId).toBe(chatCustomer!.customerId);
    expect(
      smsTurn.history
        .filter((message) => message.elsewhere?.channel === "chat")
        .map((message) => message.text),
    ).toEqual(["Do you rent e-bikes for a weekend?", "reply 1"]);
    // The code's text never reaches the agent, though it is in the SMS conversation.
    expect(JSON.stringify(smsTurn.history)).not.toContain(code);
    expect(smsTurn.history.map((message) => message.text)).toContain("[verification code sent]");
    await eventually(
      () =>
        h.emulator.deviceMessages("+15557000101").some((message) => message.body === "reply 2")
          ? true
          : undefined,
      "the SMS reply",
    );
    await h.emulator.idle();
    // The web chat got its one reply only: the SMS turn answered by SMS.
    expect(
      (await botMessages(h.emulator, visitor.conversationSid)).map((message) => message.body),
    ).toEqual(["reply 1"]);

    // The console: one customer with both channels, one merged transcript, masked numbers.
    const list = await h.console("/api/customers?search=7000101");
    expect(list.status).toBe(200);
    const rows = list.body.customers as { customerId: string; channels: string[] }[];
    expect(rows.map((row) => [row.customerId, row.channels])).toEqual([
      [chatCustomer!.customerId, ["chat", "sms"]],
    ]);
    const one = await h.console(`/api/customers/${chatCustomer!.customerId}`);
    expect(one.status).toBe(200);
    const shown = JSON.stringify(one.body);
    expect(shown).not.toContain("+15557000101");
    expect(shown).not.toContain(code);
    const messages = one.body.messages as { channel: string; body: string; at: number }[];
    expect(messages.map((message) => [message.channel, message.body])).toEqual([
      ["chat", "Do you rent e-bikes for a weekend?"],
      ["chat", "reply 1"],
      ["sms", "[verification code sent]"],
      ["sms", "is the e-bike still free?"],
      ["sms", "reply 2"],
    ]);
    expect(messages.map((message) => message.at)).toEqual(
      [...messages.map((message) => message.at)].sort((a, b) => a - b),
    );

    // Delete removes everything, audit-logged without the number.
    const deleted = await h.console(`/api/customers/${chatCustomer!.customerId}`, {
      method: "DELETE",
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted).toMatchObject({ addresses: 2, conversations: 2 });
    expect(await h.switchboard.customers.get(chatCustomer!.customerId)).toBeNull();
    expect(await h.switchboard.mailbox.conversation(visitor.conversationSid)).toBeNull();
    expect((await h.console("/api/customers?search=7000101")).body.customers).toEqual([]);
    expect(h.audit.join("\n")).toContain("operator deleted a customer");
    expect(h.audit.join("\n")).not.toContain("+15557000101");
  });

  it("a wrong or expired code links nothing; attempts are capped and requests rate-limited", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const visitor = await chatVisitor(h, "hello");
    const started = await h.webchat("/webchat/verify", { phone: "+15557000102" }, visitor.token);
    expect(started.status).toBe(202);
    const code = await codeOn(h, "+15557000102");
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const answer = await h.webchat(
        "/webchat/verify/confirm",
        { challenge: started.body.challenge, code: wrong },
        visitor.token,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe("wrong_code");
    }
    // Capped: even the right code no longer works.
    const capped = await h.webchat(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code },
      visitor.token,
    );
    expect(capped.status).toBe(410);

    // Expired: a fresh code, checked after its lifetime.
    const again = await h.webchat("/webchat/verify", { phone: "+15557000102" }, visitor.token);
    expect(again.status).toBe(202);
    const second = await codeOn(h, "+15557000102");
    h.skewMs = 11 * 60_000;
    const expired = await h.webchat(
      "/webchat/verify/confirm",
      { challenge: again.body.challenge, code: second },
      visitor.token,
    );
    expect(expired.status).toBe(410);
    h.skewMs = 0;
    expect(
      await h.switchboard.customers.byAddress({ kind: "sms", value: "+15557000102" }),
    ).toBeNull();

    // Per number: a third code to the same number within minutes is refused.
    const third = await h.webchat("/webchat/verify", { phone: "+15557000102" }, visitor.token);
    expect(third.status).toBe(202);
    const flood = await h.webchat("/webchat/verify", { phone: "+15557000102" }, visitor.token);
    expect(flood.status).toBe(429);
    expect(flood.headers.get("retry-after")).toMatch(/^\d+$/);
    // Per visitor: that visitor spent its three codes, another number is refused too.
    const other = await h.webchat("/webchat/verify", { phone: "+15557000109" }, visitor.token);
    expect(other.status).toBe(429);
  });

  it("a challenge is bound to its visitor: someone else's code cannot link their number to you", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    // The number's owner has a history on SMS.
    const owner = h.emulator.customer({ channel: "sms", address: "+15557000103" });
    await owner.send("my secret booking for Friday");
    await h.agent.waitForCalls(1);
    const intruder = await chatVisitor(h, "hi");
    // Typing someone's number links nothing: the code goes to the owner's phone.
    const started = await h.webchat("/webchat/verify", { phone: "+15557000103" }, intruder.token);
    expect(started.status).toBe(202);
    const intruderCustomer = await h.switchboard.customers.byAddress({
      kind: "chat",
      value: intruder.identity,
    });
    expect(intruderCustomer?.addresses.map((address) => address.kind)).toEqual(["chat"]);
    // Guessing fails; the intruder's next chat turn knows nothing of the owner.
    await h.webchat(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code: "000000" },
      intruder.token,
    );
    await h.webchat("/webchat/messages", { text: "what did I book?" }, intruder.token);
    const calls = await h.agent.waitForCalls(3);
    expect(JSON.stringify(calls[2]!.history)).not.toContain("secret booking");
    // A second visitor cannot use the first's challenge, even with the right code.
    const code = await codeOn(h, "+15557000103");
    const other = await chatVisitor(h, "hey");
    const stolen = await h.webchat(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code },
      other.token,
    );
    expect(stolen.status).toBe(400);
    expect(
      (await h.switchboard.customers.byAddress({ kind: "chat", value: other.identity }))?.addresses
        .length,
    ).toBe(1);
  });

  it("the number's owner proves it from the web chat: the two customers merge and the chat remembers the SMS", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const phone = h.emulator.customer({ channel: "sms", address: "+15557000111" });
    await phone.send("I booked the blue e-bike for Saturday");
    await h.agent.waitForCalls(1);
    const smsCustomer = await h.switchboard.customers.byAddress({
      kind: "sms",
      value: "+15557000111",
    });
    const visitor = await chatVisitor(h, "hello again");
    const started = await h.webchat("/webchat/verify", { phone: "+15557000111" }, visitor.token);
    const code = await codeOn(h, "+15557000111");
    const confirmed = await h.webchat(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code },
      visitor.token,
    );
    expect(confirmed.status).toBe(200);
    const merged = await h.switchboard.customers.byAddress({
      kind: "chat",
      value: visitor.identity,
    });
    // One customer now: the phone's record took the chat in (or the other way round).
    expect(merged?.addresses.map((address) => address.kind).sort()).toEqual(["chat", "sms"]);
    expect(
      (await h.switchboard.customers.byAddress({ kind: "sms", value: "+15557000111" }))?.customerId,
    ).toBe(merged?.customerId);
    expect(smsCustomer).not.toBeNull();
    await h.webchat("/webchat/messages", { text: "which bike was it?" }, visitor.token);
    const calls = await h.agent.waitForCalls(3);
    const turn = calls.find((call) => call.turn.text === "which bike was it?");
    expect(turn?.history.map((message) => message.text)).toContain(
      "I booked the blue e-bike for Saturday",
    );
  });

  it("a number whose conversation was closed gets its code in a new conversation", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const phone = h.emulator.customer({ channel: "sms", address: "+15557000112" });
    const first = await phone.send("hello");
    await h.agent.waitForCalls(1);
    await h.emulator
      .twilioClient()
      .conversations.v1.services(h.emulator.serviceSid)
      .conversations(first.conversationSid)
      .update({ state: "closed" });
    // The runtime learns of the closing by webhook.
    await eventually(
      async () =>
        (await readClosedConversations(h.switchboard.mailbox)).has(first.conversationSid)
          ? true
          : undefined,
      "the closing",
    );
    const visitor = await chatVisitor(h, "hi");
    const started = await h.webchat("/webchat/verify", { phone: "+15557000112" }, visitor.token);
    expect(started.status).toBe(202);
    const code = await codeOn(h, "+15557000112");
    expect(code).toMatch(/^\d{6}$/);
  });

  it("a code by WhatsApp goes in the approved template and links the WhatsApp address", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const visitor = await chatVisitor(h, "hi");
    const started = await h.webchat(
      "/webchat/verify",
      { phone: "+15557000113", channel: "whatsapp" },
      visitor.token,
    );
    expect(started.body.channel).toBe("whatsapp");
    const code = await codeOn(h, "whatsapp:+15557000113");
    const confirmed = await h.webchat(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code },
      visitor.token,
    );
    expect(confirmed.body).toEqual({
      verified: true,
      channel: "whatsapp",
      number: "whatsapp:+1555***0113",
    });
    expect(
      (
        await h.switchboard.customers.byAddress({ kind: "chat", value: visitor.identity })
      )?.addresses.map((address) => [address.kind, address.source]),
    ).toEqual([
      ["chat", "first-contact"],
      ["whatsapp", "verified"],
    ]);
  });

  it("refuses codes to countries not allowed, before any text", async () => {
    harness = await startCustomerFacesHarness({ verification: { countries: ["1"] } });
    const h = harness;
    const visitor = await chatVisitor(h, "hi");
    const refused = await h.webchat("/webchat/verify", { phone: "+447700900123" }, visitor.token);
    expect([refused.status, refused.body.error?.code]).toEqual([400, "country_not_allowed"]);
    await h.emulator.idle();
    expect(h.emulator.deviceMessages("+447700900123")).toEqual([]);
    expect(
      (await h.webchat("/webchat/verify", { phone: "+15557000114" }, visitor.token)).status,
    ).toBe(202);
  });

  it("never sends a code to an opted-out number", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const phone = h.emulator.customer({ channel: "sms", address: "+15557000104" });
    await phone.send("STOP");
    await eventually(
      async () =>
        (await h.switchboard.mailbox.consent("+15557000104"))?.state === "opted-out"
          ? true
          : undefined,
      "the opt-out",
    );
    const before = h.emulator.deviceMessages("+15557000104").length;
    const visitor = await chatVisitor(h, "hi");
    const refused = await h.webchat("/webchat/verify", { phone: "+15557000104" }, visitor.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe("opted_out");
    await h.emulator.idle();
    expect(h.emulator.deviceMessages("+15557000104").length).toBe(before);
  });

  it("refuses malformed, oversized, forged and unauthenticated verification input", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const visitor = await chatVisitor(h, "hi");
    const cases: [string, unknown, string | undefined, number, string][] = [
      ["/webchat/verify", { phone: "+15557000105" }, undefined, 401, "token_missing"],
      ["/webchat/verify", { phone: "+15557000105" }, "forged.token", 401, "token_bad_signature"],
      ["/webchat/verify", { phone: "555-0100" }, visitor.token, 400, "invalid_phone"],
      ["/webchat/verify", { phone: 15557000105 }, visitor.token, 400, "invalid_phone"],
      ["/webchat/verify", { phone: "+1".padEnd(60, "5") }, visitor.token, 400, "invalid_phone"],
      [
        "/webchat/verify",
        { phone: "+15557000105", channel: "fax" },
        visitor.token,
        400,
        "invalid_channel",
      ],
      ["/webchat/verify", "[1,2]", visitor.token, 400, "invalid_body"],
      [
        "/webchat/verify/confirm",
        { challenge: "x.y", code: "12" },
        visitor.token,
        400,
        "invalid_code",
      ],
      [
        "/webchat/verify/confirm",
        { challenge: "a".repeat(600), code: "123456" },
        visitor.token,
        400,
        "invalid_challenge",
      ],
      [
        "/webchat/verify/confirm",
        { challenge: "not-a-challenge", code: "123456" },
        visitor.token,
        400,
        "invalid_challenge",
      ],
    ];
    for (const [path, body, token, status, code] of cases) {
      const answer = await h.webchat(path, body, token);
      expect([path, JSON.stringify(body).slice(0, 40), answer.status]).toEqual([
        path,
        JSON.stringify(body).slice(0, 40),
        status,
      ]);
      if (code !== "invalid_body") expect(answer.body.error?.code).toBe(code);
    }
    // A forged challenge (claims rewritten to another visitor and number, old signature).
    const started = await h.webchat("/webchat/verify", { phone: "+15557000105" }, visitor.token);
    const [payload, signature] = String(started.body.challenge).split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    claims.phone = "+15557000199";
    const forged = `${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const code = await codeOn(h, "+15557000105");
    const answer = await h.webchat(
      "/webchat/verify/confirm",
      { challenge: forged, code },
      visitor.token,
    );
    expect(answer.status).toBe(400);
    expect(
      await h.switchboard.customers.byAddress({ kind: "sms", value: "+15557000199" }),
    ).toBeNull();
    // Oversized body.
    const big = await h.webchat("/webchat/verify", { phone: "x".repeat(10_000) }, visitor.token);
    expect(big.status).toBe(413);
  });

  it("continue elsewhere: WhatsApp link when configured, SMS only to a verified number", async () => {
    harness = await startCustomerFacesHarness({ whatsappNumber: "+14155238886" });
    const h = harness;
    const visitor = await chatVisitor(h, "I'd like to book");
    const get = async () => {
      const response = await fetch(`${h.server.url}/webchat/continue`, {
        headers: { authorization: `Bearer ${visitor.token}` },
      });
      return (await response.json()) as {
        reference: string;
        whatsapp: { url: string } | null;
        sms: { number: string } | null;
      };
    };
    const before = await get();
    expect(before.whatsapp?.url).toMatch(/^https:\/\/wa\.me\/14155238886\?text=.*WC-/);
    expect(before.sms).toBeNull();
    const unverified = await h.webchat("/webchat/continue/sms", {}, visitor.token);
    expect(unverified.status).toBe(409);
    expect(unverified.body.error?.code).toBe("not_verified");

    const started = await h.webchat("/webchat/verify", { phone: "+15557000106" }, visitor.token);
    const code = await codeOn(h, "+15557000106");
    await h.webchat(
      "/webchat/verify/confirm",
      { challenge: started.body.challenge, code },
      visitor.token,
    );
    expect((await get()).sms).toEqual({ number: "+1555***0106" });
    const sent = await h.webchat("/webchat/continue/sms", {}, visitor.token);
    expect(sent.status).toBe(202);
    await eventually(
      () =>
        h.emulator
          .deviceMessages("+15557000106")
          .some((message) => message.body?.includes(before.reference))
          ? true
          : undefined,
      "the continue text",
    );
    await h.webchat("/webchat/continue/sms", {}, visitor.token);
    expect((await h.webchat("/webchat/continue/sms", {}, visitor.token)).status).toBe(429);
  });

  it("console customer routes: search, unlink with audit, refusals", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const sms = h.emulator.customer({ channel: "sms", address: "+15557000107" });
    const whatsapp = h.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000107",
    });
    await sms.send("hello by sms");
    await h.agent.waitForCalls(1);
    await whatsapp.send("hello by whatsapp");
    await h.agent.waitForCalls(2);
    const list = await h.console("/api/customers");
    const rows = list.body.customers as {
      customerId: string;
      channels: string[];
      addresses: { kind: string; address: string }[];
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.channels).toEqual(["sms", "whatsapp"]);
    expect(rows[0]!.addresses.map((address) => address.address)).toEqual([
      "+1555***0107",
      "whatsapp:+1555***0107",
    ]);
    const id = rows[0]!.customerId;
    const unlinked = await h.console(`/api/customers/${id}/unlink`, {
      method: "POST",
      body: { kind: "whatsapp", address: "whatsapp:+1555***0107" },
    });
    expect(unlinked.status).toBe(200);
    expect((await h.console("/api/customers")).body.customers).toHaveLength(2);
    expect(h.audit.join("\n")).toContain("operator unlinked a customer address");
    expect(h.audit.join("\n")).not.toContain("+15557000107");

    const refusals: [string, { method?: string; body?: unknown }, number][] = [
      [`/api/customers?search=${"a".repeat(101)}`, {}, 400],
      ["/api/customers?limit=0", {}, 400],
      ["/api/customers?limit=99999", {}, 400],
      ["/api/customers/cu_nothex", {}, 400],
      [`/api/customers/cu_${"0".repeat(32)}`, {}, 404],
      [`/api/customers/cu_${"0".repeat(32)}`, { method: "DELETE" }, 404],
      [`/api/customers/${id}/unlink`, { method: "POST", body: { kind: "sms" } }, 400],
      [
        `/api/customers/${id}/unlink`,
        { method: "POST", body: { kind: "sms", address: "+1" } },
        404,
      ],
      [`/api/customers/${id}`, { method: "PUT" }, 405],
    ];
    for (const [path, init, status] of refusals) {
      expect([path.slice(0, 60), (await h.console(path, init)).status]).toEqual([
        path.slice(0, 60),
        status,
      ]);
    }
    // Oversized: an unlink body past the console's limit is refused before it is read.
    const oversized = await h.console(`/api/customers/${id}/unlink`, {
      method: "POST",
      body: { kind: "sms", address: "x".repeat(20_000) },
    });
    expect(oversized.status).toBe(413);
    // Forged: a page of another origin may not delete (the console refuses cross-site writes).
    const crossSite = await fetch(`${h.server.url}/api/customers/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${consoleToken}`, origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    // Without the console token: 401, nothing deleted.
    const anonymous = await fetch(`${h.server.url}/api/customers/${id}`, { method: "DELETE" });
    expect(anonymous.status).toBe(401);
    expect(await h.switchboard.customers.get(id)).not.toBeNull();
    // A flood of wrong tokens is throttled before any token is compared.
    const guesses: number[] = [];
    for (let count = 0; count < 12; count += 1)
      guesses.push(
        (
          await fetch(`${h.server.url}/api/customers`, {
            headers: { authorization: `Bearer wrong-token-${count}-xxxxxxxxxxxxxxx` },
          })
        ).status,
      );
    expect(guesses).toContain(429);
    expect(guesses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
  });

  it("signed identity: the application vouches for a visitor; forged, expired and replayed signatures are refused", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    // The application's user already has a customer with a phone (linked by its login).
    const phone = h.emulator.customer({ channel: "sms", address: "+15557000108" });
    await phone.send("booked the cargo bike");
    await h.agent.waitForCalls(1);
    await h.switchboard.customers.link(
      { kind: "sms", value: "+15557000108" },
      { kind: "app", value: "user-42" },
      { source: "application" },
    );
    const visitor = await chatVisitor(h, "hi");
    const signed = signVisitorIdentity(identitySecret, "user-42");
    const forgedSecret = signVisitorIdentity("another-secret-of-enough-length-000000", "user-42");
    const [payload, signature] = signed.split(".");
    const rewritten = `${Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, "base64url").toString()),
        id: "user-1",
      }),
    ).toString("base64url")}.${signature}`;
    const expired = signVisitorIdentity(identitySecret, "user-42", {
      now: () => Date.now() - 10 * 60_000,
    });
    const tooLong = signVisitorIdentity(identitySecret, "user-42", { ttlMs: 24 * 60 * 60_000 });
    for (const [identity, code] of [
      [forgedSecret, "identity_invalid"],
      [rewritten, "identity_invalid"],
      [expired, "identity_expired"],
      [tooLong, "identity_expired"],
      ["x".repeat(2000), "identity_invalid"],
      [42, "identity_invalid"],
    ] as const) {
      const answer = await h.webchat("/webchat/identify", { identity }, visitor.token);
      expect([answer.status, answer.body.error?.code]).toEqual([401, code]);
    }
    expect(
      (await h.switchboard.customers.byAddress({ kind: "chat", value: visitor.identity }))
        ?.addresses.length,
    ).toBe(1);
    expect((await h.webchat("/webchat/identify", { identity: signed })).status).toBe(401);
    const ok = await h.webchat("/webchat/identify", { identity: signed }, visitor.token);
    expect(ok.status).toBe(200);
    const customer = await h.switchboard.customers.byAddress({ kind: "app", value: "user-42" });
    expect(customer?.addresses.map((address) => address.kind).sort()).toEqual([
      "app",
      "chat",
      "sms",
    ]);
    // Replayed (another visitor copied the page's signed identity): refused, nothing linked.
    const other = await chatVisitor(h, "hello");
    const replay = await h.webchat("/webchat/identify", { identity: signed }, other.token);
    expect([replay.status, replay.body.error?.code]).toEqual([401, "identity_replayed"]);
    // The vouched visitor's next turn remembers the SMS.
    await h.webchat("/webchat/messages", { text: "which bike did I book?" }, visitor.token);
    const calls = await h.agent.waitForCalls(4);
    const turn = calls.find((call) => call.turn.text === "which bike did I book?");
    expect(turn?.history.some((message) => message.text === "booked the cargo bike")).toBe(true);
  });

  it("floods of code checks, identity checks and continue calls are refused with 429; wrong methods and missing tokens too", async () => {
    harness = await startCustomerFacesHarness();
    const h = harness;
    const visitor = await chatVisitor(h, "hi");
    const started = await h.webchat("/webchat/verify", { phone: "+15557000110" }, visitor.token);
    // Ten checks per visitor per ten minutes, across challenges: the eleventh is refused.
    const statuses: number[] = [];
    for (let count = 0; count < 11; count += 1) {
      statuses.push(
        (
          await h.webchat(
            "/webchat/verify/confirm",
            { challenge: started.body.challenge, code: "000000" },
            visitor.token,
          )
        ).status,
      );
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    const identifies: number[] = [];
    for (let count = 0; count < 11; count += 1)
      identifies.push(
        (await h.webchat("/webchat/identify", { identity: "a.b" }, visitor.token)).status,
      );
    expect(identifies.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(identifies[10]).toBe(429);
    // Methods and tokens on every new route.
    for (const path of ["/webchat/verify", "/webchat/verify/confirm", "/webchat/identify"]) {
      const wrong = await fetch(`${h.server.url}${path}`, {
        headers: { authorization: `Bearer ${visitor.token}` },
      });
      expect([path, wrong.status]).toEqual([path, 405]);
    }
    expect((await h.webchat("/webchat/continue", {}, visitor.token)).status).toBe(405);
    const reads: number[] = [];
    for (let count = 0; count < 21; count += 1)
      reads.push(
        (
          await fetch(`${h.server.url}/webchat/continue`, {
            headers: { authorization: `Bearer ${visitor.token}` },
          })
        ).status,
      );
    expect(reads.slice(0, 20).every((status) => status === 200)).toBe(true);
    expect(reads[20]).toBe(429);
    expect((await fetch(`${h.server.url}/webchat/continue`)).status).toBe(401);
    expect((await h.webchat("/webchat/continue/sms", {})).status).toBe(401);
    expect((await h.webchat("/webchat/continue/sms", {}, "x.y")).status).toBe(401);
  });
});

describeWithPostgres("customer faces on PostgreSQL, across instances", (url) => {
  it("a code asked on one instance is checked on another; the SMS turn remembers the chat; delete erases it", async () => {
    const schema = testSchemaName();
    try {
      harness = await startCustomerFacesHarness({ postgres: { url, schema } });
      const h = harness;
      const visitor = await chatVisitor(h, "Do you have cargo bikes?");
      const started = await h.webchat("/webchat/verify", { phone: "+15557000401" }, visitor.token);
      expect(started.status).toBe(202);
      const code = await codeOn(h, "+15557000401");
      // The other face never saw this challenge: the challenge itself carries what it checks.
      const wrong = await h.webchatElsewhere(
        "/webchat/verify/confirm",
        { challenge: started.body.challenge, code: code === "000000" ? "111111" : "000000" },
        visitor.token,
      );
      expect(wrong.status).toBe(400);
      const confirmed = await h.webchatElsewhere(
        "/webchat/verify/confirm",
        { challenge: started.body.challenge, code },
        visitor.token,
      );
      expect(confirmed.status).toBe(200);
      const phone = h.emulator.customer({ channel: "sms", address: "+15557000401" });
      await phone.send("still have one?");
      const calls = await h.agent.waitForCalls(2);
      expect(
        calls[1]!.history
          .filter((message) => message.elsewhere?.channel === "chat")
          .map((message) => message.text),
      ).toEqual(["Do you have cargo bikes?", "reply 1"]);
      const rows = (await h.console("/api/customers?search=7000401")).body.customers as {
        customerId: string;
        channels: string[];
      }[];
      expect(rows.map((row) => row.channels)).toEqual([["chat", "sms"]]);
      const deleted = await h.console(`/api/customers/${rows[0]!.customerId}`, {
        method: "DELETE",
      });
      expect(deleted.status).toBe(200);
      expect(await h.switchboard.customers.get(rows[0]!.customerId)).toBeNull();
      expect(await h.switchboard.mailbox.conversation(visitor.conversationSid)).toBeNull();
    } finally {
      await harness?.close();
      harness = undefined;
      await dropTestSchema(url, schema);
    }
  }, 30_000);
});
