import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";
import { storeStateFields, transientStoreFields } from "./emulator-persistence.js";
import { EmulatorStateError, openEmulatorStateFile } from "./emulator-state-file.js";
import { decodeStateGraph, encodeStateGraph } from "./encode-state-graph.js";

/**
 * The emulator with a state file, over real HTTP and a real SQLite file: what one run
 * wrote, the next run continues from; a file it cannot use is refused by name.
 */
const folders: string[] = [];
const running: Emulator[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function statePath(): string {
  const folder = mkdtempSync(join(tmpdir(), "emulator-state-"));
  folders.push(folder);
  return join(folder, "emulator.db");
}

async function start(path: string): Promise<Emulator> {
  const emulator = await startEmulator({ statePath: path });
  running.push(emulator);
  return emulator;
}

async function stop(emulator: Emulator): Promise<void> {
  running.splice(running.indexOf(emulator), 1);
  await emulator.close();
}

const basic = (emulator: Emulator) =>
  `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;

/** The store's state fields as comparable JSON (shared objects and Maps included). */
function storeText(emulator: Emulator): string {
  return JSON.stringify(
    encodeStateGraph(storeStateFields(emulator.store), (bytes) => Buffer.from(bytes).toString()),
  );
}

/** Fills every kind of state the emulator has, through the official SDK and the control API. */
async function fillEverything(emulator: Emulator) {
  const client = emulator.twilioClient();
  const v1 = client.conversations.v1;
  const service = await v1.services.create({ friendlyName: "Second service" });
  await v1
    .services(service.sid)
    .configuration.webhooks()
    .update({
      postWebhookUrl: "http://127.0.0.1:9/service-hook",
      filters: ["onMessageAdded"],
    });
  await v1.configuration().update({ defaultInactiveTimer: "PT2H" });
  await v1.configuration.webhooks().update({ postWebhookUrl: "http://127.0.0.1:9/account-hook" });
  await v1.addressConfigurations.create({
    type: "sms",
    address: "+15017122662",
    friendlyName: "Second number",
    "autoCreation.enabled": true,
    "autoCreation.type": "default",
  });
  const user = await v1.services(service.sid).users.create({ identity: "alice" });
  const timed = await v1.conversations.create({
    friendlyName: "Timed",
    uniqueName: "timed",
    "timers.inactive": "PT1M",
  });
  await v1.conversations(timed.sid).participants.create({ identity: "visitor-1" });
  await v1.conversations(timed.sid).webhooks.create({
    target: "webhook",
    "configuration.url": "http://127.0.0.1:9/conversation-hook",
    "configuration.filters": ["onMessageAdded"],
  });
  await v1.conversations(timed.sid).messages.create({ author: "visitor-1", body: "hello" });
  const sms = await emulator.customer({ channel: "sms", address: "+15551230001" }).send("hi");
  const whatsapp = await emulator
    .customer({ channel: "whatsapp", address: "whatsapp:+15551230002" })
    .send("hola");
  const bytes = Buffer.from("\x89PNG persisted bytes");
  const upload = await fetch(`${emulator.url}/v1/Services/${emulator.serviceSid}/Media`, {
    method: "POST",
    headers: { authorization: basic(emulator), "content-type": "image/png" },
    body: bytes,
  });
  const { sid: mediaSid } = (await upload.json()) as { sid: string };
  await v1.conversations(sms.conversationSid).messages.create({ author: "agent", mediaSid });
  await v1
    .conversations(whatsapp.conversationSid)
    .messages.create({ author: "agent", body: "Hola!" });
  const template = emulator.content.create(emulator.accountSid, {
    friendly_name: "greeting",
    language: "en",
    variables: { "1": "friend" },
    types: { "twilio/text": { body: "Hello {{1}}" } },
  });
  await fetch(`${emulator.url}/_emulator/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ advanceMs: 5_000 }),
  });
  await emulator.idle();
  return { service, user, timed, sms, whatsapp, mediaSid, bytes, template };
}

describe("emulator state file", () => {
  it("a restarted emulator continues where the last one stopped: every store field, media bytes, templates, devices, clock and timers", async () => {
    const path = statePath();
    const first = await start(path);
    const filled = await fillEverything(first);
    const before = storeText(first);
    const clockBefore = first.clock.now() - Date.now();
    const smsDevice = first.deviceMessages("+15551230001").map(({ media, ...rest }) => ({
      ...rest,
      media: media.map(({ url: _url, ...item }) => item),
    }));
    expect(smsDevice).toHaveLength(1);
    await stop(first);

    const second = await start(path);
    expect(storeText(second)).toBe(before);
    expect(second.clock.now() - Date.now()).toBeGreaterThanOrEqual(clockBefore - 50);
    expect(
      second.deviceMessages("+15551230001").map(({ media, ...rest }) => ({
        ...rest,
        media: media.map(({ url: _url, ...item }) => item),
      })),
    ).toEqual(smsDevice);
    expect(second.content.get(filled.template.sid)).toEqual(filled.template);
    const download = await fetch(
      `${second.url}/v1/Services/${second.serviceSid}/Media/${filled.mediaSid}/Content`,
      { headers: { authorization: basic(second) } },
    );
    expect(Buffer.from(await download.arrayBuffer())).toEqual(filled.bytes);
    // The device's signed link is signed anew by this run, and works.
    const [received] = second.deviceMessages("+15551230001");
    expect((await fetch(received!.media[0]!.url)).status).toBe(200);

    // Indexes continue, the same customer lands in the same conversation, new SIDs are new.
    const v1 = second.twilioClient().conversations.v1;
    const again = await second.customer({ channel: "sms", address: "+15551230001" }).send("back");
    expect(again.conversationSid).toBe(filled.sms.conversationSid);
    const messages = await v1.conversations(filled.sms.conversationSid).messages.list();
    expect(messages.map((message) => message.index)).toEqual([0, 1, 2]);
    const fresh = await v1.conversations.create({ friendlyName: "After restart" });
    expect([
      filled.sms.conversationSid,
      filled.whatsapp.conversationSid,
      filled.timed.sid,
    ]).not.toContain(fresh.sid);
    expect((await v1.services(filled.service.sid).users(filled.user.sid).fetch()).identity).toBe(
      "alice",
    );
    // The WhatsApp window survived: a free-form reply is still delivered.
    await v1
      .conversations(filled.whatsapp.conversationSid)
      .messages.create({ author: "agent", body: "Still here" });
    await second.idle();
    expect(second.deviceMessages("whatsapp:+15551230002").map((message) => message.body)).toEqual([
      "Hola!",
      "Still here",
    ]);
    // The conversation's inactive timer was re-armed on the restored clock.
    second.clock.advance(61_000);
    expect((await v1.conversations(filled.timed.sid).fetch()).state).toBe("inactive");
  }, 30_000);

  it("saves every own field of the store but the listed wiring, so a new resource cannot be forgotten", async () => {
    const path = statePath();
    const emulator = await start(path);
    await fillEverything(emulator);
    await stop(emulator);
    // The wiring list changes only on purpose: each entry is not state.
    expect([...transientStoreFields].sort()).toEqual(
      [
        "accountSid",
        "addressPairs",
        "clock",
        "defaultServiceSid",
        "events",
        "locks",
        "lookups",
        "timers",
      ].sort(),
    );
    const database = new Database(path, { readonly: true });
    const graph = database.prepare("SELECT graph FROM emulator_state").pluck().get() as string;
    database.close();
    const saved = decodeStateGraph(JSON.parse(graph), () => Buffer.alloc(0)) as {
      store: Record<string, unknown>;
    };
    const probe = await startEmulator();
    const stateKeys = Object.keys(probe.store).filter((key) => !transientStoreFields.has(key));
    await probe.close();
    expect(Object.keys(saved.store).sort()).toEqual(stateKeys.sort());
    expect(stateKeys.length).toBeGreaterThanOrEqual(4);
  });

  it("refuses a field it cannot represent, naming where it is", () => {
    class Handle {}
    expect(() =>
      encodeStateGraph({ services: new Map([["IS1", { handle: new Handle() }]]) }, () => ""),
    ).toThrow(/state\.services\.get\("IS1"\)\.handle: an instance of Handle cannot be persisted/);
    expect(() => encodeStateGraph({ callback: () => 1 }, () => "")).toThrow(
      /state\.callback: a function cannot be persisted/,
    );
  });

  it("keeps shared objects shared, and Maps, Sets, bytes and undefined intact", () => {
    const message = { sid: "IM1", body: undefined, score: Number.POSITIVE_INFINITY };
    const blobs = new Map<string, Buffer>();
    const encoded = encodeStateGraph(
      {
        conversation: { messages: [message] },
        inbox: [{ message }],
        tags: new Set(["a"]),
        bytes: Buffer.from("xyz"),
      },
      (bytes) => {
        blobs.set("k", Buffer.from(bytes));
        return "k";
      },
    );
    const decoded = decodeStateGraph(JSON.parse(JSON.stringify(encoded)), (key) =>
      blobs.get(key),
    ) as {
      conversation: { messages: (typeof message)[] };
      inbox: { message: typeof message }[];
      tags: Set<string>;
      bytes: Buffer;
    };
    expect(decoded.inbox[0]!.message).toBe(decoded.conversation.messages[0]);
    expect(decoded.conversation.messages[0]).toEqual(message);
    expect("body" in decoded.conversation.messages[0]!).toBe(true);
    expect(decoded.tags).toEqual(new Set(["a"]));
    expect(decoded.bytes.toString()).toBe("xyz");
  });

  it("refuses a corrupt file, naming it and --fresh, and leaves it untouched", async () => {
    const path = statePath();
    writeFileSync(path, "this is not a database, it is a shopping list\n".repeat(100));
    const before = readFileSync(path);
    const failure = await startEmulator({ statePath: path }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EmulatorStateError);
    expect((failure as Error).message).toContain(path);
    expect((failure as Error).message).toContain("switchboard dev --fresh");
    expect(readFileSync(path)).toEqual(before);
  });

  it("refuses another SQLite database, a file of another format, and another account's file", async () => {
    const other = statePath();
    const database = new Database(other);
    database.exec("CREATE TABLE conversations (sid TEXT)");
    database.close();
    await expect(startEmulator({ statePath: other })).rejects.toThrow(
      /is a SQLite database but not an emulator state file/,
    );

    const path = statePath();
    const emulator = await start(path);
    const accountSid = emulator.accountSid;
    await stop(emulator);
    const file = new Database(path);
    file.prepare("UPDATE emulator_meta SET value = '999' WHERE key = 'format'").run();
    file.close();
    await expect(startEmulator({ statePath: path })).rejects.toThrow(
      /written in format 999, and this version reads format 1.*--fresh/,
    );

    const mine = statePath();
    await (await openEmulatorStateFile(mine, accountSid)).close();
    await expect(
      startEmulator({ statePath: mine, accountSid: `AC${"1".repeat(32)}` }),
    ).rejects.toThrow(/belongs to account AC[0-9a-f]{32}, not AC1{32}/);
  });

  it("refuses a file whose saved state is damaged instead of starting half-restored", async () => {
    const path = statePath();
    const emulator = await start(path);
    await emulator.customer({ channel: "sms", address: "+15551230009" }).send("hi");
    await stop(emulator);
    const file = new Database(path);
    file.prepare("UPDATE emulator_state SET graph = '[\"o\", 0, {' WHERE id = 1").run();
    file.close();
    await expect(startEmulator({ statePath: path })).rejects.toThrow(/is corrupt/);
  });

  it("starts from a file an older version broke (clock and dates past any valid date), and reset repairs it", async () => {
    const path = statePath();
    const first = await start(path);
    const v1 = first.twilioClient().conversations.v1;
    const sms = await first.customer({ channel: "sms", address: "+15551230012" }).send("hi");
    await v1.conversations(sms.conversationSid).messages.create({ author: "agent", body: "Hello" });
    await v1.conversations.create({ friendlyName: "Timed", "timers.inactive": "PT1M" });
    await first.idle();
    await stop(first);
    // What an older version saved after `advanceMs: 1e300` and `Timers.Inactive=PT99999999999H`.
    const database = new Database(path);
    const graph = database.prepare("SELECT graph FROM emulator_state").pluck().get() as string;
    const saved = decodeStateGraph(JSON.parse(graph), () => undefined) as {
      clockOffsetMs: number;
      store: { services: Map<string, { conversations: Map<string, Record<string, unknown>> }> };
      delivery: { inboxes: Map<string, { at: number }[]> };
    };
    saved.clockOffsetMs = 1e300;
    for (const service of saved.store.services.values())
      for (const conversation of service.conversations.values()) {
        conversation.lastActivity = 1e300;
        conversation.dateUpdated = Number.POSITIVE_INFINITY;
        conversation.timers = { inactive: "PT99999999999H", closed: null };
        for (const message of conversation.messages as { dateCreated: number }[])
          message.dateCreated = Number.NaN;
      }
    for (const entries of saved.delivery.inboxes.values())
      for (const entry of entries) entry.at = 1e300;
    database
      .prepare("UPDATE emulator_state SET graph = ? WHERE id = 1")
      .run(JSON.stringify(encodeStateGraph(saved, () => "")));
    database.close();

    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    const logged: unknown[] = [];
    const second = await startEmulator({
      statePath: path,
      logger: { error: (fields) => logged.push(fields) },
    });
    running.push(second);
    await new Promise((resolve) => setImmediate(resolve));
    process.off("warning", onWarning);
    expect(warnings.join("\n")).toMatch(/holds a clock 1e\+300 ms ahead of real time/);
    // The clock is back at real time; the stored dates still cannot be shown, and say so.
    const clock = await fetch(`${second.url}/_emulator/clock`);
    expect(clock.status).toBe(200);
    const { now } = (await clock.json()) as { now: string };
    expect(Math.abs(Date.parse(now) - Date.now())).toBeLessThan(60_000);
    const list = () =>
      fetch(`${second.url}/v1/Conversations`, { headers: { authorization: basic(second) } });
    expect((await list()).status).toBe(500);
    expect(logged).toEqual([expect.objectContaining({ route: "GET /v1/Conversations" })]);

    const reset = await fetch(`${second.url}/_emulator/reset`, { method: "POST" });
    expect(reset.status).toBe(204);
    for (const response of [
      await list(),
      await fetch(`${second.url}/_emulator/state`),
      await fetch(`${second.url}/_emulator/devices`),
      await fetch(`${second.url}/_emulator/clock`),
    ])
      expect(response.status).toBe(200);
    expect(((await (await list()).json()) as { conversations: unknown[] }).conversations).toEqual(
      [],
    );
    const sent = await second.customer({ channel: "sms", address: "+15551230012" }).send("again");
    expect(sent.conversationSid).toMatch(/^CH/);
    await stop(second);

    const third = await start(path);
    const again = await fetch(`${third.url}/v1/Conversations`, {
      headers: { authorization: basic(third) },
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { conversations: unknown[] }).conversations).toHaveLength(1);
  });

  it("saves a moment after a change without waiting for close (a killed process keeps it)", async () => {
    const path = statePath();
    const emulator = await start(path);
    const { conversationSid } = await emulator
      .customer({ channel: "sms", address: "+15551230010" })
      .send("saved?");
    const deadline = Date.now() + 5_000;
    for (;;) {
      const database = new Database(path, { readonly: true });
      const graph = database.prepare("SELECT graph FROM emulator_state").pluck().get() as
        | string
        | undefined;
      database.close();
      if (graph?.includes(conversationSid)) break;
      if (Date.now() > deadline) throw new Error("the change was not saved within 5 seconds");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it("stays in memory without a state path", async () => {
    const emulator = await startEmulator();
    running.push(emulator);
    await emulator.customer({ channel: "sms", address: "+15551230011" }).send("hi");
    await stop(emulator);
    const again = await startEmulator();
    running.push(again);
    expect([...again.store.allConversations()]).toHaveLength(0);
  });
});
