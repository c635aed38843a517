import { afterEach, beforeEach, describe } from "vitest";
import { describeActiveConversationsContract } from "./active-conversations-contract.js";
import { describeClaimScanContract } from "./claim-scan-contract.js";
import { describeConcurrentSettleContract } from "./concurrent-settle-contract.js";
import {
  type ContractState,
  contractSettings,
  type MailboxContractFactory,
} from "./contract-context.js";
import { createManualClock } from "./contract-fixtures.js";
import { describeCustomerContract } from "./customer-contract.js";
import { describeDriftContract } from "./drift-contract.js";
import { describeFailureContract } from "./failure-contract.js";
import { describeGoneContract } from "./gone-contract.js";
import { describeHousekeepingContract } from "./housekeeping-contract.js";
import { describeInboundDeadLetterContract } from "./inbound-dead-letter-contract.js";
import { describeIndexGapContract } from "./index-gap-contract.js";
import { describeIngestContract } from "./ingest-contract.js";
import { describeInterruptContract } from "./interrupt-contract.js";
import { describeHandoffNoteContract, describeJournalContract } from "./journal-contract.js";
import { describeLeaseContract } from "./lease-contract.js";
import { describeLedgerContract } from "./ledger-contract.js";
import { describeOrderContract } from "./order-contract.js";
import { describeOutboxContract } from "./outbox-contract.js";
import { describeParallelContract } from "./parallel-contract.js";
import { describeRecoveryContract } from "./recovery-contract.js";
import { describeReleaseContract } from "./release-contract.js";
import { describeRichReplyContract } from "./rich-reply-contract.js";
import { describeSendAttemptContract } from "./send-attempt-contract.js";
import { describeSentReplyContract } from "./sent-reply-contract.js";
import { describeStatsContract } from "./stats-contract.js";
import { describeTranscriptContract } from "./transcript-contract.js";
import { describeTurnContextContract } from "./turn-context-contract.js";

/**
 * The contract suite itself, written with vitest: loaded by `../mailbox-contract.ts` only
 * when vitest can be found, so the rest of the test kit works without it.
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
