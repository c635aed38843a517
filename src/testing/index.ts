/**
 * switchboard's test kit: helpers for testing apps built on switchboard.
 */
export { startEmulator } from "../emulator/index.js";
export {
  encodeWebhookForm,
  fixtureSids,
  type SignedWebhookRequest,
  signedWebhookRequest,
  webhookFixture,
} from "../twilio/webhook/webhook-fixtures.js";
export {
  type RecordedCall,
  type RecordingAgent,
  type RecordingAgentOptions,
  recordingAgent,
} from "./recording-agent.js";
