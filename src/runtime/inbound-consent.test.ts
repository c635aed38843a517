import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InboundMessage, MailboxStore } from "../mailbox/mailbox-store.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import { silentLogger } from "../twilio/logger.js";
import { resolveConsentPolicy } from "./consent-policy.js";
import {
  applyInboundConsent,
  consentReplyAttribute,
  consentSilencesTurn,
} from "./inbound-consent.js";
import { consentRefusal, consentRefusalPrefix } from "./outbound-consent.js";
import { SwitchboardEvents } from "./switchboard-events.js";

let mailbox: MailboxStore;
let events: SwitchboardEvents;
let changes: unknown[];
beforeEach(() => {
  mailbox = sqliteMailbox({ path: ":memory:" });
  events = new SwitchboardEvents();
  changes = [];
  events.on("consent.changed", (event) => changes.push(event));
});
afterEach(async () => {
  await mailbox.close();
});

const address = "+15550108001";
const message = (body: string, overrides: Partial<InboundMessage> = {}): InboundMessage => ({
  conversationSid: `CH${"1".repeat(32)}`,
  messageSid: `IM${String(body.length).padStart(32, "0")}`,
  index: 0,
  author: address,
  body,
  media: [],
  attributes: {},
  channel: "sms",
  source: "SMS",
  dateCreated: 1,
  receivedAt: 1,
  role: "customer",
  customerAddress: address,
  ...overrides,
});
const settings = (helpText?: string) => ({
  mailbox,
  events,
  logger: silentLogger,
  policy: resolveConsentPolicy(
    helpText === undefined ? {} : { helpAnsweredBy: "switchboard", helpText },
  ),
});

describe("applyInboundConsent", () => {
  it("STOP opts the address out and is marked; later messages are marked opted-out", async () => {
    const stop = await applyInboundConsent(message("Stop"), settings());
    expect(stop.inbound.consentMark).toBe("keyword");
    expect(await mailbox.consent(address)).toMatchObject({
      state: "opted-out",
      reason: "keyword",
      detail: "Stop",
    });
    expect(changes).toHaveLength(1);
    const next = await applyInboundConsent(message("Where is my order?"), settings());
    expect(next.inbound.consentMark).toBe("opted-out");
    // A second STOP changes nothing and reports nothing.
    await applyInboundConsent(message("STOP"), settings());
    expect(changes).toHaveLength(1);
  });

  it("an opt-in word is an answer unless the customer opted out", async () => {
    expect((await applyInboundConsent(message("Yes"), settings())).inbound.consentMark).toBe(
      undefined,
    );
    expect(await mailbox.consent(address)).toBeNull();
    await applyInboundConsent(message("STOP"), settings());
    expect((await applyInboundConsent(message("yes"), settings())).inbound.consentMark).toBe(
      "keyword",
    );
    expect((await mailbox.consent(address))?.state).toBe("opted-in");
  });

  it("HELP never reaches the agent; switchboard owes the help text only when configured", async () => {
    const twilioAnswers = await applyInboundConsent(message("HELP"), settings());
    expect(twilioAnswers).toMatchObject({ inbound: { consentMark: "keyword" }, answerHelp: false });
    const weAnswer = await applyInboundConsent(message("info"), settings("Acme support."));
    expect(weAnswer.answerHelp).toBe(true);
  });

  it("leaves web chat, operators and bots alone", async () => {
    for (const other of [
      message("STOP", { channel: "chat", customerAddress: "visitor-1" }),
      message("STOP", { role: "human" }),
    ])
      expect((await applyInboundConsent(other, settings())).inbound.consentMark).toBeUndefined();
    expect(await mailbox.consent(address)).toBeNull();
  });
});

describe("consentSilencesTurn", () => {
  it("applies a keyword that reached the mailbox without the webhook (catch-up)", async () => {
    expect(await consentSilencesTurn([message("STOP")], settings())).toBe(true);
    expect((await mailbox.consent(address))?.state).toBe("opted-out");
    expect(await consentSilencesTurn([message("hello?")], settings())).toBe(true);
  });

  it("answers a turn with one ordinary message from someone who may be messaged", async () => {
    expect(
      await consentSilencesTurn(
        [message("STOP", { consentMark: "keyword" }), message("a question")],
        settings(),
      ),
    ).toBe(false);
  });
});

describe("consentRefusal", () => {
  it("refuses sends to an opted-out address, except the help text", async () => {
    const item = { to: address, channel: "sms" as const, attributes: {} };
    expect(await consentRefusal(mailbox, item)).toBeUndefined();
    await mailbox.setConsent({ address, state: "opted-out", reason: "twilio-21610" });
    expect(await consentRefusal(mailbox, item)).toMatch(
      new RegExp(`^${consentRefusalPrefix} .*21610`),
    );
    expect(
      await consentRefusal(mailbox, { ...item, attributes: { [consentReplyAttribute]: "help" } }),
    ).toBeUndefined();
    expect(await consentRefusal(mailbox, { ...item, channel: "chat" })).toBeUndefined();
  });
});
