import { toSwitchboardError } from "../error-codes.js";
import type { SetupChange, SetupPlan } from "./setup-plan.js";

/** Options of {@link applySetup}. */
export interface ApplySetupOptions {
  /** Called before each change is made, for progress output. */
  onChange?: (change: SetupChange) => void;
}

/**
 * Makes the plan's changes, one request each, in order: the service webhook first, then
 * the address configurations. `unchanged` and `conflict` entries are skipped. Returns the
 * changes made. On a failure the error (a switchboard `TwilioError`) says which change
 * failed; changes before it stay made, and planning again shows what is left.
 */
export async function applySetup(
  plan: SetupPlan,
  options: ApplySetupOptions = {},
): Promise<SetupChange[]> {
  const conversations = plan.client.conversations.v1;
  const made: SetupChange[] = [];
  for (const change of plan.changes) {
    if (change.action === "unchanged" || change.action === "conflict") continue;
    options.onChange?.(change);
    try {
      if (change.kind === "service-webhook") {
        await conversations
          .services(plan.serviceSid)
          .configuration.webhooks()
          .update({
            postWebhookUrl: change.after.postWebhookUrl ?? "",
            filters: change.after.filters,
            method: change.after.method,
          });
      } else {
        const autoCreation = {
          "autoCreation.enabled": true,
          "autoCreation.type": "default",
          "autoCreation.conversationServiceSid": plan.serviceSid,
        } as const;
        if (change.action === "create-address-configuration") {
          await conversations.addressConfigurations.create({
            type: change.after.type,
            address: change.after.address,
            friendlyName: `switchboard ${change.after.type === "sms" ? "SMS" : "WhatsApp"}`,
            ...autoCreation,
          });
        } else {
          await conversations.addressConfigurations(change.sid).update(autoCreation);
        }
      }
    } catch (error) {
      throw toSwitchboardError(error, {
        operation: `setup ${change.action} ${change.target}`,
        resource: "service",
        serviceSid: plan.serviceSid,
      });
    }
    made.push(change);
  }
  return made;
}
