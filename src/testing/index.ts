/**
 * switchboard's test kit: helpers for testing apps built on switchboard.
 */

export {
  type InMemoryToolJournal,
  inMemoryToolJournal,
} from "../agents/tool-journal.js";
export {
  type Customer,
  type DeviceMessage,
  type Emulator,
  type ReceivedWebhook,
  startEmulator,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../emulator/index.js";
export {
  encodeWebhookForm,
  fixtureSids,
  type SignedWebhookRequest,
  signedWebhookRequest,
  webhookFixture,
} from "../twilio/webhook/webhook-fixtures.js";
// The contract suite is written with vitest (an optional peer dependency of the test kit),
// loaded only when vitest is installed: the rest of the kit imports and works without it.
export {
  createManualClock,
  describeMailboxContract,
  inboundMessage,
  type MailboxContractFactory,
  type MailboxContractHarness,
  type ManualClock,
} from "./mailbox-contract.js";
export {
  type RecordedCall,
  type RecordingAgent,
  type RecordingAgentOptions,
  recordingAgent,
} from "./recording-agent.js";
