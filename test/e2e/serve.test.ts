import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import {
  emulatorEnv,
  freePort,
  killChildren,
  requireBuiltCli,
  runCli,
  waitFor,
} from "./run-cli.js";

/**
 * `switchboard serve`, `setup`, `conversations` and `send` as an operator runs them, against
 * a running emulator (`SWITCHBOARD_TWILIO_EMULATOR_URL` sends the official SDK there, since
 * real Twilio hosts cannot be pointed elsewhere by credentials alone).
 */
let emulator: Emulator;
let cwd: string;

beforeAll(requireBuiltCli);
beforeAll(async () => {
  emulator = await startEmulator();
  cwd = mkdtempSync(join(tmpdir(), "switchboard-serve-"));
});
afterAll(async () => {
  killChildren();
  await emulator?.close();
  if (cwd !== undefined) rmSync(cwd, { recursive: true, force: true });
});

const twilioEnv = () => emulatorEnv(emulator);

describe("switchboard serve", () => {
  it("fails fast naming the missing variable", async () => {
    const cli = runCli(["serve"], { cwd });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/TWILIO_ACCOUNT_SID/);
  });

  it.each([
    [["serve", "--bogus"], /unknown flag --bogus/],
    [["serve", "--port"], /--port needs a value/],
    [["serve", "--twilio-emulator", "nope"], /must be an http\(s\) URL/],
    [["serve", "--twilio-emulator", "http://emulator.example.com"], /must point at this machine/],
    [["serve", "--trust-proxy", "yes"], /--trust-proxy: "yes" is not an IP address/],
    [["serve", "--port", "99999"], /--port must be a port number/],
    [["serve", "--port=-1"], /--port must be a port number/],
    [["serve", "--database", "mysql://x"], /--database uses the unsupported scheme "mysql:"/],
    [["serve", "--host", "a b"], /--host is not a host name/],
    [["serve", "--public-url", "ftp://bot.example.com"], /--public-url must use http or https/],
  ])("exits 2 for %j", async (args, message) => {
    const cli = runCli(args, { cwd, env: twilioEnv() });
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(message);
    expect(cli.stderr()).toMatch(/Usage: switchboard serve/);
  });

  it("exits 1 naming the port and the setting when the port is taken, without a stack", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const cli = runCli(
        [
          "serve",
          "--port",
          String(port),
          "--host",
          "127.0.0.1",
          "--database",
          join(cwd, "taken.db"),
        ],
        { cwd, env: twilioEnv() },
      );
      expect(await cli.exited).toBe(1);
      expect(cli.stderr()).toContain(`port ${port} is in use; set PORT or --port`);
      expect(cli.stderr()).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("exits 1 with the variable to check when the credentials are wrong", async () => {
    const cli = runCli(["serve", "--port", "0", "--host", "127.0.0.1"], {
      cwd,
      env: { ...twilioEnv(), TWILIO_AUTH_TOKEN: "0".repeat(32) },
    });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/TWILIO_AUTH_TOKEN|credentials/i);
  });

  it("protects the console with a token when bound beyond loopback", async () => {
    const port = await freePort();
    // Its own folder: the token is generated (and shown) once per mailbox folder.
    const tokenDatabase = join(mkdtempSync(join(cwd, "token-")), "token.db");
    const serve = runCli(
      ["serve", "--port", String(port), "--host", "0.0.0.0", "--database", tokenDatabase],
      { cwd, env: twilioEnv() },
    );
    const banner = await serve.printed(/Press Ctrl\+C/);
    // Shown once, on stderr (stdout carries the JSON logs).
    expect(banner).not.toMatch(/Console token\s+\S{20}/);
    while (!/Console token\s+\S+/.test(serve.stderr()))
      await new Promise((resolve) => setTimeout(resolve, 25));
    const token = /Console token\s+(\S+)/.exec(serve.stderr())?.[1] ?? "";
    expect(token.length).toBeGreaterThanOrEqual(20);
    const info = `http://127.0.0.1:${port}/api/info`;
    expect((await fetch(info)).status).toBe(401);
    expect((await fetch(info, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const allowed = await fetch(info, { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect((await allowed.json()).mode).toBe("serve");
    expect(await serve.stop("SIGINT")).toBe(0);

    const chosen = runCli(
      ["serve", "--port", String(port), "--host", "0.0.0.0", "--database", tokenDatabase],
      { cwd, env: { ...twilioEnv(), SWITCHBOARD_CONSOLE_TOKEN: "a-chosen-console-token-1234" } },
    );
    expect(await chosen.printed(/Press Ctrl\+C/)).not.toMatch(/Console token/);
    const withChosen = await fetch(info, {
      headers: { authorization: "Bearer a-chosen-console-token-1234" },
    });
    expect(withChosen.status).toBe(200);
    expect(await chosen.stop()).toBe(0);
  }, 30_000);

  it("answers customers through the emulator, sets itself up idempotently, and stops on SIGTERM", async () => {
    const port = await freePort();
    const database = join(cwd, "serve-mailbox.db");
    const serve = runCli(
      ["serve", "--port", String(port), "--host", "127.0.0.1", "--database", database],
      { cwd, env: twilioEnv() },
    );
    await serve.printed(/Press Ctrl\+C/);
    const webhookUrl = `http://127.0.0.1:${port}/twilio/webhook`;

    const dryRun = runCli(
      ["setup", "--url", webhookUrl, "--sms", emulator.numbers.sms, "--dry-run"],
      {
        cwd,
        env: twilioEnv(),
      },
    );
    expect(await dryRun.exited).toBe(0);
    expect(dryRun.stdout()).toMatch(/would /);
    expect(dryRun.stdout()).toMatch(/Dry run, nothing changed/);

    const setup = runCli(["setup", "--url", webhookUrl, "--sms", emulator.numbers.sms], {
      cwd,
      env: twilioEnv(),
    });
    expect(await setup.exited).toBe(0);
    expect(setup.stdout()).toMatch(/updated service .* post-event webhook/);

    const again = runCli(["setup", "--url", webhookUrl, "--sms", emulator.numbers.sms], {
      cwd,
      env: twilioEnv(),
    });
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toMatch(/^unchanged: service/m);
    expect(again.stdout()).toMatch(/0 changes/);

    const customer = emulator.customer({ channel: "sms", address: "+15551230042" });
    const { conversationSid } = await customer.send("Where are you located?");
    const answered = await waitFor(
      async () => customer.messages(),
      (messages) => messages.length > 0,
    );
    expect(answered[0]!.body).toMatch(/14 Quay Street/);

    const send = runCli(["send", conversationSid, "A person here: see you soon!"], {
      cwd,
      env: twilioEnv(),
    });
    expect(await send.exited).toBe(0);
    expect(send.stdout()).toMatch(/^sent IM[0-9a-f]{32}/);
    await waitFor(
      async () => customer.messages(),
      (messages) => messages.some((message) => message.body === "A person here: see you soon!"),
    );

    const list = runCli(["conversations", "list"], { cwd, env: twilioEnv() });
    expect(await list.exited).toBe(0);
    expect(list.stdout()).toContain(conversationSid);

    const show = runCli(["conversations", "show", conversationSid], { cwd, env: twilioEnv() });
    expect(await show.exited).toBe(0);
    expect(show.stdout()).toMatch(/Where are you located\?/);
    expect(show.stdout()).not.toContain("+15551230042");

    const close = runCli(["conversations", "close", conversationSid], { cwd, env: twilioEnv() });
    expect(await close.exited).toBe(0);
    const bad = runCli(["conversations", "show", "CHnope"], { cwd, env: twilioEnv() });
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/not a conversation SID/);

    expect(await serve.stop("SIGTERM")).toBe(0);
    expect(serve.stderr()).toMatch(/Stopped\./);
  }, 60_000);
});
