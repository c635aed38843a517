import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../emulator/start-emulator.js";
import {
  devPaths,
  findRunningDev,
  type RunningDev,
  removeRunningDev,
  writeRunningDev,
} from "./dev-state-file.js";

/**
 * `.switchboard/dev.json` against a real emulator: only a file whose process is alive and
 * whose emulator answers with its credentials counts as a running `dev`.
 */
const folders: string[] = [];
const emulators: Emulator[] = [];
afterEach(async () => {
  for (const emulator of emulators.splice(0)) await emulator.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function project(): string {
  const cwd = mkdtempSync(join(tmpdir(), "dev-state-"));
  folders.push(cwd);
  mkdirSync(devPaths(cwd).folder);
  return cwd;
}

async function emulatorDev(overrides: Partial<RunningDev> = {}): Promise<RunningDev> {
  const emulator = await startEmulator();
  emulators.push(emulator);
  return {
    pid: process.pid,
    url: "http://127.0.0.1:3000",
    emulatorUrl: emulator.url,
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    serviceSid: emulator.serviceSid,
    ...overrides,
  };
}

describe("findRunningDev", () => {
  it("finds a dev whose process is alive and whose emulator answers with its credentials", async () => {
    const cwd = project();
    const dev = await emulatorDev();
    writeRunningDev(cwd, dev);
    expect(await findRunningDev(cwd)).toEqual({ kind: "running", dev });
  });

  it("reports nothing for a missing or torn file", async () => {
    const cwd = project();
    expect(await findRunningDev(cwd)).toEqual({ kind: "none" });
    writeFileSync(devPaths(cwd).running, '{"pid": 12');
    expect(await findRunningDev(cwd)).toEqual({ kind: "none" });
  });

  it("calls a file stale when its process has exited", async () => {
    const cwd = project();
    writeRunningDev(cwd, await emulatorDev({ pid: 2 ** 22 + 4321 }));
    expect(await findRunningDev(cwd)).toEqual({
      kind: "stale",
      reason: `its process ${2 ** 22 + 4321} has exited`,
    });
  });

  it("calls a file stale when its process is alive but its emulator is gone or not the same", async () => {
    const cwd = project();
    const dev = await emulatorDev();
    await emulators.splice(0)[0]!.close();
    writeRunningDev(cwd, dev);
    expect(await findRunningDev(cwd)).toMatchObject({
      kind: "stale",
      reason: expect.stringMatching(/does not answer/),
    });
    writeRunningDev(cwd, await emulatorDev({ authToken: "0".repeat(32) }));
    expect(await findRunningDev(cwd)).toMatchObject({
      kind: "stale",
      reason: expect.stringMatching(/answered 401/),
    });
  });
});

describe("removeRunningDev", () => {
  it("removes only this process's file", async () => {
    const cwd = project();
    writeRunningDev(cwd, await emulatorDev({ pid: process.pid + 1 }));
    removeRunningDev(cwd);
    expect(existsSync(devPaths(cwd).running)).toBe(true);
    writeRunningDev(cwd, await emulatorDev());
    removeRunningDev(cwd);
    expect(existsSync(devPaths(cwd).running)).toBe(false);
  });
});
