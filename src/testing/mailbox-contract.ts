import { SwitchboardError } from "../errors.js";
import type { MailboxContractFactory } from "./mailbox-contract/contract-context.js";

export type {
  MailboxContractFactory,
  MailboxContractHarness,
} from "./mailbox-contract/contract-context.js";
export {
  createManualClock,
  inboundMessage,
  type ManualClock,
} from "./mailbox-contract/contract-fixtures.js";

type Suite = typeof import("./mailbox-contract/describe-mailbox-contract.js");

// The suite imports vitest, an optional peer dependency, and `switchboard/testing` is also
// for apps without it (`signedWebhookRequest`, `startEmulator`): a static import made the
// whole kit fail with ERR_MODULE_NOT_FOUND. Loading it here, once, keeps
// `describeMailboxContract` synchronous — vitest collects `describe` calls made while a
// test file is evaluated, so a call that awaited its import would register nothing.
const suite = await loadSuite();

async function loadSuite(): Promise<Suite | Error> {
  try {
    return await import("./mailbox-contract/describe-mailbox-contract.js");
  } catch (error) {
    if (isVitestMissing(error)) return error as Error;
    throw error;
  }
}

/** Node's error for a package it cannot resolve, when that package is vitest's. */
function isVitestMissing(error: unknown): boolean {
  return (
    (error as { code?: unknown } | null)?.code === "ERR_MODULE_NOT_FOUND" &&
    /'(?:vitest|@vitest\/[^']+)'/.test((error as Error).message)
  );
}

/**
 * The behaviour every `MailboxStore` must have, as a vitest suite. Call it at the top level
 * of a vitest test file (vitest is an optional peer dependency: without it this throws, and
 * the rest of the test kit still imports and works):
 *
 * ```ts
 * describeMailboxContract("sqlite", async (options) => {
 *   const folder = await mkdtemp(join(tmpdir(), "mailbox-"));
 *   const path = join(folder, "mailbox.db");
 *   let store = sqliteMailbox({ ...options, path });
 *   return {
 *     store,
 *     reopen: async () => { await store.close(); return (store = sqliteMailbox({ ...options, path })); },
 *     cleanup: async () => { await store.close(); await rm(folder, { recursive: true, force: true }); },
 *   };
 * });
 * ```
 *
 * It covers dedupe (by SID and token, concurrent copies, after GC), durability across
 * reopen, one lease per conversation under racing claimers, fencing, `Index` order and the
 * settle window, burst turns, backoff, dead letters (retry, skip, crash loops), outbox order
 * and fencing, history, handoff, catch-up data, voice-note transcripts, garbage collection
 * and many conversations in parallel. Time never passes by itself: the suite moves its clock, so nothing sleeps and
 * nothing depends on the machine's speed.
 */
export function describeMailboxContract(name: string, factory: MailboxContractFactory): void {
  if (suite instanceof Error)
    throw new SwitchboardError(
      "missing_peer_dependency",
      "describeMailboxContract is a vitest suite and vitest is not installed: npm install --save-dev vitest, and call it from a vitest test file.",
      { cause: suite },
    );
  suite.describeMailboxContract(name, factory);
}
