import { RestException } from "twilio";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "./start-emulator.js";

/** REST faults as the official SDK meets them. */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup() {
  const emulator = await startEmulator();
  closers.push(() => emulator.close());
  const client = emulator.twilioClient();
  const conversation = await client.conversations.v1.conversations.create({});
  return { emulator, messages: client.conversations.v1.conversations(conversation.sid).messages };
}

async function addFault(emulator: Emulator, rule: unknown) {
  const response = await fetch(`${emulator.url}/_emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rule),
  });
  expect(response.status).toBe(201);
}

describe("REST faults seen through the official SDK", () => {
  it("status faults become RestException with status, code and nothing stored; times limits them", async () => {
    const { emulator, messages } = await setup();
    await addFault(emulator, {
      match: { method: "POST", path: "/Messages" },
      fault: { status: 429, code: 20429, retryAfter: 2 },
      times: 1,
    });
    const error = await messages.create({ body: "one" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RestException);
    expect(error).toMatchObject({ status: 429, code: 20429 });
    expect(await messages.list()).toHaveLength(0);
    await messages.create({ body: "two" });
    expect((await messages.list()).map((message) => message.body)).toEqual(["two"]);
  });

  it("a reset drops the connection and stores nothing", async () => {
    const { emulator, messages } = await setup();
    await addFault(emulator, { match: { method: "POST" }, fault: { reset: true }, times: 1 });
    const error = await messages.create({ body: "lost" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RestException);
    expect(await messages.list()).toHaveLength(0);
  });

  it("commitThenStatus and commitThenReset: the write exists although the SDK call failed", async () => {
    const { emulator, messages } = await setup();
    await addFault(emulator, {
      match: { method: "POST" },
      fault: { commitThenStatus: 503 },
      times: 1,
    });
    const first = await messages.create({ body: "ambiguous" }).catch((caught: unknown) => caught);
    expect(first).toMatchObject({ status: 503 });
    await addFault(emulator, {
      match: { method: "POST" },
      fault: { commitThenReset: true },
      times: 1,
    });
    const second = await messages
      .create({ body: "also ambiguous" })
      .catch((caught: unknown) => caught);
    expect(second).toBeInstanceOf(Error);
    expect(second).not.toBeInstanceOf(RestException);
    expect((await messages.list()).map((message) => message.body)).toEqual([
      "ambiguous",
      "also ambiguous",
    ]);
  });

  it("delay holds the answer: a caller giving up sooner fails, the next call is served", async () => {
    const { emulator } = await setup();
    // Far longer than the caller waits; the held request ends when the emulator closes.
    await addFault(emulator, { match: { method: "GET" }, fault: { delayMs: 60_000 }, times: 1 });
    const authorization = `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;
    const get = (signal?: AbortSignal) =>
      fetch(`${emulator.url}/v1/Conversations`, {
        headers: { Authorization: authorization },
        ...(signal === undefined ? {} : { signal }),
      });
    await expect(get(AbortSignal.timeout(200))).rejects.toMatchObject({ name: "TimeoutError" });
    expect((await get()).status).toBe(200);
  });

  it("delay then succeeds; DELETE clears every rule; control routes are never faulted", async () => {
    const { emulator, messages } = await setup();
    await addFault(emulator, { fault: { delayMs: 50 }, times: 1 });
    await addFault(emulator, { fault: { status: 500 } });
    const listed = await fetch(`${emulator.url}/_emulator/faults`);
    expect(((await listed.json()) as { faults: unknown[] }).faults).toHaveLength(2);
    const delayed = await messages.create({ body: "slow" });
    expect(delayed.body).toBe("slow");
    await expect(messages.list()).rejects.toMatchObject({ status: 500 });
    const cleared = await fetch(`${emulator.url}/_emulator/faults`, { method: "DELETE" });
    expect(cleared.status).toBe(204);
    expect(await messages.list()).toHaveLength(1);
  });

  it("rate 0 never fires", async () => {
    const { emulator, messages } = await setup();
    await addFault(emulator, { fault: { status: 500 }, rate: 0 });
    await messages.create({ body: "fine" });
    expect(await messages.list()).toHaveLength(1);
  });
});
