import type twilio from "twilio";
import { ConfigError } from "../../errors.js";
import { normalizePhoneNumber, toWhatsAppAddress } from "../channels/address.js";
import { toSwitchboardError } from "../error-codes.js";
import { InvalidAddressError } from "../errors.js";
import {
  type AddressConfigurationState,
  defaultPostEventFilters,
  type ServiceWebhookState,
  type SetupChange,
  type SetupPlan,
  serviceWebhookFilters,
} from "./setup-plan.js";

/** Options of {@link planSetup}. */
export interface PlanSetupOptions {
  /** An official SDK client (`twilio(accountSid, authToken)`, or `emulator.twilioClient()`). */
  client: twilio.Twilio;
  /** `IS…` — the Conversations service switchboard serves. */
  serviceSid: string;
  /** The public URL of switchboard's webhook route, e.g. `https://bot.example.com/twilio/webhook`. */
  webhookUrl: string;
  /** Post-event filters; default {@link defaultPostEventFilters}. */
  filters?: readonly string[];
  /** Business numbers that should auto-create conversations in the service. */
  numbers?: { sms?: readonly string[]; whatsapp?: readonly string[] };
  /**
   * Move addresses that auto-create conversations in another service to this one. Default
   * `false`: such addresses are reported as `conflict` and left alone, because another
   * application is probably answering them.
   */
  takeOverAddresses?: boolean;
}

/**
 * Reads the service's webhook configuration and the account's address configurations and
 * works out what must change so that Twilio posts the service's events to `webhookUrl` and
 * each given number auto-creates conversations in the service. Reads only; nothing is
 * changed until `applySetup`. Running it again after applying yields only `unchanged`.
 *
 * Auto-creation uses type `default`: conversations are created in the service and reach us
 * through the service's own post-event webhook. Type `webhook` would add a second,
 * per-conversation webhook and every event would arrive twice.
 */
export async function planSetup(options: PlanSetupOptions): Promise<SetupPlan> {
  const { client } = options;
  const serviceSid = checkServiceSid(options.serviceSid);
  const webhookUrl = checkWebhookUrl(options.webhookUrl);
  const filters = checkFilters(options.filters ?? defaultPostEventFilters);
  const wanted = normalizeNumbers(options.numbers ?? {});

  const changes: SetupChange[] = [];
  const current = await call("service webhooks fetch", serviceSid, () =>
    client.conversations.v1.services(serviceSid).configuration.webhooks().fetch(),
  );
  const before: ServiceWebhookState = {
    postWebhookUrl: current.postWebhookUrl ?? null,
    filters: [...(current.filters ?? [])].sort(),
    method: String(current.method ?? "POST").toUpperCase(),
  };
  const after: ServiceWebhookState = { postWebhookUrl: webhookUrl, filters, method: "POST" };
  changes.push({
    action: sameWebhook(before, after) ? "unchanged" : "update-service-webhook",
    kind: "service-webhook",
    target: serviceSid,
    before,
    after,
  });

  if (wanted.length === 0) return { client, serviceSid, webhookUrl, changes };

  const existing = await call("address configurations list", serviceSid, () =>
    client.conversations.v1.addressConfigurations.list(),
  );
  let defaultServiceSid: string | null | undefined;
  const accountDefaultService = async () => {
    if (defaultServiceSid === undefined) {
      const configuration = await call("configuration fetch", serviceSid, () =>
        client.conversations.v1.configuration().fetch(),
      );
      defaultServiceSid = configuration.defaultChatServiceSid ?? null;
    }
    return defaultServiceSid;
  };

  for (const { type, address } of wanted) {
    const desired: AddressConfigurationState = {
      type,
      address,
      autoCreationEnabled: true,
      autoCreationType: "default",
      conversationServiceSid: serviceSid,
    };
    const found = existing.find((record) => record.address.toLowerCase() === address.toLowerCase());
    if (found === undefined) {
      changes.push({
        action: "create-address-configuration",
        kind: "address-configuration",
        target: address,
        after: desired,
      });
      continue;
    }
    const state = addressState(found);
    const owner = state.conversationServiceSid ?? (await accountDefaultService());
    const ours = owner === serviceSid;
    const alreadyRight = ours && state.autoCreationEnabled && state.autoCreationType === "default";
    // Someone else's auto-creation (enabled, into another service) is not ours to move.
    const belongsElsewhere = !ours && state.autoCreationEnabled;
    changes.push({
      action: alreadyRight
        ? "unchanged"
        : belongsElsewhere && !options.takeOverAddresses
          ? "conflict"
          : "update-address-configuration",
      kind: "address-configuration",
      target: address,
      sid: found.sid,
      before: state,
      after: alreadyRight ? state : desired,
    });
  }
  return { client, serviceSid, webhookUrl, changes };
}

interface AddressRecord {
  sid: string;
  type: string;
  address: string;
  autoCreation: unknown;
}

function addressState(record: AddressRecord): AddressConfigurationState {
  const autoCreation = (record.autoCreation ?? {}) as Record<string, unknown>;
  return {
    type: record.type === "whatsapp" ? "whatsapp" : "sms",
    address: record.address,
    autoCreationEnabled: autoCreation.enabled === true,
    autoCreationType: typeof autoCreation.type === "string" ? autoCreation.type : "default",
    conversationServiceSid:
      typeof autoCreation.conversation_service_sid === "string"
        ? autoCreation.conversation_service_sid
        : null,
  };
}

function sameWebhook(left: ServiceWebhookState, right: ServiceWebhookState): boolean {
  return (
    left.postWebhookUrl === right.postWebhookUrl &&
    left.method === right.method &&
    left.filters.join(",") === right.filters.join(",")
  );
}

async function call<T>(operation: string, serviceSid: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toSwitchboardError(error, { operation, resource: "service", serviceSid });
  }
}

function checkServiceSid(value: string): string {
  if (!/^IS[0-9a-fA-F]{32}$/.test(value)) {
    throw new ConfigError(
      "serviceSid",
      `setup: serviceSid must be a Conversations Service SID (IS followed by 32 hex digits, TWILIO_CONVERSATIONS_SERVICE_SID); got ${value.length} characters starting with "${value.slice(0, 2)}".`,
    );
  }
  return value;
}

function checkWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigError(
      "webhookUrl",
      `setup: webhookUrl is not an absolute URL: "${value.slice(0, 200)}"; give the public URL of the webhook route, e.g. https://bot.example.com/twilio/webhook.`,
      { cause },
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(
      "webhookUrl",
      `setup: webhookUrl must use https (or http), got "${url.protocol}".`,
    );
  }
  return url.href;
}

function checkFilters(filters: readonly string[]): string[] {
  if (filters.length === 0) {
    throw new ConfigError(
      "filters",
      "setup: filters is empty; Twilio would send no events at all.",
    );
  }
  const unknown = filters.filter((filter) => !serviceWebhookFilters.includes(filter));
  if (unknown.length > 0) {
    throw new ConfigError(
      "filters",
      `setup: unknown webhook filter${unknown.length === 1 ? "" : "s"} ${unknown.map((filter) => `"${filter.slice(0, 60)}"`).join(", ")}; a service accepts ${serviceWebhookFilters.join(", ")}.`,
    );
  }
  return [...new Set(filters)].sort();
}

function normalizeNumbers(numbers: {
  sms?: readonly string[];
  whatsapp?: readonly string[];
}): { type: "sms" | "whatsapp"; address: string }[] {
  const result: { type: "sms" | "whatsapp"; address: string }[] = [];
  const seen = new Set<string>();
  const add = (type: "sms" | "whatsapp", address: string) => {
    if (seen.has(address)) return;
    seen.add(address);
    result.push({ type, address });
  };
  for (const [position, input] of (numbers.sms ?? []).entries()) {
    if (input.trim().toLowerCase().startsWith("whatsapp:")) {
      throw new InvalidAddressError(
        `SMS number ${position + 1} is a WhatsApp address; list it under the WhatsApp numbers.`,
      );
    }
    add(
      "sms",
      withPosition("SMS", position, () => normalizePhoneNumber(input)),
    );
  }
  for (const [position, input] of (numbers.whatsapp ?? []).entries()) {
    add(
      "whatsapp",
      withPosition("WhatsApp", position, () => toWhatsAppAddress(input)),
    );
  }
  return result;
}

function withPosition(kind: string, position: number, normalize: () => string): string {
  try {
    return normalize();
  } catch (error) {
    if (error instanceof InvalidAddressError) {
      throw new InvalidAddressError(`${kind} number ${position + 1}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
