import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from "../emulator/webhooks/start-webhook-receiver.js";
import { parseEmulatorFlags } from "./parse-emulator-flags.js";

/**
 * The built CLI as a user runs it: `node dist/cli/main.js emulator …` in a child process,
 * its printed URL and credentials used for real, and its exit codes.
 */
const main = "dist/cli/main.js";
let receiver: WebhookReceiver;
const children: ChildProcess[] = [];

beforeAll(() => {
  // `npm test` builds dist first (its `pretest`); building here would cost every run.
  if (!existsSync(main))
    throw new Error(`${main} is missing: run \`npm run build\` first (npm test does it itself).`);
});
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await receiver?.close();
});

function run(args: string[], environment: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [main, ...args], {
    env: { ...process.env, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const printed = async (pattern: RegExp) => {
    while (!pattern.test(stdout)) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return stdout;
  };
  return { child, exited, printed, output: () => ({ stdout, stderr }) };
}

const field = (text: string, label: string) =>
  new RegExp(`${label}\\s+(\\S+)`).exec(text)?.[1] ?? "";

describe("switchboard emulator", () => {
  it("prints its URL and credentials, delivers a signed webhook for an inbound SMS, stops on SIGTERM", async () => {
    const cli = run(["emulator", "--port", "0", "--webhook-url", `${receiver.url}/hook`]);
    const text = await cli.printed(/Inspector\s+\S+/);
    const url = field(text, "URL");
    const authToken = field(text, "Auth token");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(field(text, "Account SID")).toMatch(/^AC[0-9a-f]{32}$/);
    expect(field(text, "Service SID")).toMatch(/^IS[0-9a-f]{32}$/);
    expect(field(text, "SMS number")).toMatch(/^\+\d+$/);
    expect(field(text, "WhatsApp number")).toMatch(/^whatsapp:\+\d+$/);
    expect(text).toMatch(/local fake/);

    const inbound = await fetch(`${url}/_emulator/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "sms", from: "+15551230001", body: "hello CLI" }),
    });
    expect(inbound.status).toBe(201);
    while (!receiver.received.some((request) => request.params.EventType === "onMessageAdded"))
      await new Promise((resolve) => setTimeout(resolve, 20));
    const added = receiver.received.find(
      (request) => request.params.EventType === "onMessageAdded",
    )!;
    expect(added.params.Body).toBe("hello CLI");
    expect(
      twilio.validateRequest(
        authToken,
        String(added.headers["x-twilio-signature"]),
        added.url,
        added.params,
      ),
    ).toBe(true);

    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toMatch(/stopping the emulator/);
  }, 30_000);

  it("--state keeps conversations across a restart; a corrupt state file exits 1 naming it", async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const folder = mkdtempSync(join(tmpdir(), "emulator-cli-state-"));
    const path = join(folder, "emulator.db");
    try {
      const first = run(["emulator", "--port", "0", "--state", path]);
      const text = await first.printed(/Inspector\s+\S+/);
      expect(field(text, "State")).toBe(path);
      const url = field(text, "URL");
      const inbound = await fetch(`${url}/_emulator/inbound`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ channel: "sms", from: "+15551230001", body: "remember me" }),
      });
      const { conversationSid } = (await inbound.json()) as { conversationSid: string };
      first.child.kill("SIGINT");
      expect(await first.exited).toBe(0);

      const second = run(["emulator", "--port", "0", "--state", path]);
      const again = await second.printed(/Inspector\s+\S+/);
      const client = twilio(field(again, "Account SID"), field(again, "Auth token"), {
        httpClient: new (
          await import("../emulator/http/emulator-request-client.js")
        ).EmulatorRequestClient(field(again, "URL")),
      });
      const messages = await client.conversations.v1.conversations(conversationSid).messages.list();
      expect(messages.map((message) => message.body)).toEqual(["remember me"]);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);

      writeFileSync(path, "garbage ".repeat(1000));
      const broken = run(["emulator", "--port", "0", "--state", path]);
      expect(await broken.exited).toBe(1);
      expect(broken.output().stderr).toContain(path);
      expect(broken.output().stderr).toMatch(/--fresh/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 30_000);

  it.each([
    [["emulator", "--port", "99999"], /--port must be a port number/],
    [["emulator", "--port"], /--port needs a value/],
    [["emulator", "--bogus"], /unknown flag --bogus/],
    [["emulator", "--webhook-url", "not a url"], /--webhook-url must be/],
    [["emulator", "--state"], /--state needs a value/],
    [["nonsense"], /unknown command/],
  ])("exits 2 for %j with a clear message", async (args, message) => {
    const cli = run(args);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(message);
  });

  // `dev` with everything wired is tested end to end in test/e2e/quickstart.test.ts.
  it("dev exits 2 for a bad EMULATOR_PORT and names it", async () => {
    const bad = run(["dev"], { EMULATOR_PORT: "abc" });
    expect(await bad.exited).toBe(2);
    expect(bad.output().stderr).toMatch(/EMULATOR_PORT/);
  });
});

describe("parseEmulatorFlags", () => {
  it("reads both flag forms and defaults", () => {
    expect(parseEmulatorFlags([])).toEqual({ port: 4010, host: "127.0.0.1" });
    expect(
      parseEmulatorFlags(["--port=0", "--host", "::1", "--webhook-url=https://x.test/h"]),
    ).toEqual({
      port: 0,
      host: "::1",
      webhookUrl: "https://x.test/h",
    });
  });

  it.each([
    [["--port", "1", "--port", "2"]],
    [["--host", "--port"]],
    [["stray"]],
    [["--port", "-1"]],
  ])("refuses %j", (argv) => {
    expect(() => parseEmulatorFlags(argv)).toThrow(/--|argument|port/);
  });
});
