import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent } from "../../src/agents/types.js";
import {
  type Emulator,
  type StartEmulatorOptions,
  startEmulator,
} from "../../src/emulator/index.js";
import { serveSwitchboard } from "../../src/http/serve-switchboard.js";
import type { MailboxOptions, MailboxStore } from "../../src/mailbox/mailbox-store.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { createSwitchboard, type Switchboard } from "../../src/runtime/create-switchboard.js";
import type { RuntimeProvider } from "../../src/runtime/runtime-provider.js";
import type { SwitchboardOptions } from "../../src/runtime/switchboard-options.js";
import type { TwilioLogger } from "../../src/twilio/logger.js";
import { TwilioProvider } from "../../src/twilio/provider/index.js";

/** Log lines a test can read back (Invariant 5 wants the reason in the log). */
export interface CapturedLog extends TwilioLogger {
  lines: { level: string; fields: Record<string, unknown>; message: string | undefined }[];
}

export function capturedLog(): CapturedLog {
  const lines: CapturedLog["lines"] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message?: string) => {
    lines.push({ level, fields, message });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A temp folder removed by `cleanup`. */
export function tempFolder(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), "switchboard-runtime-"));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Harness {
  emulator: Emulator;
  switchboard: Switchboard;
  mailbox: MailboxStore;
  provider: RuntimeProvider;
  log: CapturedLog;
  webhookUrl: string;
  databasePath: string;
  close(): Promise<void>;
}

/** Fast settings for tests: short leases, polls and retries. */
export const fastWorkers = {
  concurrency: 8,
  leaseMs: 2000,
  heartbeatMs: 300,
  pollMs: 50,
  retryBaseMs: 20,
  sendRetryBaseMs: 20,
  // The emulator lists a committed message at once; no need to wait the default second.
  sendReconcileDelayMs: 200,
  drainMs: 2000,
} as const;

/**
 * The emulator over HTTP, a real SQLite mailbox file and a listening switchboard whose URL
 * is the service's post-event webhook.
 */
export async function startHarness(options: {
  agent: Agent;
  emulator?: StartEmulatorOptions;
  mailbox?: MailboxOptions;
  switchboard?: Partial<Omit<SwitchboardOptions, "provider" | "agent" | "mailbox">>;
  provider?: (emulator: Emulator) => RuntimeProvider;
  /** Options that need the running emulator (a template SID, …). */
  configure?: (
    emulator: Emulator,
  ) => Partial<Omit<SwitchboardOptions, "provider" | "agent" | "mailbox">>;
}): Promise<Harness> {
  const folder = tempFolder();
  const emulator = await startEmulator({
    webhookRetries: 2,
    webhookBackoff: () => 50,
    ...options.emulator,
  });
  const provider = options.provider?.(emulator) ?? (await twilioProviderFor(emulator));
  const databasePath = join(folder.path, "mailbox.db");
  const mailbox = sqliteMailbox({
    path: databasePath, // Tests deliver a conversation's webhooks concurrently, as Twilio does; a missing index
    // is waited for this long before the next message is answered anyway.
    settleWindowMs: 2000,
    ...options.mailbox,
  });
  const log = capturedLog();
  const switchboard = createSwitchboard({
    provider,
    agent: options.agent,
    mailbox,
    logger: log,
    workers: fastWorkers,
    catchUp: { intervalMs: 0 },
    ...options.switchboard,
    ...options.configure?.(emulator),
    webhook: { authToken: emulator.authToken, ...options.switchboard?.webhook },
  });
  const served = await serveSwitchboard(switchboard, { port: 0 });
  const { url } = served;
  const webhookUrl = `${url}/twilio/webhook`;
  await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .configuration.webhooks()
    .update({
      postWebhookUrl: webhookUrl,
      method: "POST",
      filters: ["onMessageAdded", "onDeliveryUpdated"],
    });
  return {
    emulator,
    switchboard,
    mailbox,
    provider,
    log,
    webhookUrl,
    databasePath,
    async close() {
      await served.close();
      await emulator.close();
      folder.cleanup();
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The real `TwilioProvider`, pointed at the emulator. */
export async function twilioProviderFor(emulator: Emulator): Promise<TwilioProvider> {
  const provider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
  });
  await provider.start();
  // Compile-time proof that TwilioProvider is a RuntimeProvider.
  const runtimeProvider: RuntimeProvider = provider;
  void runtimeProvider;
  return provider;
}
