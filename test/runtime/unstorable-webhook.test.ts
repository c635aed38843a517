import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { serveSwitchboard } from "../../src/http/serve-switchboard.js";
import type { MailboxStore } from "../../src/mailbox/mailbox-store.js";
import { postgresMailbox } from "../../src/mailbox/postgres/postgres-mailbox.js";
import {
  adminQuery,
  dropTestSchema,
  testDatabaseUrl,
  testSchemaName,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { mailboxLimits } from "../../src/mailbox/validate-mailbox-input.js";
import { countEvents } from "../../src/metrics/count-events.js";
import { createMetrics } from "../../src/metrics/create-metrics.js";
import { createSwitchboard } from "../../src/runtime/create-switchboard.js";
import { createNodeWebhookHandler } from "../../src/twilio/webhook/handlers/node-handler.js";
import { capturedLog, tempFolder, twilioProviderFor } from "./runtime-harness.js";
import { deliverWebhook, seedSmsConversation } from "./webhook-helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const customer = "+15556107788";

/** A served switchboard over `mailbox`, with its log and metrics readable. */
async function serve(emulator: Emulator, mailbox: MailboxStore) {
  const logger = capturedLog();
  const switchboard = createSwitchboard({
    provider: await twilioProviderFor(emulator),
    agent: functionAgent((turn) => `re: ${turn.text}`),
    mailbox,
    logger,
    catchUp: { intervalMs: 0 },
  });
  const metrics = createMetrics();
  countEvents(switchboard.events, metrics);
  const served = await serveSwitchboard(switchboard, { port: 0 });
  cleanups.push(() => served.close());
  return { logger, metrics, webhookUrl: `${served.url}/twilio/webhook` };
}

async function emulatorForTest() {
  const emulator = await startEmulator({ webhookRetries: 0 });
  cleanups.push(() => emulator.close());
  return emulator;
}

/** Signed webhooks whose message can never be stored, each with the field the store refuses. */
const unstorable: Array<{ name: string; fields: Record<string, string>; field: string }> = [
  {
    name: "attributes over the mailbox's 16 KB limit",
    fields: { Attributes: JSON.stringify({ note: "a".repeat(mailboxLimits.attributesBytes) }) },
    field: "attributes",
  },
  {
    name: "an author longer than any address",
    fields: { Author: `+1${"5".repeat(mailboxLimits.textLength + 10)}` },
    // The consent lookup of the author refuses it first, before the message itself.
    field: "address",
  },
];

async function expectRefusedForGood(
  emulator: Emulator,
  mailbox: MailboxStore,
  fields: Record<string, string>,
  field: string,
) {
  const { logger, metrics, webhookUrl } = await serve(emulator, mailbox);
  const [message] = await seedSmsConversation(emulator, customer, ["fine text"]);
  // A 4xx Twilio does not retry; a retry anyway (a `#rp=4xx` override) is refused the same
  // way and recorded once.
  expect(await deliverWebhook(emulator, webhookUrl, message!, { fields })).toBe(422);
  expect(await deliverWebhook(emulator, webhookUrl, message!, { fields, retryCount: 1 })).toBe(422);
  const letters = await mailbox.inboundDeadLetters();
  expect(letters).toHaveLength(1);
  expect(letters[0]).toMatchObject({
    conversationSid: message!.conversationSid,
    messageSid: message!.messageSid,
    field,
  });
  expect(letters[0]!.author).toContain("***");
  expect(letters[0]!.author.length).toBeLessThanOrEqual(64);
  expect(JSON.stringify(letters[0])).not.toContain(customer);
  expect(await mailbox.conversation(message!.conversationSid)).toBeNull();

  const warnings = logger.lines.filter((line) => line.fields.messageSid === message!.messageSid);
  expect(warnings.map((line) => line.level)).toEqual(["warn", "warn", "warn"]);
  const logged = JSON.stringify(warnings);
  expect(logged).not.toContain(customer);
  expect(logged).not.toContain("fine text");
  expect(logger.lines.some((line) => line.level === "error")).toBe(false);

  const exposition = await metrics.registry.metrics();
  expect(exposition).toContain('switchboard_inbound_dead_letters_total{via="webhook"} 1');
  return { message: message!, webhookUrl, logger };
}

describe("a signed webhook whose message can never be stored (SQLite)", () => {
  for (const { name, fields, field } of unstorable) {
    it(`answers 422 and keeps an inbound dead letter: ${name}`, async () => {
      const folder = tempFolder();
      cleanups.push(() => folder.cleanup());
      const emulator = await emulatorForTest();
      const mailbox = sqliteMailbox({ path: join(folder.path, "mailbox.db") });
      cleanups.push(() => mailbox.close());
      await expectRefusedForGood(emulator, mailbox, fields, field);
    });
  }

  it("answers 422 for a body over the mailbox's limit, where the app raised the webhook's", async () => {
    const folder = tempFolder();
    cleanups.push(() => folder.cleanup());
    const emulator = await emulatorForTest();
    const mailbox = sqliteMailbox({ path: join(folder.path, "mailbox.db") });
    const logger = capturedLog();
    const switchboard = createSwitchboard({
      provider: await twilioProviderFor(emulator),
      agent: functionAgent((turn) => `re: ${turn.text}`),
      mailbox,
      logger,
      catchUp: { intervalMs: 0 },
    });
    cleanups.push(() => switchboard.close());
    // An app mounting the library's handler itself, with a larger body limit than serve's.
    const { path: _path, ...verification } = switchboard.webhook;
    const handler = createNodeWebhookHandler({
      ...verification,
      maxBodyBytes: 256 * 1024,
      onEvent: switchboard.receive,
    });
    const server = createServer((request, response) => void handler(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/twilio/webhook`;
    const [message] = await seedSmsConversation(emulator, customer, ["fine text"]);
    const body = "x".repeat(mailboxLimits.bodyLength + 1);
    expect(await deliverWebhook(emulator, webhookUrl, message!, { fields: { Body: body } })).toBe(
      422,
    );
    expect(await mailbox.inboundDeadLetters()).toMatchObject([
      { messageSid: message!.messageSid, field: "body", bodyLength: body.length },
    ]);
  });

  it("still answers 500 when the store itself fails, so Twilio retries", async () => {
    const folder = tempFolder();
    cleanups.push(() => folder.cleanup());
    const emulator = await emulatorForTest();
    const mailbox = sqliteMailbox({ path: join(folder.path, "mailbox.db") });
    const { webhookUrl } = await serve(emulator, mailbox);
    const [message] = await seedSmsConversation(emulator, customer, ["hello"]);
    await mailbox.close();
    expect(await deliverWebhook(emulator, webhookUrl, message!)).toBe(500);
    const { webhookUrl: again } = await serve(
      emulator,
      sqliteMailbox({ path: join(folder.path, "mailbox.db") }),
    );
    expect(await deliverWebhook(emulator, again, message!)).toBe(200);
  });
});

describe.skipIf(testDatabaseUrl === undefined)(
  "a signed webhook whose message can never be stored (PostgreSQL)",
  () => {
    const url = testDatabaseUrl!;
    const openMailbox = () => {
      const schema = testSchemaName();
      const mailbox = postgresMailbox({ connectionString: url, schema, poolSize: 3 });
      cleanups.push(
        () => dropTestSchema(url, schema),
        () => mailbox.close(),
      );
      return { mailbox, schema };
    };

    for (const { name, fields, field } of unstorable) {
      it(`answers 422 and keeps an inbound dead letter: ${name}`, async () => {
        const emulator = await emulatorForTest();
        const { mailbox } = openMailbox();
        await expectRefusedForGood(emulator, mailbox, fields, field);
      });
    }

    it("still answers 500 while the database fails, and 200 once it is back", async () => {
      const emulator = await emulatorForTest();
      const { mailbox, schema } = openMailbox();
      const { webhookUrl } = await serve(emulator, mailbox);
      const [first, second] = await seedSmsConversation(emulator, customer, ["one", "two"]);
      expect(await deliverWebhook(emulator, webhookUrl, first!)).toBe(200);
      const table = `${pg.escapeIdentifier(schema)}.messages`;
      await adminQuery(url, `ALTER TABLE ${table} RENAME TO messages_away`);
      try {
        expect(await deliverWebhook(emulator, webhookUrl, second!)).toBe(500);
      } finally {
        await adminQuery(
          url,
          `ALTER TABLE ${pg.escapeIdentifier(schema)}.messages_away RENAME TO messages`,
        );
      }
      expect(await deliverWebhook(emulator, webhookUrl, second!, { retryCount: 1 })).toBe(200);
      expect(await mailbox.inboundDeadLetters()).toEqual([]);
    });
  },
);
