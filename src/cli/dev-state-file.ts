import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where `switchboard dev` keeps its files, all under `<project>/.switchboard/`. */
export function devPaths(cwd: string) {
  const folder = join(cwd, ".switchboard");
  return {
    folder,
    /** The emulator's state (its own SQLite file beside the mailbox). */
    emulatorState: join(folder, "emulator.db"),
    /** How to reach the running dev emulator; present only while `dev` runs. */
    running: join(folder, "dev.json"),
  };
}

/**
 * What a running `switchboard dev` tells the operator commands of the same project. The
 * credentials are the emulator's fixed, public test credentials, not Twilio secrets.
 */
export interface RunningDev {
  pid: number;
  /** switchboard's own URL (console, web chat). */
  url: string;
  emulatorUrl: string;
  accountSid: string;
  authToken: string;
  serviceSid: string;
}

/** Writes `.switchboard/dev.json` (complete or not at all: written aside, then renamed). */
export function writeRunningDev(cwd: string, running: RunningDev): void {
  const path = devPaths(cwd).running;
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(running, null, 2)}\n`, { mode: 0o600 });
  renameSync(aside, path);
}

/** Removes `.switchboard/dev.json` if it is this process's (a newer `dev` may own it). */
export function removeRunningDev(cwd: string, pid: number = process.pid): void {
  const path = devPaths(cwd).running;
  if (readRunningDevFile(path)?.pid === pid) rmSync(path, { force: true });
}

/** What `.switchboard/dev.json` says, checked: a live `dev`, a stale file, or nothing. */
export type DevLookup =
  | { kind: "running"; dev: RunningDev }
  | { kind: "stale"; reason: string }
  | { kind: "none" };

/**
 * Finds the `switchboard dev` running in `cwd`. The file alone is not trusted: its
 * process must be alive and its emulator must answer with its credentials (a killed
 * `dev` leaves the file behind, and its pid may be reused by an unrelated process).
 */
export async function findRunningDev(cwd: string, timeoutMs = 1500): Promise<DevLookup> {
  const path = devPaths(cwd).running;
  const dev = readRunningDevFile(path);
  if (dev === undefined) return { kind: "none" };
  if (!isAlive(dev.pid)) return { kind: "stale", reason: `its process ${dev.pid} has exited` };
  try {
    const response = await fetch(`${dev.emulatorUrl}/v1/Services/${dev.serviceSid}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${dev.accountSid}:${dev.authToken}`).toString("base64")}`,
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.status !== 200)
      return { kind: "stale", reason: `${dev.emulatorUrl} answered ${response.status}` };
  } catch {
    return { kind: "stale", reason: `its emulator ${dev.emulatorUrl} does not answer` };
  }
  return { kind: "running", dev };
}

function readRunningDevFile(path: string): RunningDev | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    // Missing, or torn by a crash mid-write of an older version: nothing usable.
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === "string" ? (record[key] as string) : "");
  const pid = record.pid;
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const dev: RunningDev = {
    pid,
    url: text("url"),
    emulatorUrl: text("emulatorUrl"),
    accountSid: text("accountSid"),
    authToken: text("authToken"),
    serviceSid: text("serviceSid"),
  };
  if (!/^https?:\/\/\S+$/.test(dev.emulatorUrl) || !dev.accountSid || !dev.serviceSid)
    return undefined;
  return dev;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — alive; the probe decides.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
