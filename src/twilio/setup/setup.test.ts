import twilio from "twilio";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../emulator/webhooks/start-webhook-receiver.js";
import { ConfigError } from "../../errors.js";
import { InvalidAddressError, InvalidCredentialsError, ServiceNotFoundError } from "../errors.js";
import { applySetup } from "./apply-setup.js";
import { formatSetupPlan } from "./format-setup-plan.js";
import { planSetup } from "./plan-setup.js";
import { defaultPostEventFilters, planHasChanges, type SetupPlan } from "./setup-plan.js";

let emulator: Emulator;
let receiver: WebhookReceiver;
let webhookUrl: string;

beforeAll(async () => {
  emulator = await startEmulator();
  receiver = await startWebhookReceiver();
  webhookUrl = `${receiver.url}/twilio/webhook`;
});

afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

beforeEach(() => {
  emulator.reset();
  receiver.received.length = 0;
});

const newSms = "+15551230101";
const newWhatsApp = "+15551230102";

const actions = (plan: SetupPlan) => plan.changes.map((change) => [change.action, change.target]);

async function addressConfiguration(address: string) {
  const all = await emulator.twilioClient().conversations.v1.addressConfigurations.list();
  return all.find((record) => record.address === address);
}

async function secondService(): Promise<string> {
  const service = await emulator
    .twilioClient()
    .conversations.v1.services.create({ friendlyName: "another app" });
  return service.sid;
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("planSetup and applySetup", () => {
  it("points the service webhook, creates address configurations, and is idempotent", async () => {
    const client = emulator.twilioClient();
    const plan = await planSetup({
      client,
      serviceSid: emulator.serviceSid,
      webhookUrl,
      numbers: {
        sms: ["+1 (555) 123-0101", emulator.numbers.sms],
        whatsapp: [newWhatsApp, emulator.numbers.whatsapp],
      },
    });
    expect(actions(plan)).toEqual([
      ["update-service-webhook", emulator.serviceSid],
      ["create-address-configuration", newSms],
      ["unchanged", emulator.numbers.sms],
      ["create-address-configuration", `whatsapp:${newWhatsApp}`],
      ["unchanged", emulator.numbers.whatsapp],
    ]);
    expect(planHasChanges(plan)).toBe(true);

    const dryRun = formatSetupPlan(plan, { dryRun: true });
    expect(dryRun[0]).toMatch(
      new RegExp(
        `^would update service ${emulator.serviceSid} post-event webhook: URL .* → ${webhookUrl.replace(/[.]/g, "\\.")}`,
      ),
    );
    expect(dryRun[1]).toBe(
      `would create address configuration ${newSms} (SMS): auto-create conversations in ${emulator.serviceSid}`,
    );
    expect(dryRun[2]).toMatch(/^unchanged: address configuration \+15017122661 \(SMS\) IG/);
    expect(dryRun.at(-1)).toBe("Dry run, nothing changed: 3 changes, 2 unchanged.");
    // Planning changed nothing.
    expect(await addressConfiguration(newSms)).toBeUndefined();

    const progress: string[] = [];
    const made = await applySetup(plan, { onChange: (change) => progress.push(change.target) });
    expect(made.map((change) => change.action)).toEqual([
      "update-service-webhook",
      "create-address-configuration",
      "create-address-configuration",
    ]);
    expect(progress).toEqual([emulator.serviceSid, newSms, `whatsapp:${newWhatsApp}`]);
    expect(formatSetupPlan(plan)[1]).toMatch(/^created address configuration/);

    const webhooks = await client.conversations.v1
      .services(emulator.serviceSid)
      .configuration.webhooks()
      .fetch();
    expect(webhooks.postWebhookUrl).toBe(webhookUrl);
    expect([...webhooks.filters].sort()).toEqual([...defaultPostEventFilters].sort());
    expect(webhooks.method).toBe("POST");
    expect((await addressConfiguration(newSms))?.autoCreation).toMatchObject({
      enabled: true,
      type: "default",
      conversation_service_sid: emulator.serviceSid,
    });
    expect((await addressConfiguration(`whatsapp:${newWhatsApp}`))?.type).toBe("whatsapp");

    const again = await planSetup({
      client,
      serviceSid: emulator.serviceSid,
      webhookUrl,
      numbers: { sms: [newSms, emulator.numbers.sms], whatsapp: [`whatsapp:${newWhatsApp}`] },
    });
    expect(again.changes.every((change) => change.action === "unchanged")).toBe(true);
    expect(planHasChanges(again)).toBe(false);
    expect(await applySetup(again)).toEqual([]);
    expect(formatSetupPlan(again).at(-1)).toBe("0 changes, 4 unchanged.");
  });

  it("makes a customer writing to a new number reach the webhook", async () => {
    await applySetup(
      await planSetup({
        client: emulator.twilioClient(),
        serviceSid: emulator.serviceSid,
        webhookUrl,
        numbers: { sms: [newSms] },
      }),
    );
    const customer = emulator.customer({ channel: "sms", address: "+15557770001", to: newSms });
    const { conversationSid } = await customer.send("hello");
    await emulator.idle();
    const events = receiver.received.map((request) => request.params.EventType);
    expect(events).toContain("onMessageAdded");
    expect(events).not.toContain("onConversationAdded");
    const added = receiver.received.find(
      (request) => request.params.EventType === "onMessageAdded",
    );
    expect(added?.params.ConversationSid).toBe(conversationSid);
    expect(added?.url).toBe(webhookUrl);
  });

  it("reports the changed filters and method of an existing webhook", async () => {
    const client = emulator.twilioClient();
    await client.conversations.v1
      .services(emulator.serviceSid)
      .configuration.webhooks()
      .update({
        postWebhookUrl: webhookUrl,
        filters: ["onMessageAdded", "onMessageUpdated"],
        method: "GET",
      });
    const plan = await planSetup({
      client,
      serviceSid: emulator.serviceSid,
      webhookUrl,
      filters: ["onMessageAdded", "onDeliveryUpdated", "onMessageAdded"],
    });
    expect(plan.changes).toHaveLength(1);
    expect(formatSetupPlan(plan, { dryRun: true })[0]).toBe(
      `would update service ${emulator.serviceSid} post-event webhook: add onDeliveryUpdated; remove onMessageUpdated; method GET → POST`,
    );
    await applySetup(plan);
    const again = await planSetup({
      client,
      serviceSid: emulator.serviceSid,
      webhookUrl,
      filters: ["onDeliveryUpdated", "onMessageAdded"],
    });
    expect(actions(again)).toEqual([["unchanged", emulator.serviceSid]]);
    expect(formatSetupPlan(again)[0]).toBe(
      `unchanged: service ${emulator.serviceSid} posts events to ${webhookUrl} (2 events: onDeliveryUpdated, onMessageAdded)`,
    );
  });

  it("leaves an address that auto-creates in another service alone unless told to take it over", async () => {
    const client = emulator.twilioClient();
    const other = await secondService();
    const created = await client.conversations.v1.addressConfigurations.create({
      type: "sms",
      address: newSms,
      "autoCreation.enabled": true,
      "autoCreation.type": "default",
      "autoCreation.conversationServiceSid": other,
    });
    const options = {
      client,
      serviceSid: emulator.serviceSid,
      webhookUrl,
      numbers: { sms: [newSms] },
    };
    const plan = await planSetup(options);
    expect(actions(plan)[1]).toEqual(["conflict", newSms]);
    expect(formatSetupPlan(plan, { dryRun: true, takeOverFlag: "--take-over-numbers" })[1]).toBe(
      `left alone: address configuration ${newSms} (SMS) ${created.sid} auto-creates conversations in ${other}, not ${emulator.serviceSid}; use --take-over-numbers to move it`,
    );
    expect(formatSetupPlan(plan, { dryRun: true }).at(-1)).toBe(
      "Dry run, nothing changed: 1 change, 0 unchanged, 1 left alone.",
    );
    await applySetup(plan);
    expect((await addressConfiguration(newSms))?.autoCreation.conversation_service_sid).toBe(other);

    const takeOver = await planSetup({ ...options, takeOverAddresses: true });
    expect(actions(takeOver)[1]).toEqual(["update-address-configuration", newSms]);
    expect(formatSetupPlan(takeOver, { dryRun: true })[1]).toBe(
      `would update address configuration ${newSms} (SMS) ${created.sid}: auto-create in ${other} → auto-create in ${emulator.serviceSid}`,
    );
    await applySetup(takeOver);
    expect((await addressConfiguration(newSms))?.autoCreation.conversation_service_sid).toBe(
      emulator.serviceSid,
    );
    expect(actions(await planSetup(options))[1]).toEqual(["unchanged", newSms]);
  });

  it("fixes our own addresses when auto-creation is off or goes through a webhook", async () => {
    const client = emulator.twilioClient();
    await client.conversations.v1.addressConfigurations(emulator.numbers.sms).update({
      "autoCreation.enabled": false,
    });
    await client.conversations.v1.addressConfigurations(emulator.numbers.whatsapp).update({
      "autoCreation.type": "webhook",
      "autoCreation.webhookUrl": "https://elsewhere.example.com/hook",
    });
    const other = await secondService();
    const disabledElsewhere = await client.conversations.v1.addressConfigurations.create({
      type: "sms",
      address: newSms,
      "autoCreation.enabled": false,
      "autoCreation.conversationServiceSid": other,
    });
    const plan = await planSetup({
      client,
      serviceSid: emulator.serviceSid,
      webhookUrl,
      numbers: { sms: [emulator.numbers.sms, newSms], whatsapp: [emulator.numbers.whatsapp] },
    });
    expect(actions(plan).slice(1)).toEqual([
      ["update-address-configuration", emulator.numbers.sms],
      ["update-address-configuration", newSms],
      ["update-address-configuration", emulator.numbers.whatsapp],
    ]);
    const lines = formatSetupPlan(plan, { dryRun: true });
    expect(lines[1]).toContain("auto-creation off → auto-create in");
    expect(lines[2]).toContain(`${disabledElsewhere.sid}: auto-creation off → auto-create in`);
    expect(lines[3]).toContain("auto-creation via webhook → auto-create in");
    await applySetup(plan);
    const again = await planSetup({
      client,
      serviceSid: emulator.serviceSid,
      webhookUrl,
      numbers: { sms: [emulator.numbers.sms, newSms], whatsapp: [emulator.numbers.whatsapp] },
    });
    expect(again.changes.every((change) => change.action === "unchanged")).toBe(true);
  });

  it("reads an address without a service as the account's default service", async () => {
    const client = emulator.twilioClient();
    await client.conversations.v1.addressConfigurations.create({
      type: "sms",
      address: newSms,
      "autoCreation.enabled": true,
    });
    const forDefault = await planSetup({
      client,
      serviceSid: emulator.serviceSid,
      webhookUrl,
      numbers: { sms: [newSms] },
    });
    expect(actions(forDefault)[1]).toEqual(["unchanged", newSms]);
    expect(formatSetupPlan(forDefault)[1]).toContain(
      "auto-creates conversations in the default service",
    );

    const other = await secondService();
    const forOther = await planSetup({
      client,
      serviceSid: other,
      webhookUrl,
      numbers: { sms: [newSms] },
    });
    expect(actions(forOther)[1]).toEqual(["conflict", newSms]);
    expect(formatSetupPlan(forOther)[1]).toContain("in the account's default service, not");
  });

  it("refuses malformed numbers before calling Twilio, saying which one", async () => {
    const client = emulator.twilioClient();
    const cases: [{ sms?: string[]; whatsapp?: string[] }, RegExp][] = [
      [{ sms: [newSms, "555-0100"] }, /^SMS number 2: Not an E\.164 phone number/],
      [{ sms: ["+0123456789"] }, /^SMS number 1: Not an E\.164/],
      [{ sms: [`+1${"5".repeat(10_000)}`] }, /^SMS number 1: Not an E\.164/],
      [{ sms: [""] }, /^SMS number 1: Not an E\.164/],
      [{ sms: ["whatsapp:+15551230101"] }, /^SMS number 1 is a WhatsApp address/],
      [{ whatsapp: ["whatsapp:abc"] }, /^WhatsApp number 1: Not an E\.164/],
    ];
    for (const [numbers, message] of cases) {
      const error = await thrown(
        planSetup({ client, serviceSid: emulator.serviceSid, webhookUrl, numbers }),
      );
      expect(error, String(message)).toBeInstanceOf(InvalidAddressError);
      expect((error as InvalidAddressError).code).toBe("invalid_address");
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.length).toBeLessThan(400);
    }
    const webhooks = await client.conversations.v1
      .services(emulator.serviceSid)
      .configuration.webhooks()
      .fetch();
    expect(webhooks.postWebhookUrl).not.toBe(webhookUrl);
  });

  it("refuses a malformed service SID, webhook URL or filter list, naming the option", async () => {
    const client = emulator.twilioClient();
    const base = { client, serviceSid: emulator.serviceSid, webhookUrl };
    const cases: [Parameters<typeof planSetup>[0], string, RegExp][] = [
      [
        { ...base, serviceSid: "MG0123456789abcdef0123456789abcdef" },
        "serviceSid",
        /starting with "MG"/,
      ],
      [{ ...base, webhookUrl: "/twilio/webhook" }, "webhookUrl", /not an absolute URL/],
      [{ ...base, webhookUrl: "ftp://example.com/hook" }, "webhookUrl", /must use https/],
      [{ ...base, filters: [] }, "filters", /empty/],
      [
        { ...base, filters: ["onMessageAdded", "onUserAdded"] },
        "filters",
        /unknown webhook filter "onUserAdded"/,
      ],
    ];
    for (const [options, option, message] of cases) {
      const error = await thrown(planSetup(options));
      expect(error, option).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe(option);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("says when the service does not exist or the credentials are wrong", async () => {
    const missing = await thrown(
      planSetup({
        client: emulator.twilioClient(),
        serviceSid: `IS${"0".repeat(32)}`,
        webhookUrl,
      }),
    );
    expect(missing).toBeInstanceOf(ServiceNotFoundError);

    const forged = twilio(emulator.accountSid, "0".repeat(32), {
      httpClient: emulator.httpClient(),
    });
    const denied = await thrown(
      planSetup({ client: forged, serviceSid: emulator.serviceSid, webhookUrl }),
    );
    expect(denied).toBeInstanceOf(InvalidCredentialsError);
    expect((denied as Error).message).not.toContain(emulator.authToken);
  });
});
