import { afterEach, beforeEach, describe } from "vitest";
import { describeActiveConversationsContract } from "./mailbox-contract/active-conversations-contract.js";
import { describeClaimScanContract } from "./mailbox-contract/claim-scan-contract.js";
import { describeConcurrentSettleContract } from "./mailbox-contract/concurrent-settle-contract.js";
import {
  type ContractState,
  contractSettings,
  type MailboxContractFactory,
} from "./mailbox-contract/contract-context.js";
import { createManualClock } from "./mailbox-contract/contract-fixtures.js";
import { describeCustomerContract } from "./mailbox-contract/customer-contract.js";
import { describeDriftContract } from "./mailbox-contract/drift-contract.js";
import { describeFailureContract } from "./mailbox-contract/failure-contract.js";
import { describeGoneContract } from "./mailbox-contract/gone-contract.js";
import { describeHousekeepingContract } from "./mailbox-contract/housekeeping-contract.js";
import { describeInboundDeadLetterContract } from "./mailbox-contract/inbound-dead-letter-contract.js";
import { describeIndexGapContract } from "./mailbox-contract/index-gap-contract.js";
import { describeIngestContract } from "./mailbox-contract/ingest-contract.js";
import { describeInterruptContract } from "./mailbox-contract/interrupt-contract.js";
import {
  describeHandoffNoteContract,
  describeJournalContract,
} from "./mailbox-contract/journal-contract.js";
import { describeLeaseContract } from "./mailbox-contract/lease-contract.js";
import { describeLedgerContract } from "./mailbox-contract/ledger-contract.js";
import { describeOrderContract } from "./mailbox-contract/order-contract.js";
import { describeOutboxContract } from "./mailbox-contract/outbox-contract.js";
import { describeParallelContract } from "./mailbox-contract/parallel-contract.js";
import { describeRecoveryContract } from "./mailbox-contract/recovery-contract.js";
import { describeReleaseContract } from "./mailbox-contract/release-contract.js";
import { describeRichReplyContract } from "./mailbox-contract/rich-reply-contract.js";
import { describeSendAttemptContract } from "./mailbox-contract/send-attempt-contract.js";
import { describeSentReplyContract } from "./mailbox-contract/sent-reply-contract.js";
import { describeStatsContract } from "./mailbox-contract/stats-contract.js";
import { describeTranscriptContract } from "./mailbox-contract/transcript-contract.js";
import { describeTurnContextContract } from "./mailbox-contract/turn-context-contract.js";

export type {
  MailboxContractFactory,
  MailboxContractHarness,
} from "./mailbox-contract/contract-context.js";
export {
  createManualClock,
  inboundMessage,
  type ManualClock,
} from "./mailbox-contract/contract-fixtures.js";

/**
 * The behaviour every `MailboxStore` must have, as a vitest suite (this module imports
 * `vitest`). Call it at the top level of a test file:
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
 * and fencing, history, handoff, catch-up data, voice-note transcripts, garbage collection and many conversations
 * in parallel. Time never passes by itself: the suite moves its clock, so nothing sleeps and
 * nothing depends on the machine's speed.
 */
export function describeMailboxContract(name: string, factory: MailboxContractFactory): void {
  describe(`MailboxStore contract: ${name}`, () => {
    let state: ContractState | undefined;
    const use = () => {
      if (state === undefined)
        throw new Error("The mailbox contract state is used outside a test.");
      return state;
    };

    beforeEach(async () => {
      const clock = createManualClock();
      const harness = await factory({
        now: clock.now,
        settleWindowMs: contractSettings.settleWindowMs,
        maxAttempts: contractSettings.maxAttempts,
      });
      state = { store: harness.store, clock, harness };
    });
    afterEach(async () => {
      await state?.harness.cleanup();
      state = undefined;
    });

    describeIngestContract(use);
    describeLeaseContract(use);
    describeOrderContract(use);
    describeClaimScanContract(use);
    describeFailureContract(use);
    describeOutboxContract(use);
    describeHousekeepingContract(use);
    describeParallelContract(use);
    describeReleaseContract(use);
    describeStatsContract(use);
    describeSentReplyContract(use);
    describeDriftContract(use);
    describeGoneContract(use);
    describeIndexGapContract(use);
    describeActiveConversationsContract(use);
    describeSendAttemptContract(use);
    describeRecoveryContract(use);
    describeLedgerContract(use);
    describeRichReplyContract(use);
    describeTranscriptContract(use);
    describeJournalContract(use);
    describeHandoffNoteContract(use);
    describeCustomerContract(use);
    describeInterruptContract(use);
    describeInboundDeadLetterContract(use);
    describeTurnContextContract(use);
    describeConcurrentSettleContract(use);
  });
}
