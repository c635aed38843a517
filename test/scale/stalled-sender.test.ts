import { type ChildProcess, spawn } from "node:child_process";
import { createServer as createNetServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "../../src/mailbox/postgres/test-support/test-database.js";

const childScript = fileURLToPath(new URL("./scale-child.mjs", import.meta.url));

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One switchboard process (`scale-child.mjs`) and the lines it printed. */
function startInstance(config: Record<string, unknown>) {
  const child: ChildProcess = spawn(process.execPath, [childScript], {
    env: { ...process.env, SWITCHBOARD_CHILD: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    lines,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

async function until(test: () => boolean | Promise<boolean>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Exactly once when a live sender stalls (issue 13): an instance whose event loop stops
 * mid-send (SIGSTOP: the whole process frozen, its request already on its way to Twilio)
 * lapses, and another instance takes its send over. The request lands at Twilio only after
 * the lapse (the emulator holds it 4 s), so a taker that looked for the reply at once would
 * find nothing and send it again. It must wait until the frozen sender's request has landed
 * or timed out, then find the reply: one message at Twilio.
 */
describeWithPostgres("a sender stalled mid-send on PostgreSQL", (databaseUrl) => {
  let emulator: Emulator;
  const schema = testSchemaName();
  const instances: ReturnType<typeof startInstance>[] = [];
  let portA: number;
  let portB: number;

  beforeAll(async () => {
    [portA, portB] = [await freePort(), await freePort()];
    // Webhooks go to A only: B is there to take A's work over.
    emulator = await startEmulator({ webhookUrl: `http://127.0.0.1:${portA}/twilio/webhook` });
  });
  afterAll(async () => {
    for (const instance of instances) {
      instance.child.kill("SIGCONT");
      await instance.kill();
    }
    await emulator?.close();
    await dropTestSchema(databaseUrl, schema);
  });

  it("is taken over without a second reply once its liveness lapses", async () => {
    const configFor = (port: number) => ({
      emulatorUrl: emulator.url,
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      serviceSid: emulator.serviceSid,
      databaseUrl,
      schema,
      port,
      webhookUrl: `http://127.0.0.1:${portA}/twilio/webhook`,
      agentDelayMs: 0,
      settleWindowMs: 0,
      instanceLivenessMs: 1000,
    });
    const a = startInstance(configFor(portA));
    const b = startInstance(configFor(portB));
    instances.push(a, b);
    await until(() => a.lines.includes("ready"), "instance A ready");
    await until(() => b.lines.includes("ready"), "instance B ready");
    // B is frozen until A is: A alone takes the turn and the send, and B, started already,
    // takes over at once when thawed (a process starting then would be slower than the lapse).
    b.child.kill("SIGSTOP");

    // The reply's request is held 4 s at Twilio before it is processed: it lands after A
    // lapses (1 s liveness) and well before A's send bound (5 s) cuts it off.
    const rule = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        match: { method: "POST", path: "/Messages" },
        fault: { delayMs: 4000 },
        times: 1,
      }),
    });
    expect(rule.status).toBe(201);
    const customer = emulator.customer({ channel: "sms", address: "+15554000001" });
    const { conversationSid } = await customer.send("hello");

    // The rule is used up once A's request is at Twilio: freeze A there.
    await until(async () => {
      const answer = (await (await fetch(`${emulator.url}/_emulator/faults`)).json()) as {
        faults: unknown[];
      };
      return answer.faults.length === 0;
    }, "A's reply request reaching Twilio");
    a.child.kill("SIGSTOP");
    const heldUntil = Date.now() + 4000;
    b.child.kill("SIGCONT");
    // B settles the reply (found at Twilio, or sent): it prints `sent` either way.
    await until(() => b.lines.some((line) => line.startsWith("sent ")), "B settling the reply");
    // A thaws: its late answer is fenced out, and nothing more is sent. Look once A's held
    // request has surely landed, so a second reply would show.
    a.child.kill("SIGCONT");
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, heldUntil - Date.now()) + 2000));

    const messages = await emulator
      .twilioClient()
      .conversations.v1.services(emulator.serviceSid)
      .conversations(conversationSid)
      .messages.list({ limit: 50 });
    const replies = messages.filter((message) => message.author === "switchboard");
    expect(replies.map((reply) => reply.body)).toEqual(["re: hello"]);
  }, 60_000);
});
