/**
 * Fault injection for the emulator: REST faults (status, delay, reset, and the ambiguous
 * `commitThen…` failures) and webhook delivery faults (duplicate, delay, reorder), each
 * with `times` and `rate`, managed over `/_emulator/faults` and
 * `/_emulator/webhooks/faults`.
 *
 * Control routes — mount `createFaultControlRoutes({ restFaults, webhookFaults,
 * webhookLog })`; `handle(method, path, rawBody)` answers `{status, body}` for the
 * `/_emulator/faults`, `/_emulator/webhooks/faults` and `/_emulator/webhooks` paths and
 * `undefined` for any other. Pass the same `webhookFaults` and log to
 * `createWebhookDispatcher`.
 *
 * REST faults — apply after authentication, only to REST paths (never `/_emulator/*`).
 * In a server whose handlers return responses as data:
 *
 * ```ts
 * const decided = restFaults.match(request.method, request.path)?.fault;
 * switch (decided?.kind) {
 *   case "delay": await sleep(decided.delayMs); break;                 // then handle normally
 *   case "status": return send(outgoing, restFaultResponse(decided.status, decided.code, decided.retryAfter));
 *   case "reset": return outgoing.socket?.destroy();                   // nothing stored
 *   case "commitThenStatus": await respond(request);                   // stored, answer dropped
 *     return send(outgoing, restFaultResponse(decided.status, decided.code, decided.retryAfter));
 *   case "commitThenReset": await respond(request); return outgoing.socket?.destroy();
 * }
 * ```
 *
 * In a server whose handlers write to a `node:http` response, one call does all of it:
 * `await runWithRestFaults(restFaults, request, response, (res) => handle(request, res))`
 * (the handler runs against a detached response for `commitThen…`, so its answer is
 * dropped). `applyRestFault(fault, response)` is the step in between.
 */
export {
  applyRestFault,
  type RestFaultAction,
  restFaultResponse,
  runWithRestFaults,
  sendTwilioError,
} from "./apply-rest-fault.js";
export {
  type ControlResponse,
  createFaultControlRoutes,
  type FaultControlRoutes,
  type FaultControlRoutesOptions,
} from "./fault-control-routes.js";
export { FaultRuleError } from "./fault-rule-error.js";
export {
  createRestFaultEngine,
  createWebhookFaultEngine,
  type DecidedFault,
  type FaultRule,
  type FaultRuleSet,
  type FaultRuleSetOptions,
  type RestFaultEngine,
  type WebhookFaultEngine,
} from "./fault-rule-set.js";
export {
  type FaultRuleInput,
  maxFaultRuleBytes,
  parseRestFaultRule,
  parseWebhookFaultRule,
  type RestFault,
  type RestFaultMatch,
  type WebhookFault,
  type WebhookFaultMatch,
} from "./parse-fault-rule.js";
