import { afterEach, describe, expect, it } from "vitest";
import type { Choices, QuickReplies } from "../../src/channel/choices.js";
import type { Emulator } from "../../src/emulator/index.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const day = 24 * 60 * 60 * 1000;

const menu: QuickReplies = {
  type: "quick-replies",
  body: "What do you need?",
  options: [
    { id: "repair", title: "Repairs" },
    { id: "rental", title: "Rentals" },
  ],
};

/**
 * WhatsApp's review, played by the emulator in manual mode: only templates approved here go
 * out of the 24-hour window; the quick replies switchboard makes on the fly never are.
 */
function approved(emulator: Emulator, input: Parameters<Emulator["content"]["create"]>[1]) {
  const template = emulator.content.create(emulator.accountSid, input);
  emulator.content.requestApproval(template.sid, emulator.accountSid, {
    name: input.friendly_name ?? "template",
    category: "UTILITY",
  });
  emulator.content.decideApproval(template.sid, "approved");
  return template.sid;
}

/** An approved quick-reply template for the menu, a general follow-up, and the config naming them. */
function withTemplates(emulator: Emulator) {
  const menuSid = approved(emulator, {
    friendly_name: "service_menu",
    language: "en",
    variables: { "1": "there", "2": "How can we help?" },
    types: {
      "twilio/quick-reply": {
        body: "Hi {{1}}. {{2}}",
        actions: menu.options.map((option) => ({ title: option.title, id: option.id })),
      },
    },
  });
  const followUpSid = approved(emulator, {
    friendly_name: "follow_up",
    language: "en",
    variables: {},
    types: { "twilio/text": { body: "We have an answer for you. Reply to continue." } },
  });
  return {
    channels: {
      whatsapp: {
        template: { contentSid: followUpSid },
        choiceTemplates: [
          {
            name: "service-menu",
            contentSid: menuSid,
            variables: { "1": "Ada" },
            textVariable: "2",
          },
          {
            choiceIds: ["repair", "rental"],
            contentSid: menuSid,
            variables: { "1": "Ada", "2": "Pick one:" },
          },
        ],
      },
    },
  };
}

describe("approved templates for choices outside the WhatsApp window (issue 16)", () => {
  it("sends the named approved template with the reply's text; a tap comes back as the choice", async () => {
    const agent = recordingAgent({
      respond: (turn) =>
        turn.messages[0]?.choice === undefined
          ? { text: "What do you need today?", choices: { ...menu, template: "service-menu" } }
          : { skip: true },
    });
    harness = await startHarness({
      agent,
      emulator: { contentApproval: "manual" },
      // The service's clock is a day ahead of the customer's last message.
      switchboard: { clock: () => Date.now() + day + 60_000 },
      configure: withTemplates,
    });
    const templates: string[] = [];
    harness.switchboard.events.on("whatsapp.template", (event) => templates.push(event.reason));
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554200001",
    });
    const { conversationSid } = await customer.send("hello again");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the template");
    const [shown] = customer.messages();
    expect(shown!.body).toBe("Hi Ada. What do you need today?");
    expect(shown!.buttons).toEqual(menu.options.map(({ id, title }) => ({ id, title })));
    expect(templates).toEqual(["window-closed"]);
    const sent = await botMessages(harness.emulator, conversationSid);
    expect(sent.map((message) => message.attributes.switchboardTemplateReason)).toEqual([
      "window-closed",
    ]);

    await customer.send("Rentals");
    const calls = await agent.waitForCalls(2);
    expect(calls[1]!.turn.messages[0]!.choice).toEqual({ id: "rental", title: "Rentals" });
  });

  it("picks the template whose choice ids match when the reply names none", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: () => ({ text: "What do you need?", choices: menu }) }),
      emulator: { contentApproval: "manual" },
      switchboard: { clock: () => Date.now() + day + 60_000 },
      configure: withTemplates,
    });
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554200002",
    });
    await customer.send("hello");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the template");
    expect(customer.messages()[0]!.body).toBe("Hi Ada. Pick one:");
    expect(customer.messages()[0]!.buttons).toHaveLength(2);
  });

  it("falls back to the general template when no approved template fits the choices", async () => {
    const other: Choices = {
      ...menu,
      options: [
        { id: "yes", title: "Yes" },
        { id: "no", title: "No" },
      ],
    };
    harness = await startHarness({
      agent: recordingAgent({ respond: () => ({ text: "Still need help?", choices: other }) }),
      emulator: { contentApproval: "manual" },
      switchboard: { clock: () => Date.now() + day + 60_000 },
      configure: withTemplates,
    });
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554200003",
    });
    await customer.send("hello");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the template");
    await harness.emulator.idle();
    expect(customer.messages().map((message) => message.body)).toEqual([
      "We have an answer for you. Reply to continue.",
    ]);
  });

  it("after a 63016 failure of session quick replies, queues the approved template for them", async () => {
    const agent = recordingAgent({
      respond: () => ({ text: "What do you need?", choices: menu }),
      held: true,
    });
    harness = await startHarness({
      agent,
      emulator: { contentApproval: "manual" },
      configure: withTemplates,
    });
    const fallbacks: string[] = [];
    harness.switchboard.events.on("whatsapp.template", (event) => fallbacks.push(event.reason));
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554200004",
    });
    const { conversationSid } = await customer.send("hello");
    await agent.waitForCalls(1);
    // The answer takes longer than the window has left: the emulator refuses the unapproved
    // session quick replies with 63016, as Twilio does.
    harness.emulator.clock.advance(day + 1000);
    agent.release();
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the template");
    await harness.emulator.idle();
    expect(customer.messages().map((message) => message.body)).toEqual(["Hi Ada. Pick one:"]);
    expect(fallbacks).toEqual(["63016"]);
    const sent = await botMessages(harness.emulator, conversationSid);
    expect(sent.map((message) => message.attributes.switchboardTemplateReason ?? null)).toEqual([
      null,
      "63016",
    ]);
  });
});
