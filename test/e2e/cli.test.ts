import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { freePort, killChildren, requireBuiltCli, runCli } from "./run-cli.js";

/**
 * The CLI explains itself: a version, help on every command, flags checked before
 * credentials, the user's own input quoted as typed, operator names shown, and the URL it
 * could not reach named. Runs the built CLI as a user does, with no TWILIO_* variables
 * unless a test gives them.
 */
beforeAll(requireBuiltCli);
afterAll(killChildren);

const version = (await import("../../package.json", { with: { type: "json" } })).default.version;

describe("switchboard --version", () => {
  it.each([["--version"], ["-v"], ["version"]])(
    "%s prints the version and exits 0",
    async (flag) => {
      const cli = runCli([flag]);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toMatch(
        new RegExp(`^switchboard ${version.replaceAll(".", "\\.")} \\(Node\\.js 2\\d\\.`),
      );
    },
  );
});

describe("--help on every command", () => {
  it.each(["emulator", "dev", "serve", "setup", "conversations", "send", "migrate"])(
    "switchboard %s --help prints its usage and exits 0",
    async (command) => {
      const cli = runCli([command, "--help"]);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toMatch(new RegExp(`^Usage: switchboard ${command}`));
      expect(cli.stderr()).toBe("");
    },
  );

  it("switchboard help dev is dev --help, and dev's usage names --model", async () => {
    const cli = runCli(["help", "dev"]);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/^Usage: switchboard dev \[--model PROVIDER:MODEL\]/);
  });

  it("conversations list --help helps rather than rejecting the flag", async () => {
    const cli = runCli(["conversations", "list", "--help"]);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/^Usage: switchboard conversations/);
  });
});

describe("flags are checked before credentials", () => {
  it.each([
    [["dev", "--bogus"], /switchboard dev: unknown flag --bogus[\s\S]*Usage: switchboard dev/],
    [["serve", "--bogus"], /unknown flag --bogus/],
    [
      ["conversations", "list", "--state", "weird"],
      /--state must be active, inactive or closed, not "weird"/,
    ],
    [["conversations", "list", "--limit", "0"], /--limit must be a positive integer, not "0"/],
    [["conversations", "frobnicate"], /unknown action "frobnicate"/],
    [["conversations", "show", "CH123"], /"CH123" is not a conversation SID/],
    [["send", "CH123", "hi"], /"CH123" is not a conversation SID/],
    [["send", "--bogus"], /unknown flag --bogus/],
    [
      ["setup", "--url", "https://bot.example.com/twilio/webhook", "--sms", "555-0100"],
      /--sms "555-0100" is not an E\.164 phone number; write it with the country code/,
    ],
    [
      [
        "setup",
        "--url",
        "https://bot.example.com/twilio/webhook",
        "--sms",
        "whatsapp:+15551230001",
      ],
      /--sms "whatsapp:\+15551230001" is a WhatsApp address; give it with --whatsapp/,
    ],
  ])("%j exits 2 naming the flag, not a missing TWILIO_ variable", async (args, message) => {
    const cli = runCli(args);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(message);
    // The first line is the verdict; the usage below it may mention the variables.
    expect(cli.stderr().split("\n")[0]).not.toMatch(/TWILIO_/);
  });
});

describe("switchboard dev --model", () => {
  it("refuses a model without its key at start, exit 1, naming the variable", async () => {
    const env = {
      PORT: String(await freePort()),
      EMULATOR_PORT: String(await freePort()),
      LOG_LEVEL: "warn",
    };
    const cwd = mkdtempSync(join(tmpdir(), "switchboard-dev-model-"));
    const cli = runCli(["dev", "--model", "openai:gpt-4o-mini"], { env, cwd });
    expect(await cli.exited).toBe(1);
    rmSync(cwd, { recursive: true, force: true });
    expect(cli.stderr()).toMatch(
      /switchboard dev: --model is "openai:gpt-4o-mini", which needs an API key: set OPENAI_API_KEY\./,
    );
  });
});

describe("operator commands against a running emulator", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const twilioEnv = (url = emulator.url) => ({
    TWILIO_ACCOUNT_SID: emulator.accountSid,
    TWILIO_AUTH_TOKEN: emulator.authToken,
    TWILIO_CONVERSATIONS_SERVICE_SID: emulator.serviceSid,
    SWITCHBOARD_TWILIO_EMULATOR_URL: url,
  });

  it("shows the operator's name whole and masks only the customer's number", async () => {
    const customer = emulator.customer({ channel: "sms", address: "+15551230099" });
    const { conversationSid } = await customer.send("Do you rent bikes?");
    const send = runCli(["send", conversationSid, "A person here."], { env: twilioEnv() });
    expect(await send.exited).toBe(0);
    const show = runCli(["conversations", "show", conversationSid], { env: twilioEnv() });
    expect(await show.exited).toBe(0);
    expect(show.stdout()).toMatch(/\+1555\*\*\*0099: Do you rent bikes\?/);
    expect(show.stdout()).toMatch(/ operator: A person here\./);
    expect(show.stdout()).not.toContain("op***or");
    expect(show.stdout()).not.toContain("+15551230099");
  });

  it("names the URL it could not reach", async () => {
    const closed = await closedPort();
    const cli = runCli(["conversations", "list"], {
      env: twilioEnv(`http://127.0.0.1:${closed}`),
    });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(
      new RegExp(
        `could not reach Twilio at http://127\\.0\\.0\\.1:${closed}/v1/Services/IS[0-9a-f]{32}/Conversations \\(ECONNREFUSED\\)`,
      ),
    );
  });
});

/** A port that was free a moment ago and has nothing listening now. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
