import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import type { Agent } from "../../src/agents/types.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { serveSwitchboard } from "../../src/http/serve-switchboard.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { createSwitchboard, type Switchboard } from "../../src/runtime/create-switchboard.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { fastWorkers, tempFolder, twilioProviderFor } from "./runtime-harness.js";
import { botMessages } from "./webhook-helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One process of the service on `databasePath`, allowed a single attempt per turn. */
async function boot(emulator: Emulator, databasePath: string, agent: Agent): Promise<Switchboard> {
  const switchboard = createSwitchboard({
    provider: await twilioProviderFor(emulator),
    agent,
    mailbox: sqliteMailbox({ path: databasePath, settleWindowMs: 200, maxAttempts: 1 }),
    workers: { ...fastWorkers, drainMs: 50 },
    webhook: { authToken: emulator.authToken },
    catchUp: { intervalMs: 0 },
  });
  const served = await serveSwitchboard(switchboard, { port: 0 });
  const { url } = served;
  await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .configuration.webhooks()
    .update({
      postWebhookUrl: `${url}/twilio/webhook`,
      method: "POST",
      filters: ["onMessageAdded"],
    });
  // Closing it closes the server first, as a process would.
  return { ...switchboard, close: served.close };
}

describe("shutdown release", () => {
  it("does not use up a turn's attempts: deploys during its last attempt never dead-letter it", async () => {
    const folder = tempFolder();
    const emulator = await startEmulator({ webhookRetries: 0 });
    cleanups.push(
      () => folder.cleanup(),
      () => emulator.close(),
    );
    const databasePath = join(folder.path, "mailbox.db");
    const customer = emulator.customer({ channel: "sms", address: "+15556000009" });
    let conversationSid = "";
    // Three deploys, each interrupting the turn's only allowed attempt.
    for (let deploy = 0; deploy < 3; deploy++) {
      const held = recordingAgent({ held: true });
      const process = await boot(emulator, databasePath, held);
      if (deploy === 0) ({ conversationSid } = await customer.send("are you open?"));
      await held.waitForCalls(1);
      await process.close();
      expect(held.calls[0]!.signal.aborted).toBe(true);
    }
    const inspect = sqliteMailbox({ path: databasePath });
    try {
      expect(await inspect.deadLetters()).toEqual([]);
    } finally {
      await inspect.close();
    }
    const last = await boot(
      emulator,
      databasePath,
      functionAgent((turn) => `re: ${turn.text}`),
    );
    cleanups.push(() => last.close());
    const deadline = Date.now() + 10_000;
    while ((await botMessages(emulator, conversationSid)).length === 0) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the reply");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await botMessages(emulator, conversationSid)).map((message) => message.body)).toEqual([
      "re: are you open?",
    ]);
  });
});
