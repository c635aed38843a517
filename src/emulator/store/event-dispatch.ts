import { RejectedActionError } from "../http/rest-error.js";
import type {
  ActionOrigin,
  EmulatorEvent,
  EmulatorPostEventType,
  EmulatorPreEventType,
} from "./emulator-events.js";
import type { EmulatorStore } from "./emulator-store.js";

type EventFields = Omit<
  EmulatorEvent,
  "type" | "accountSid" | "source" | "webhookEnabled" | "clientIdentity"
>;

function envelope(store: EmulatorStore, origin: ActionOrigin) {
  return {
    accountSid: store.accountSid,
    source: origin.source,
    webhookEnabled: origin.webhookEnabled,
    ...(origin.clientIdentity === undefined ? {} : { clientIdentity: origin.clientIdentity }),
  };
}

/**
 * Runs the pre-event hook. A rejection aborts the action (the REST call answers the
 * hook's status and body); otherwise returns the hook's modifications, if any.
 */
export async function runPreEvent(
  store: EmulatorStore,
  type: EmulatorPreEventType,
  origin: ActionOrigin,
  fields: EventFields,
): Promise<Record<string, unknown>> {
  const outcome = await store.events.pre({ type, ...envelope(store, origin), ...fields });
  if (outcome && "reject" in outcome) {
    throw new RejectedActionError({
      status: outcome.reject.status,
      ...(outcome.reject.body === undefined ? {} : { body: outcome.reject.body }),
    });
  }
  if (outcome && "modify" in outcome) return outcome.modify;
  return {};
}

/** Hands a post-event to the sink without waiting; a failing sink never breaks the action. */
export function firePostEvent(
  store: EmulatorStore,
  type: EmulatorPostEventType,
  origin: ActionOrigin,
  fields: EventFields,
): void {
  try {
    const result = store.events.post({ type, ...envelope(store, origin), ...fields });
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // Webhook delivery problems are the sink's to report; the state change stands.
  }
}

/** A modified string value from a pre-event hook, if it gave one. */
export function modifiedString(modify: Record<string, unknown>, key: string): string | undefined {
  const value = modify[key];
  if (typeof value === "string") return value;
  if (value !== undefined && value !== null && key === "attributes") return JSON.stringify(value);
  return undefined;
}
