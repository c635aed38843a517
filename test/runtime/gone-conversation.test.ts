import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import {
  EmulatorRequestClient,
  type EmulatorRequestOptions,
} from "../../src/emulator/http/emulator-request-client.js";
import { type Emulator, startEmulator } from "../../src/emulator/start-emulator.js";
import { listenHttp } from "../../src/http/listen-http.js";
import { createLogger } from "../../src/log/create-logger.js";
import type { SwitchboardEventMap } from "../../src/runtime/switchboard-events.js";
import { createService, type Service } from "../../src/service/create-service.js";

/**
 * Issue 14 item 4: a Twilio that forgot. Conversations are deleted behind the running
 * service's back (the emulator's REST delete, as a user would in the Twilio console), and
 * the service keeps its composure: each is marked gone once with one warn line and no stack
 * trace, catch-up stops reading it, the console shows it gone and refuses an operator's reply
 * with a clear 409, a web chat visitor is moved to a fresh conversation without asking, and a
 * reply on its way is settled failed with a clear reason instead of being retried.
 */

/** Every REST request the service makes, as `METHOD path`. */
const requests: string[] = [];
class RecordingRequestClient extends EmulatorRequestClient {
  override request<TData>(options: EmulatorRequestOptions<TData>) {
    requests.push(`${options.method.toUpperCase()} ${new URL(options.uri).pathname}`);
    return super.request<TData>(options);
  }
}

/** The service's log, one parsed JSON line each. */
const logLines: { level: string; msg: string; conversationSid?: string; err?: unknown }[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split("\n"))
      if (line.trim() !== "") logLines.push(JSON.parse(line));
    done();
  },
});
const troubleLevels = new Set(["warn", "error", "fatal"]);

/** Replies to a message containing "hold" wait until the test lets them go. */
let releaseHeld: () => void = () => {};
const held = new Promise<void>((resolve) => {
  releaseHeld = resolve;
});
let heldTurns = 0;

let emulator: Emulator;
let folder: string;
let service: Service;
let server: Awaited<ReturnType<typeof listenHttp>>;
const failedReplies: SwitchboardEventMap["reply.failed"][] = [];

beforeAll(async () => {
  emulator = await startEmulator({ webhookRetries: 0 });
  folder = mkdtempSync(join(tmpdir(), "gone-conversation-"));
  service = await createService({
    mode: "serve",
    host: "127.0.0.1",
    port: 0,
    stateDirectory: folder,
    environment: {},
    database: { kind: "sqlite", path: join(folder, "mailbox.db") },
    agent: functionAgent(async (turn) => {
      if (turn.text.includes("hold")) {
        heldTurns += 1;
        await held;
      }
      return `re: ${turn.text}`;
    }),
    twilio: {
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      serviceSid: emulator.serviceSid,
      httpClient: new RecordingRequestClient(emulator.url),
    },
    webhookPath: "/twilio/webhook",
    consoleInfo: { channels: ["sms", "chat"], numbers: {} },
    logger: createLogger({ level: "info", env: {}, destination: logSink }),
  });
  server = await listenHttp(service.handler);
  await service.start();
  service.switchboard.events.on("reply.failed", (event) => failedReplies.push(event));
  await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .configuration.webhooks()
    .update({
      postWebhookUrl: `${server.url}/twilio/webhook`,
      method: "POST",
      filters: ["onMessageAdded"],
    });
});
afterAll(async () => {
  releaseHeld();
  await server?.close();
  await service?.close();
  await emulator?.close();
  rmSync(folder, { recursive: true, force: true });
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function call<T = Record<string, unknown>>(
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const bearer = token ?? (path.startsWith("/api/") ? service.consoleToken : undefined);
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      // `serve` always guards the console: its API calls carry the service's console token.
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as T };
}

interface ConsoleView {
  conversation: { sid: string; state: string; goneReason?: string };
  messages: { role: string; body: string | null; status?: string }[];
}

const transcript = (sid: string) => call<ConsoleView>("GET", `/api/conversations/${sid}`);
const answered = (sid: string) =>
  waitFor(
    async () => (await transcript(sid)).body,
    // Sent, not just queued: deleting it before the send would make this a different test.
    (view) =>
      view.messages?.some((message) => message.role === "agent" && message.status === "sent") ??
      false,
  );
const deleteInTwilio = (sid: string) =>
  emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .conversations(sid)
    .remove();
const goneLines = (sid: string) =>
  logLines.filter(
    (line) =>
      line.level === "warn" && line.conversationSid === sid && /no longer has/.test(line.msg),
  );
const messageReads = (sid: string) =>
  requests.filter((request) => request.startsWith("GET ") && request.includes(`/${sid}/Messages`));

describe("a conversation Twilio no longer has", () => {
  it("is marked gone once by catch-up, which stops reading it; the console shows it and refuses replies", async () => {
    const customer = emulator.customer({ channel: "sms", address: "+15557000001" });
    const { conversationSid } = await customer.send("When are you open?");
    await answered(conversationSid);
    await deleteInTwilio(conversationSid);

    await service.switchboard.catchUp();
    const reads = messageReads(conversationSid).length;
    expect(reads).toBeGreaterThan(0);
    await service.switchboard.catchUp();
    await service.switchboard.catchUp();
    // Read once (the 404), never again.
    expect(messageReads(conversationSid)).toHaveLength(reads);

    // One warn line, naming the conversation, without a stack trace; nothing else about it.
    expect(goneLines(conversationSid), JSON.stringify(goneLines(conversationSid))).toHaveLength(1);
    expect(goneLines(conversationSid)[0]).not.toHaveProperty("err");
    const aboutIt = logLines.filter(
      (line) => troubleLevels.has(line.level) && line.conversationSid === conversationSid,
    );
    expect(aboutIt, JSON.stringify(aboutIt)).toHaveLength(1);
    expect(JSON.stringify(logLines)).not.toMatch(/\n\s+at /);

    const list = await call<{ conversations: { sid: string; state: string }[] }>(
      "GET",
      "/api/conversations",
    );
    expect(list.body.conversations.find((item) => item.sid === conversationSid)?.state).toBe(
      "gone",
    );
    const view = await transcript(conversationSid);
    expect(view.body.conversation).toMatchObject({ state: "gone" });
    expect(view.body.conversation.goneReason).toMatch(/not_found/);
    // Its history stays readable.
    expect(view.body.messages.map((message) => message.body)).toContain("When are you open?");

    const sendsBefore = requests.filter((request) => request.startsWith("POST ")).length;
    const reply = await call<{ error: { code: string; message: string } }>(
      "POST",
      `/api/conversations/${conversationSid}/reply`,
      { text: "Sorry for the wait" },
    );
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe("conversation_gone");
    expect(reply.body.error.message).toMatch(/no longer exists in Twilio/);
    // Refused from the mark, without asking Twilio.
    expect(requests.filter((request) => request.startsWith("POST ")).length).toBe(sendsBefore);
  });

  it("refuses an operator's reply with 409 when the console is first to find out, and marks it", async () => {
    const customer = emulator.customer({ channel: "sms", address: "+15557000002" });
    const { conversationSid } = await customer.send("Do you rent bikes?");
    await answered(conversationSid);
    await deleteInTwilio(conversationSid);

    const reply = await call<{ error: { code: string } }>(
      "POST",
      `/api/conversations/${conversationSid}/reply`,
      { text: "Yes we do" },
    );
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe("conversation_gone");
    expect((await transcript(conversationSid)).body.conversation.state).toBe("gone");
    expect(goneLines(conversationSid)).toHaveLength(1);

    // Catch-up does not read it again.
    const reads = messageReads(conversationSid).length;
    await service.switchboard.catchUp();
    expect(messageReads(conversationSid)).toHaveLength(reads);
    expect(goneLines(conversationSid)).toHaveLength(1);
  });

  it("moves a web chat visitor whose conversation vanished to a fresh one, unasked", async () => {
    const started = await call<{ token: string; identity: string; conversationSid: string }>(
      "POST",
      "/webchat/session",
      {},
    );
    expect(started.status).toBe(201);
    const visitor = started.body;
    expect(
      (await call("POST", "/webchat/messages", { text: "Hello there" }, visitor.token)).status,
    ).toBe(202);
    await answered(visitor.conversationSid);
    await deleteInTwilio(visitor.conversationSid);

    // The open widget's next message is refused with a code it acts on (not a 500)…
    const refused = await call<{ error: { code: string } }>(
      "POST",
      "/webchat/messages",
      { text: "Are you still there?" },
      visitor.token,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("conversation_gone");
    // …and so is its stream, before it opens.
    const stream = await fetch(
      `${server.url}/webchat/stream?ticket=${
        (
          (await (
            await fetch(`${server.url}/webchat/stream-ticket`, {
              method: "POST",
              headers: { authorization: `Bearer ${visitor.token}` },
            })
          ).json()) as { ticket: string }
        ).ticket
      }`,
    );
    expect(stream.status).toBe(409);
    await stream.body?.cancel();

    // Its session call (a page load, or the widget renewing) starts a fresh conversation
    // under the same identity.
    const renewed = await call<{
      token: string;
      identity: string;
      conversationSid: string;
      resumed: boolean;
    }>("POST", "/webchat/session", { token: visitor.token });
    expect(renewed.status).toBe(201);
    expect(renewed.body).toMatchObject({ identity: visitor.identity, resumed: false });
    expect(renewed.body.conversationSid).not.toBe(visitor.conversationSid);
    expect(
      (
        await call(
          "POST",
          "/webchat/messages",
          { text: "Are you still there?" },
          renewed.body.token,
        )
      ).status,
    ).toBe(202);
    const fresh = await answered(renewed.body.conversationSid);
    expect(fresh.messages.at(-1)?.body).toBe("re: Are you still there?");

    // The console shows the old one gone, said once in the log.
    expect((await transcript(visitor.conversationSid)).body.conversation.state).toBe("gone");
    expect(goneLines(visitor.conversationSid)).toHaveLength(1);
  });

  it("settles a reply to it as failed with a clear reason, without retrying", async () => {
    const customer = emulator.customer({ channel: "sms", address: "+15557000003" });
    const { conversationSid } = await customer.send("Please hold my bike");
    await waitFor(
      async () => heldTurns,
      (turns) => turns > 0,
    );
    await deleteInTwilio(conversationSid);
    releaseHeld();

    const failed = await waitFor(
      async () => failedReplies.filter((event) => event.conversationSid === conversationSid),
      (events) => events.length > 0,
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toMatch(/^conversation gone: Twilio no longer has it/);
    const view = await waitFor(
      async () => (await transcript(conversationSid)).body,
      (body) => body.conversation.state === "gone",
    );
    expect(view.messages.find((message) => message.role === "agent")?.status).toBe("failed");
    // One try, no retries: a 404 cannot turn into a delivery.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sends = requests.filter(
      (request) => request.startsWith("POST ") && request.includes(`/${conversationSid}/Messages`),
    );
    expect(sends).toHaveLength(1);
    expect(goneLines(conversationSid)).toHaveLength(1);
  });
});
