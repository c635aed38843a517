import type { AddressConfigurationState, SetupChange, SetupPlan } from "./setup-plan.js";

/** Options of {@link formatSetupPlan}. */
export interface FormatSetupPlanOptions {
  /** Say what *would* change ("would update …") instead of what changed. Default `false`. */
  dryRun?: boolean;
  /** How the CLI spells the take-over option, named in conflict lines. Default `--take-over`. */
  takeOverFlag?: string;
}

/**
 * The lines `switchboard setup` prints: one per change, then a summary. The same plan
 * prints in the conditional with `dryRun` ("would create …") and in the past tense after
 * `applySetup` ("created …"). Business numbers are printed in full: they are the
 * operator's own numbers, not customers'.
 */
export function formatSetupPlan(plan: SetupPlan, options: FormatSetupPlanOptions = {}): string[] {
  const dryRun = options.dryRun ?? false;
  const verb = (past: string, present: string) => (dryRun ? `would ${present}` : past);
  const lines = plan.changes.map((change) =>
    formatChange(change, verb, options.takeOverFlag ?? "--take-over"),
  );
  const count = (action: SetupChange["action"]) =>
    plan.changes.filter((change) => change.action === action).length;
  const changed = plan.changes.length - count("unchanged") - count("conflict");
  const parts = [
    `${changed} ${changed === 1 ? "change" : "changes"}`,
    `${count("unchanged")} unchanged`,
  ];
  if (count("conflict") > 0) parts.push(`${count("conflict")} left alone`);
  lines.push(`${dryRun ? "Dry run, nothing changed: " : ""}${parts.join(", ")}.`);
  return lines;
}

function formatChange(
  change: SetupChange,
  verb: (past: string, present: string) => string,
  takeOverFlag: string,
): string {
  if (change.kind === "service-webhook") {
    const events = `${change.after.filters.length} events: ${change.after.filters.join(", ")}`;
    if (change.action === "unchanged") {
      return `unchanged: service ${change.target} posts events to ${change.after.postWebhookUrl} (${events})`;
    }
    const details: string[] = [];
    if (change.before.postWebhookUrl !== change.after.postWebhookUrl) {
      details.push(
        `URL ${change.before.postWebhookUrl ?? "(none)"} → ${change.after.postWebhookUrl}`,
      );
    }
    const added = change.after.filters.filter((filter) => !change.before.filters.includes(filter));
    const removed = change.before.filters.filter(
      (filter) => !change.after.filters.includes(filter),
    );
    if (added.length > 0) details.push(`add ${added.join(", ")}`);
    if (removed.length > 0) details.push(`remove ${removed.join(", ")}`);
    if (change.before.method !== change.after.method) {
      details.push(`method ${change.before.method} → ${change.after.method}`);
    }
    return `${verb("updated", "update")} service ${change.target} post-event webhook: ${details.join("; ")}`;
  }
  const label = `${change.target} (${typeLabel(change.after)})`;
  switch (change.action) {
    case "create-address-configuration":
      return `${verb("created", "create")} address configuration ${label}: auto-create conversations in ${change.after.conversationServiceSid}`;
    case "unchanged":
      return `unchanged: address configuration ${label} ${change.sid} auto-creates conversations in ${change.after.conversationServiceSid ?? "the default service"}`;
    case "conflict":
      return `left alone: address configuration ${label} ${change.sid} auto-creates conversations in ${describeOwner(change.before)}, not ${change.after.conversationServiceSid}; use ${takeOverFlag} to move it`;
    case "update-address-configuration":
      return `${verb("updated", "update")} address configuration ${label} ${change.sid}: ${describeState(change.before)} → auto-create in ${change.after.conversationServiceSid}`;
  }
}

function typeLabel(state: AddressConfigurationState): string {
  return state.type === "sms" ? "SMS" : "WhatsApp";
}

function describeOwner(state: AddressConfigurationState): string {
  return state.conversationServiceSid ?? "the account's default service";
}

function describeState(state: AddressConfigurationState): string {
  if (!state.autoCreationEnabled) return "auto-creation off";
  if (state.autoCreationType !== "default") return `auto-creation via ${state.autoCreationType}`;
  return `auto-create in ${describeOwner(state)}`;
}
