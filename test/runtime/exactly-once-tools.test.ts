import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import {
  dropTestSchema,
  testDatabaseUrl,
  testSchemaName,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import { tempFolder } from "./runtime-harness.js";
import { freePort, startBookingApi, ToolChild } from "./tool-child-process.js";
import { botMessages, deliverWebhook, seedSmsConversation } from "./webhook-helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

// The children run `dist/`: without the journal in the build they would test old code.
function assertBuilt(): void {
  if (!existsSync(join(root, "dist/runtime/mailbox-tool-journal.js")))
    throw new Error("dist/ has no tool journal: run npm run build, then this test again.");
}

type StoreConfig =
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string; schema: string };

const stores: { name: string; available: boolean }[] = [
  { name: "sqlite", available: true },
  { name: "postgres", available: testDatabaseUrl !== undefined },
];

for (const { name, available } of stores) {
  describe.skipIf(!available)(`exactly-once tool effects on ${name}`, () => {
    let emulator: Emulator;
    let folder: ReturnType<typeof tempFolder>;
    let store: StoreConfig;
    let api: Awaited<ReturnType<typeof startBookingApi>>;
    const children: ToolChild[] = [];

    beforeEach(async () => {
      assertBuilt();
      folder = tempFolder();
      // One emulator per test: catch-up in a restarted child lists only this test's customers.
      emulator = await startEmulator({ webhookRetries: 1, webhookBackoff: () => 20 });
      api = await startBookingApi();
      store =
        name === "sqlite"
          ? { kind: "sqlite", path: join(folder.path, "mailbox.db") }
          : { kind: "postgres", url: testDatabaseUrl!, schema: testSchemaName() };
    });
    afterEach(async () => {
      await Promise.all(children.splice(0).map((child) => child.kill()));
      await api?.close();
      await emulator?.close();
      if (store?.kind === "postgres") await dropTestSchema(store.url, store.schema);
      folder?.cleanup();
    });

    const spawnChild = (settings: Record<string, unknown>) => {
      const child = new ToolChild({
        emulatorUrl: emulator.url,
        accountSid: emulator.accountSid,
        authToken: emulator.authToken,
        serviceSid: emulator.serviceSid,
        store,
        toolUrl: api.url,
        ...settings,
      });
      children.push(child);
      return child;
    };

    /** One customer message, delivered to the child listening on `port`. */
    const customerWrites = async (port: number, body: string) => {
      const [message] = await seedSmsConversation(emulator, "+15554440001", [body]);
      expect(
        await deliverWebhook(emulator, `http://127.0.0.1:${port}/twilio/webhook`, message!),
      ).toBe(200);
      return message!;
    };

    /** Waits until the conversation has a reply, then a while longer for any duplicate. */
    const repliesOf = async (conversationSid: string) => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        if ((await botMessages(emulator, conversationSid)).length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return (await botMessages(emulator, conversationSid)).map((message) => message.body);
    };

    it("books once and replies once when the worker is SIGKILLed after the tool ran", async () => {
      const port = await freePort();
      const first = spawnChild({ name: "first", mode: "hang-after-tool", port });
      await first.waitFor((line) => line === "ready", "ready");
      const message = await customerWrites(port, "a city bike for Saturday");
      await first.waitFor((line) => line.startsWith(`booked ${message.messageSid}`), "booked");
      // Killed after the tool's effect and its journal entry, before the turn completed.
      await first.kill();
      expect(api.requests).toHaveLength(1);

      const second = spawnChild({ name: "second", mode: "normal", port });
      await second.waitFor((line) => line === `completed ${message.messageSid}`, "completed");
      expect(await repliesOf(message.conversationSid)).toEqual(["Booked B-1 (second)"]);
      // The restarted worker replayed the journaled result: the tool never ran again.
      expect(api.requests).toEqual([{ key: `${message.messageSid}/step/book/0`, worker: "first" }]);
    }, 60_000);

    it("books once and replies once when the agent fails after the tool ran", async () => {
      const port = await freePort();
      const child = spawnChild({ name: "only", mode: "throw-after-tool", port });
      await child.waitFor((line) => line === "ready", "ready");
      const message = await customerWrites(port, "cancel order 42");
      await child.waitFor((line) => line === `completed ${message.messageSid}`, "completed");
      // The first attempt threw after booking; the retry replayed the booking.
      expect(child.lines.filter((line) => line.startsWith("booked"))).toHaveLength(2);
      expect(await repliesOf(message.conversationSid)).toEqual(["Booked B-1 (only)"]);
      expect(api.requests).toHaveLength(1);
    }, 60_000);

    // Two processes on one store: on SQLite a second live owner of the file is refused
    // (one owner per mailbox file), so a paused process's lease can only be taken over on
    // PostgreSQL. The journal's lease fencing itself is a contract case on both stores.
    it.skipIf(name === "sqlite")(
      "books once and replies once when a paused worker loses its lease",
      async () => {
        const port = await freePort();
        // Frozen for 8 s after the tool ran: its 800 ms lease expires and another worker
        // re-runs the turn; when it wakes, its own reply must be discarded. It polls rarely (it
        // wakes on notices), so the pause never holds one of its claim transactions open.
        const paused = spawnChild({
          name: "paused",
          mode: "freeze-after-tool",
          freezeMs: 8_000,
          pollMs: 30_000,
          port,
        });
        await paused.waitFor((line) => line === "ready", "ready");
        const message = await customerWrites(port, "refund my last ride");
        await paused.waitFor((line) => line.startsWith(`booked ${message.messageSid}`), "booked");
        const wakesAt = Date.now() + 8_000;
        const other = spawnChild({ name: "other", mode: "normal" });
        await other
          .waitFor((line) => line === `completed ${message.messageSid}`, "completed")
          .catch((error: Error) => {
            throw new Error(
              `${error.message}; the paused worker printed ${paused.lines.join(" | ")}`,
            );
          });
        // Let the paused worker wake and try to finish its turn.
        await new Promise((resolve) => setTimeout(resolve, wakesAt - Date.now() + 1_500));
        expect(paused.lines).not.toContain(`completed ${message.messageSid}`);
        expect(await repliesOf(message.conversationSid)).toEqual(["Booked B-1 (other)"]);
        expect(api.requests).toEqual([
          { key: `${message.messageSid}/step/book/0`, worker: "paused" },
        ]);
      },
      60_000,
    );
  });
}
