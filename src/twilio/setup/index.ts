/**
 * `switchboard setup`: point a Conversations service's post-event webhook at switchboard and
 * make business numbers auto-create conversations in it. Plan, print, apply; idempotent.
 */
export { type ApplySetupOptions, applySetup } from "./apply-setup.js";
export { type FormatSetupPlanOptions, formatSetupPlan } from "./format-setup-plan.js";
export { type PlanSetupOptions, planSetup } from "./plan-setup.js";
export {
  type AddressConfigurationState,
  defaultPostEventFilters,
  planHasChanges,
  type ServiceWebhookState,
  type SetupChange,
  type SetupPlan,
  serviceWebhookFilters,
} from "./setup-plan.js";
