import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The built CLI, as `npm start` runs it. `npm test` builds it first (its `pretest`). */
export const cliPath = resolve("dist/cli/main.js");

export function requireBuiltCli(): void {
  if (!existsSync(cliPath))
    throw new Error(
      `${cliPath} is missing: run \`npm run build\` first (npm test does it itself).`,
    );
}

/** A CLI child process with its output collected. */
export interface CliProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once it matches `pattern`; rejects if the process exits first. */
  printed(pattern: RegExp): Promise<string>;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Kills whatever a test left running (call in `afterAll`). */
export function killChildren(): void {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  children.clear();
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  // Only what the command needs: no TWILIO_* from the developer's shell leaks in.
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...base, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const cli: CliProcess = {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    async printed(pattern) {
      while (!pattern.test(stdout)) {
        if (child.exitCode !== null)
          throw new Error(`exited ${child.exitCode}:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return stdout;
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
  return cli;
}

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** `switchboard dev` in a fresh working directory, as a newcomer runs `npm start`. */
export async function startDev(extraEnv: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(join(tmpdir(), "switchboard-dev-"));
  const port = await freePort();
  const emulatorPort = await freePort();
  const cli = runCli(["dev"], {
    cwd,
    env: {
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      LOG_LEVEL: "warn",
      ...extraEnv,
    },
  });
  await cli.printed(/Press Ctrl\+C/);
  return {
    cli,
    cwd,
    url: `http://127.0.0.1:${port}`,
    emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
    async stop() {
      const code = await cli.stop("SIGTERM");
      rmSync(cwd, { recursive: true, force: true });
      return code;
    },
  };
}

/** Polls `read` until `done` accepts its value (the test timeout bounds the wait). */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  intervalMs = 50,
): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The environment `serve` needs to run against `emulator` (as an operator would export it):
 * its credentials and service, the official SDK pointed at it, and quiet logs.
 */
export function emulatorEnv(emulator: {
  accountSid: string;
  authToken: string;
  serviceSid: string;
  url: string;
}): NodeJS.ProcessEnv {
  return {
    TWILIO_ACCOUNT_SID: emulator.accountSid,
    TWILIO_AUTH_TOKEN: emulator.authToken,
    TWILIO_CONVERSATIONS_SERVICE_SID: emulator.serviceSid,
    SWITCHBOARD_TWILIO_EMULATOR_URL: emulator.url,
    LOG_LEVEL: "warn",
  };
}
