import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import {
  type CliProcess,
  emulatorEnv,
  freePort,
  killChildren,
  requireBuiltCli,
  runCli,
} from "./run-cli.js";

/**
 * What `dev` and `serve` refuse at start, and how: one line naming the setting and what it
 * accepts, exit 1 for a bad environment (2 for a bad command line), never a stack trace.
 * Runs the built CLI; `serve` talks to an in-process emulator.
 */
let emulator: Emulator;
let cwd: string;

beforeAll(requireBuiltCli);
beforeAll(async () => {
  emulator = await startEmulator();
  cwd = mkdtempSync(join(tmpdir(), "switchboard-refusals-"));
});
afterAll(async () => {
  killChildren();
  await emulator?.close();
  if (cwd !== undefined) rmSync(cwd, { recursive: true, force: true });
});

const twilioEnv = () => emulatorEnv(emulator);

/** `serve` on loopback with its own mailbox, so a run never meets another's files. */
function serve(args: string[], env: NodeJS.ProcessEnv, folder = cwd): CliProcess {
  const database = join(mkdtempSync(join(cwd, "mailbox-")), "mailbox.db");
  return runCli(["serve", "--database", database, ...args], {
    cwd: folder,
    env: { ...twilioEnv(), ...env },
  });
}

async function devEnv(extra: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  return {
    PORT: String(await freePort()),
    EMULATOR_PORT: String(await freePort()),
    ...extra,
  };
}

/** Exits with `code` and says only `line` on stderr: no stack, no usage block. */
async function expectOneLine(cli: CliProcess, code: number, line: RegExp): Promise<void> {
  expect(await cli.exited).toBe(code);
  expect(cli.stderr().trimEnd().split("\n").at(-1)).toMatch(line);
  expect(cli.stderr()).not.toMatch(/^\s+at /m);
  expect(cli.stderr()).not.toMatch(/Node\.js v\d/);
}

describe("LOG_LEVEL and LOG_FORMAT", () => {
  const level =
    /: LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent; got "verbose"\.$/;
  const format = /: LOG_FORMAT must be one of json, pretty; got "bogus"\.$/;

  it("dev refuses an unknown LOG_LEVEL in one line, exit 1", async () => {
    const cli = runCli(["dev"], { cwd, env: await devEnv({ LOG_LEVEL: "verbose" }) });
    await expectOneLine(cli, 1, new RegExp(`^switchboard dev${level.source}`));
  });

  it("serve refuses an unknown LOG_LEVEL in one line, exit 1", async () => {
    const cli = serve(["--port", "0", "--host", "127.0.0.1"], { LOG_LEVEL: "verbose" });
    await expectOneLine(cli, 1, new RegExp(`^switchboard serve${level.source}`));
  });

  it("dev refuses an unknown LOG_FORMAT rather than ignoring it", async () => {
    const cli = runCli(["dev"], { cwd, env: await devEnv({ LOG_FORMAT: "bogus" }) });
    await expectOneLine(cli, 1, new RegExp(`^switchboard dev${format.source}`));
  });

  it("serve refuses an unknown LOG_FORMAT rather than ignoring it", async () => {
    const cli = serve(["--port", "0", "--host", "127.0.0.1"], { LOG_FORMAT: "bogus" });
    await expectOneLine(cli, 1, new RegExp(`^switchboard serve${format.source}`));
  });
});

describe("serve's host", () => {
  it.each([
    ["--host", ["--host", "not.a.host.invalid"], {}],
    ["HOST", [], { HOST: "not.a.host.invalid" }],
  ])(
    "a %s that does not resolve is one line naming HOST or --host, exit 1",
    async (_, args, env) => {
      const cli = serve(["--port", "0", ...args], env);
      await expectOneLine(
        cli,
        1,
        /^switchboard serve: .*not\.a\.host\.invalid.*\(the host name not\.a\.host\.invalid does not resolve to an address; set HOST or --host\)$/,
      );
    },
  );
});

describe("a start that fails", () => {
  it("dev with its port taken says why in one line and never that it stopped", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const folder = mkdtempSync(join(cwd, "dev-"));
      const cli = runCli(["dev"], { cwd: folder, env: await devEnv({ PORT: String(port) }) });
      await expectOneLine(cli, 1, new RegExp(`port ${port} is in use; set PORT`));
      // Nothing had started, so nothing "stopped".
      expect(`${cli.stdout()}${cli.stderr()}`).not.toContain("switchboard stopped");
    } finally {
      blocker.close();
    }
  });
});

describe("SWITCHBOARD_METRICS_TOKEN", () => {
  it("is refused when shorter than the console token's minimum, without echoing it", async () => {
    const cli = serve(["--port", "0", "--host", "127.0.0.1"], {
      SWITCHBOARD_METRICS_TOKEN: "a",
    });
    await expectOneLine(
      cli,
      1,
      /^switchboard serve: SWITCHBOARD_METRICS_TOKEN must be at least 22 printable characters without spaces/,
    );
    expect(cli.stderr()).not.toContain('"a"');
  });

  it("is refused in the config file, which names the variable instead", async () => {
    const folder = mkdtempSync(join(cwd, "config-"));
    writeFileSync(
      join(folder, "switchboard.config.mjs"),
      'export default { metrics: { token: "a-metrics-token-long-enough-1234" } };\n',
    );
    const cli = serve(["--port", "0", "--host", "127.0.0.1"], {}, folder);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(
      /metrics\.token: secrets do not belong in the config file; set SWITCHBOARD_METRICS_TOKEN/,
    );
  });

  it("protects /metrics when long enough", async () => {
    const port = await freePort();
    const token = "a-metrics-token-long-enough-1234";
    const cli = serve(["--port", String(port), "--host", "127.0.0.1"], {
      SWITCHBOARD_METRICS_TOKEN: token,
    });
    await cli.printed(/Press Ctrl\+C/);
    const metrics = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(metrics)).status).toBe(401);
    const allowed = await fetch(metrics, { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    await allowed.text();
    expect(await cli.stop()).toBe(0);
  });
});

describe("help", () => {
  it("switchboard help <unknown> names the commands in one line and exits 2", async () => {
    const cli = runCli(["help", "bogus"]);
    expect(await cli.exited).toBe(2);
    expect(cli.stdout()).toBe("");
    expect(cli.stderr()).toBe(
      'switchboard help: unknown command "bogus"; the commands are emulator, dev, serve, setup, conversations, send, migrate\n',
    );
  });

  it.each([[["help", "dev"]], [["dev", "--help"]]])("%j explains --fresh", async (args) => {
    const cli = runCli(args);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/^Usage: switchboard dev .*\[--fresh\]/);
    expect(cli.stdout()).toMatch(/^--fresh: forget \.switchboard\/ first/m);
  });
});

describe("dev with TWILIO_ACCOUNT_SID set", () => {
  it("first says, in one line, that it runs serve against real Twilio and how to get the emulator", async () => {
    const cli = runCli(["dev"], { cwd, env: { TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}` } });
    expect(await cli.exited).toBe(1);
    const [notice, verdict] = cli.stderr().split("\n");
    expect(notice).toBe(
      "switchboard dev: TWILIO_ACCOUNT_SID is set, so this runs `switchboard serve` against your real Twilio account, not the local emulator; for the emulator, unset TWILIO_ACCOUNT_SID (`env -u TWILIO_ACCOUNT_SID npm start`).",
    );
    expect(verdict).toMatch(/^switchboard serve: .*TWILIO_CONVERSATIONS_SERVICE_SID/);
  });

  it("names the emulator URL instead when SWITCHBOARD_TWILIO_EMULATOR_URL sends requests there", async () => {
    const cli = runCli(["dev", "--port", "x"], { cwd, env: twilioEnv() });
    expect(await cli.exited).toBe(2);
    expect(cli.stderr().split("\n")[0]).toBe(
      `switchboard dev: TWILIO_ACCOUNT_SID is set, so this runs \`switchboard serve\` against the Twilio API at ${emulator.url} (SWITCHBOARD_TWILIO_EMULATOR_URL), not the local emulator; for the emulator, unset TWILIO_ACCOUNT_SID (\`env -u TWILIO_ACCOUNT_SID npm start\`).`,
    );
  });
});
