import { afterEach, describe, expect, it } from "vitest";
import { durableStep } from "../../src/agents/durable-step.js";
import { functionAgent } from "../../src/agents/function-agent.js";
import type { Agent, AgentContext, Turn } from "../../src/agents/types.js";
import { startEmulator } from "../../src/emulator/index.js";
import { ConfigError } from "../../src/errors.js";
import { serveSwitchboard } from "../../src/http/serve-switchboard.js";
import { postgresMailbox } from "../../src/mailbox/postgres/postgres-mailbox.js";
import {
  adminQuery,
  dropTestSchema,
  testDatabaseUrl,
  testSchemaName,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { createSwitchboard } from "../../src/runtime/create-switchboard.js";
import {
  capturedLog,
  eventually,
  fastWorkers,
  type Harness,
  startHarness,
  twilioProviderFor,
} from "./runtime-harness.js";
import {
  addCustomerMessage,
  botMessages,
  deliverWebhook,
  seedSmsConversation,
} from "./webhook-helpers.js";

let harness: Harness | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when the turn's signal aborts (or after `ms`, so a broken test cannot hang). */
const abortedOrAfter = (signal: AbortSignal, ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** What each call of the agent saw: its messages' texts, and whether its signal aborted. */
interface Call {
  texts: string[];
  aborted: boolean;
  finished: boolean;
}

/**
 * An agent that stalls on a turn of one message (a slow model call) via `stall`, and answers
 * a turn of several messages at once with all their texts, so the combined turn is visible.
 */
function stallingAgent(stall: (turn: Turn, context: AgentContext, call: Call) => Promise<string>): {
  agent: Agent;
  calls: Call[];
} {
  const calls: Call[] = [];
  const agent = functionAgent(async (turn, context) => {
    const call: Call = {
      texts: turn.messages.map((message) => message.body),
      aborted: false,
      finished: false,
    };
    calls.push(call);
    const answer =
      turn.messages.length === 1
        ? await stall(turn, context, call)
        : `Answer to: ${call.texts.join(" | ")}`;
    call.aborted = context.signal.aborted;
    call.finished = true;
    return answer;
  });
  return { agent, calls };
}

const interruptPolicy = { defaultPolicy: { mode: "interrupt" } } as const;

describe("interrupt policy", () => {
  it("aborts the running model call and answers the combined messages in one turn", async () => {
    const { agent, calls } = stallingAgent(async (_turn, context) => {
      await abortedOrAfter(context.signal, 8_000);
      return "never sent: the turn was interrupted";
    });
    harness = await startHarness({ agent, mailbox: interruptPolicy });
    const interrupted: string[] = [];
    harness.switchboard.events.on("turn.interrupted", (event) => interrupted.push(event.turnId));
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551247001" });
    const { conversationSid } = await customer.send("I'd like a city bike");
    await eventually(() => (calls.length === 1 ? true : undefined), "the first model call");
    await customer.send("for Saturday, two of them");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the answer");
    await sleep(500);
    expect(customer.messages().map((message) => message.body)).toEqual([
      "Answer to: I'd like a city bike | for Saturday, two of them",
    ]);
    expect(calls.map((call) => [call.texts, call.aborted])).toEqual([
      [["I'd like a city bike"], true],
      [["I'd like a city bike", "for Saturday, two of them"], false],
    ]);
    expect(interrupted).toHaveLength(1);
    const history = await harness.mailbox.history(conversationSid);
    // Both messages answered by the one reply of the combined turn, which kept the turn id.
    expect(
      history.map((entry) =>
        entry.direction === "inbound" ? `${entry.status}` : `${entry.turnId}:${entry.body}`,
      ),
    ).toEqual(["done", "done", `${interrupted[0]}:${customer.messages()[0]!.body}`]);
    expect(await botMessages(harness.emulator, conversationSid)).toHaveLength(1);
    expect(
      harness.log.lines.some(
        (line) => line.level === "info" && /turn interrupted/.test(line.message ?? ""),
      ),
    ).toBe(true);
  });

  it("queues the new message once the running turn journaled a tool step", async () => {
    let bookings = 0;
    let journaled = false;
    let finish: () => void = () => {};
    const finishing = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const interrupted: string[] = [];
    const agent = functionAgent(async (turn, context) => {
      if (!turn.text.startsWith("book")) return `Answer to: ${turn.text.replaceAll("\n", " | ")}`;
      const reference = await durableStep(turn, context, "book", () => {
        bookings += 1;
        return `B-${bookings}`;
      });
      journaled = true;
      // The model still writes its answer when the customer writes again.
      await finishing;
      return `Booked ${reference}`;
    });
    harness = await startHarness({ agent, mailbox: interruptPolicy });
    harness.switchboard.events.on("turn.interrupted", (event) => interrupted.push(event.turnId));
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551247002" });
    const { conversationSid } = await customer.send("book a bike for Saturday");
    await eventually(() => (journaled ? true : undefined), "the journaled booking");
    await customer.send("and a helmet please");
    await eventually(async () => {
      const conversation = await harness!.mailbox.conversation(conversationSid);
      return conversation?.pendingCount === 2 ? true : undefined;
    }, "the second message stored");
    await sleep(300);
    finish();
    await eventually(() => (customer.messages().length === 2 ? true : undefined), "two answers");
    await sleep(400);
    expect(customer.messages().map((message) => message.body)).toEqual([
      "Booked B-1",
      "Answer to: and a helmet please",
    ]);
    expect(bookings).toBe(1);
    expect(interrupted).toEqual([]);
  });

  it("sends 'one moment' once for a slow turn that is interrupted and answered combined", async () => {
    const { agent, calls } = stallingAgent(async (_turn, context) => {
      await abortedOrAfter(context.signal, 8_000);
      return "never sent: the turn was interrupted";
    });
    // The combined turn is slow as well: past the threshold again, under the same turn id.
    const slowCombined: Agent = {
      async respond(turn, context) {
        if (turn.messages.length > 1) await sleep(500);
        return agent.respond(turn, context);
      },
    };
    harness = await startHarness({
      agent: slowCombined,
      mailbox: interruptPolicy,
      switchboard: { slowTurn: { afterMs: { sms: 150 }, message: "One moment please." } },
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551247003" });
    const { conversationSid } = await customer.send("is the tandem free");
    await eventually(
      () => (customer.messages().length === 1 ? true : undefined),
      "the one moment message",
    );
    await customer.send("on Sunday?");
    await eventually(() => (customer.messages().length >= 2 ? true : undefined), "the answer");
    await sleep(600);
    expect(customer.messages().map((message) => message.body)).toEqual([
      "One moment please.",
      "Answer to: is the tandem free | on Sunday?",
    ]);
    expect(calls.map((call) => call.aborted)).toEqual([true, false]);
    expect(await botMessages(harness.emulator, conversationSid)).toHaveLength(2);
  });

  it("discards the late answer of an agent that ignores its signal, and starts no effect after", async () => {
    let lateEffects = 0;
    const { agent, calls } = stallingAgent(async (turn, context) => {
      // Ignores the signal: a model SDK that cannot be cancelled.
      await sleep(900);
      await durableStep(turn, context, "notify", () => {
        lateEffects += 1;
      }).catch(() => {});
      return "late answer to the first message only";
    });
    harness = await startHarness({ agent, mailbox: interruptPolicy });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551247004" });
    const { conversationSid } = await customer.send("where is my order");
    await eventually(() => (calls.length === 1 ? true : undefined), "the first model call");
    await customer.send("order 42");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the answer");
    await eventually(() => (calls[0]!.finished ? true : undefined), "the ignored call ending");
    await sleep(600);
    expect(customer.messages().map((message) => message.body)).toEqual([
      "Answer to: where is my order | order 42",
    ]);
    expect(calls[0]!.aborted).toBe(true);
    expect(lateEffects).toBe(0);
    const history = await harness.mailbox.history(conversationSid);
    expect(history.filter((entry) => entry.direction === "outbound")).toHaveLength(1);
  });

  it("ends a flood of messages in one answer to all of them, without dead-lettering", async () => {
    const count = 12;
    const calls: number[] = [];
    // Every turn short of the whole flood stalls until interrupted: twelve interruptions,
    // more than the five attempts a failing turn gets.
    const agent = functionAgent(async (turn, context) => {
      calls.push(turn.messages.length);
      if (turn.messages.length < count) {
        await abortedOrAfter(context.signal, 8_000);
        return "never sent";
      }
      return `Answer to: ${turn.messages.map((message) => message.body).join(" | ")}`;
    });
    harness = await startHarness({ agent, mailbox: interruptPolicy });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15551247006" });
    const { conversationSid } = await customer.send("message 1");
    for (let number = 2; number <= count; number++) {
      // Each message lands while the turn of all earlier ones runs.
      await eventually(() => (calls.at(-1) === number - 1 ? true : undefined), `turn ${number}`);
      await customer.send(`message ${number}`);
    }
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the answer");
    await sleep(500);
    const all = Array.from({ length: count }, (_, position) => `message ${position + 1}`);
    expect(customer.messages().map((message) => message.body)).toEqual([
      `Answer to: ${all.join(" | ")}`,
    ]);
    expect(calls).toEqual(Array.from({ length: count }, (_, position) => position + 1));
    const conversation = await harness.mailbox.conversation(conversationSid);
    expect(conversation?.state).toBe("idle");
    expect(conversation?.pendingCount).toBe(0);
    expect(await harness.mailbox.deadLetters()).toEqual([]);
  });

  it("refuses an unknown policy where it is configured, naming the option", () => {
    let refused: unknown;
    try {
      sqliteMailbox({ path: ":memory:", defaultPolicy: { mode: "interupt" } as never });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused).toMatchObject({ option: "defaultPolicy", message: /interrupt/ });
  });
});

// Two instances on one PostgreSQL schema: the customer's second message reaches the instance
// that is not running the turn; the running one must hear of it through the work notices.
describe.skipIf(testDatabaseUrl === undefined)("interrupt policy across instances", () => {
  it("interrupts a turn running on another instance", async () => {
    const url = testDatabaseUrl!;
    const schema = testSchemaName();
    cleanups.push(() => dropTestSchema(url, schema));
    const emulator = await startEmulator({ webhookRetries: 1, webhookBackoff: () => 20 });
    cleanups.push(() => emulator.close());
    const calls: { instance: string; texts: string[]; aborted: boolean; finished: boolean }[] = [];
    const agentFor = (instance: string) =>
      functionAgent(async (turn, context) => {
        const call = {
          instance,
          texts: turn.messages.map((message) => message.body),
          aborted: false,
          finished: false,
        };
        calls.push(call);
        if (turn.messages.length === 1) {
          // Longer than `eventually` waits, and heartbeats are rarer still: only the
          // interrupt notice can end this call in time.
          await abortedOrAfter(context.signal, 15_000);
          call.aborted = context.signal.aborted;
          call.finished = true;
          return "never sent";
        }
        call.finished = true;
        return `Answer to: ${call.texts.join(" | ")}`;
      });
    const webhooks = new Map<string, string>();
    for (const instance of ["a", "b"]) {
      const switchboard = createSwitchboard({
        provider: await twilioProviderFor(emulator),
        agent: agentFor(instance),
        mailbox: postgresMailbox({
          connectionString: url,
          schema,
          poolSize: 3,
          defaultPolicy: { mode: "interrupt" },
        }),
        logger: capturedLog(),
        workers: { ...fastWorkers, leaseMs: 60_000, heartbeatMs: 20_000 },
        catchUp: { intervalMs: 0 },
        webhook: { authToken: emulator.authToken },
      });
      const served = await serveSwitchboard(switchboard, { port: 0 });
      cleanups.push(() => served.close());
      webhooks.set(instance, `${served.url}/twilio/webhook`);
    }
    // The second message exists at Twilio only once the first call runs: catch-up in the
    // background could otherwise store it first and answer both in one uninterrupted turn.
    const [first] = await seedSmsConversation(emulator, "+15551247005", ["a bike for two days"]);
    expect(await deliverWebhook(emulator, webhooks.get("a")!, first!)).toBe(200);
    await eventually(() => (calls.length === 1 ? true : undefined), "the first model call");
    const other = calls[0]!.instance === "a" ? "b" : "a";
    const second = await addCustomerMessage(
      emulator,
      first!.conversationSid,
      "+15551247005",
      "starting Friday",
    );
    expect(await deliverWebhook(emulator, webhooks.get(other)!, second!)).toBe(200);
    await eventually(() => (calls[0]!.finished ? true : undefined), "the interrupted call");
    expect(calls[0]!.aborted).toBe(true);
    const replies = await eventually(async () => {
      const sent = await botMessages(emulator, first!.conversationSid);
      return sent.length > 0 ? sent : undefined;
    }, "the combined answer");
    await sleep(500);
    expect(replies.map((reply) => reply.body)).toEqual([
      "Answer to: a bike for two days | starting Friday",
    ]);
    expect(calls.at(-1)!.texts).toEqual(["a bike for two days", "starting Friday"]);
    expect(await botMessages(emulator, first!.conversationSid)).toHaveLength(1);
  }, 30_000);

  it("gives the turn back when a forged interrupt notice names a lease still held", async () => {
    const url = testDatabaseUrl!;
    const schema = testSchemaName();
    cleanups.push(() => dropTestSchema(url, schema));
    const emulator = await startEmulator({ webhookRetries: 1, webhookBackoff: () => 20 });
    cleanups.push(() => emulator.close());
    const calls: boolean[] = [];
    const log = capturedLog();
    const switchboard = createSwitchboard({
      provider: await twilioProviderFor(emulator),
      // The first call stalls until aborted; the re-run answers.
      agent: functionAgent(async (turn, context) => {
        const position = calls.push(false) - 1;
        if (position === 0) {
          await abortedOrAfter(context.signal, 15_000);
          calls[position] = context.signal.aborted;
          return "never sent";
        }
        return `Answer to: ${turn.text}`;
      }),
      // The default policy, queue: nothing may interrupt this turn.
      mailbox: postgresMailbox({ connectionString: url, schema, poolSize: 3 }),
      logger: log,
      workers: { ...fastWorkers, leaseMs: 60_000, heartbeatMs: 20_000 },
      catchUp: { intervalMs: 0 },
      webhook: { authToken: emulator.authToken },
    });
    const served = await serveSwitchboard(switchboard, { port: 0 });
    cleanups.push(() => served.close());
    const [message] = await seedSmsConversation(emulator, "+15551247007", ["a tandem please"]);
    expect(await deliverWebhook(emulator, `${served.url}/twilio/webhook`, message!)).toBe(200);
    await eventually(() => (calls.length === 1 ? true : undefined), "the first model call");
    const { rows } = await adminQuery(
      url,
      `SELECT lease_version FROM ${schema}.conversations WHERE conversation_sid = $1`,
      [message!.conversationSid],
    );
    await adminQuery(url, "SELECT pg_notify($1, $2)", [
      `switchboard_work_${schema}`,
      JSON.stringify({
        kind: "interrupt",
        conversationSid: message!.conversationSid,
        leaseVersion: Number(rows[0]!.lease_version),
        from: "forger",
      }),
    ]);
    const replies = await eventually(async () => {
      const sent = await botMessages(emulator, message!.conversationSid);
      return sent.length > 0 ? sent : undefined;
    }, "the answer of the re-run");
    await sleep(500);
    expect(replies.map((reply) => reply.body)).toEqual(["Answer to: a tandem please"]);
    expect(calls).toEqual([true, false]);
    expect(
      log.lines.some(
        (line) => line.level === "warn" && /lease still held/.test(line.message ?? ""),
      ),
    ).toBe(true);
    expect(await botMessages(emulator, message!.conversationSid)).toHaveLength(1);
  }, 30_000);
});
