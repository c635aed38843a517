import { rmSync } from "node:fs";
import { EmulatorStateError } from "../emulator/persistence/emulator-state-file.js";
import type { Emulator } from "../emulator/start-emulator.js";
import { devPaths, findRunningDev, removeRunningDev, writeRunningDev } from "./dev-state-file.js";

/** `switchboard dev` cannot start in this folder; the message says why and what to do. */
export class DevSessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DevSessionError";
  }
}

/**
 * One `switchboard dev` run's claim on its project folder: the emulator's state file
 * beside the mailbox, and `.switchboard/dev.json` telling the operator commands how to
 * reach this run's emulator while it runs.
 */
export interface DevSession {
  /** Where the emulator keeps its state (`.switchboard/emulator.db`). */
  emulatorStatePath: string;
  /** Printed before the banner when something was cleaned up (`--fresh`). */
  notice: string | undefined;
  /** Publishes this run (`.switchboard/dev.json`) once everything listens. */
  announce(running: { url: string; emulator: Emulator }): void;
  /** Removes `.switchboard/dev.json` on a clean stop. */
  release(): void;
}

/**
 * Claims `cwd` for a `dev` run: refuses when another `dev` is running there (both would
 * write the same files), drops a stale `dev.json`, and with `fresh` removes
 * `.switchboard/` entirely (mailbox, emulator state, web chat key), as `rm -rf
 * .switchboard` would, so mailbox and emulator start clean together.
 */
export async function openDevSession(
  cwd: string,
  options: { fresh: boolean; warn: (line: string) => void },
): Promise<DevSession> {
  const paths = devPaths(cwd);
  const found = await findRunningDev(cwd);
  if (found.kind === "running")
    throw new DevSessionError(
      `switchboard dev is already running in this folder (process ${found.dev.pid}, console ${found.dev.url}/); stop it first`,
    );
  if (found.kind === "stale") rmSync(paths.running, { force: true });
  let notice: string | undefined;
  if (options.fresh) {
    rmSync(paths.folder, { recursive: true, force: true });
    notice = "Starting fresh: removed .switchboard/ (mailbox, emulator state, web chat key).\n";
  }
  return {
    emulatorStatePath: paths.emulatorState,
    notice,
    announce({ url, emulator }) {
      try {
        writeRunningDev(cwd, {
          pid: process.pid,
          url,
          emulatorUrl: emulator.url,
          accountSid: emulator.accountSid,
          authToken: emulator.authToken,
          serviceSid: emulator.serviceSid,
        });
      } catch (error) {
        // dev works without it; only the operator commands' shortcut is lost.
        options.warn(
          `Could not write ${paths.running} (${error instanceof Error ? error.message : String(error)}); ` +
            "`switchboard conversations` will need the TWILIO_* variables.\n",
        );
      }
    },
    release() {
      try {
        removeRunningDev(cwd);
      } catch {
        // Left behind, it is detected as stale (its process is gone) by the next reader.
      }
    },
  };
}

/** The message for an emulator that could not start, or `undefined` if it is not ours to word. */
export function describeDevEmulatorFailure(error: unknown): string | undefined {
  return error instanceof EmulatorStateError ? error.message : undefined;
}

/**
 * The banner's emulator lines: its URL and its fixed, public test credentials (printed in
 * full on purpose: they only open this local fake), and how the operator commands and an
 * SDK reach it.
 */
export function devEmulatorBannerLines(emulator: Emulator): string[] {
  return [
    `  Emulator   ${emulator.url}  (inspector ${emulator.inspectorUrl})`,
    `             Account SID ${emulator.accountSid}   Auth token ${emulator.authToken}`,
    `             Service SID ${emulator.serviceSid}   (fixed local test credentials, not Twilio's)`,
    `  SMS number ${emulator.numbers.sms}   WhatsApp ${emulator.numbers.whatsapp}`,
    "  Data       .switchboard/ (mailbox, emulator state, web chat key); kept across restarts,",
    "             `switchboard dev --fresh` starts clean",
    "  Operator   `switchboard conversations list` and `switchboard send` in this folder use it",
  ];
}
