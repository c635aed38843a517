import { isPreEventType, type WebhookEventType } from "./event-types.js";

/** `GET/POST /Configuration/Webhooks` (account level, the "global" webhooks). */
export interface AccountWebhookConfigurationRecord {
  method: "GET" | "POST" | null;
  filters: readonly string[] | null;
  pre_webhook_url: string | null;
  post_webhook_url: string | null;
  /** `flex` sends events to Flex, not to a URL; only `webhook` (or unset) is delivered. */
  target?: "webhook" | "flex" | null;
}

/** `GET/POST /Services/{IS}/Configuration/Webhooks`; every field `null` when unset. */
export interface ServiceWebhookConfigurationRecord {
  method: "GET" | "POST" | null;
  filters: readonly string[] | null;
  pre_webhook_url: string | null;
  post_webhook_url: string | null;
}

/** One `/Conversations/{CH}/Webhooks/{WH}` record (at most five per conversation). */
export interface ConversationWebhookRecord {
  sid: string;
  target: "webhook" | "trigger" | "studio";
  configuration: {
    url?: string | null;
    /** Lowercase on this resource (`get`/`post`). */
    method?: string | null;
    filters?: readonly string[] | null;
    triggers?: readonly string[] | null;
    flow_sid?: string | null;
  };
}

/** The `auto_creation` block of a `/Configuration/Addresses/{IG}` record. */
export interface AddressAutoCreationRecord {
  enabled: boolean;
  type: "webhook" | "studio" | "default" | null;
  webhook_url?: string | null;
  webhook_method?: string | null;
  webhook_filters?: readonly string[] | null;
}

export type WebhookLevel = "account" | "service" | "conversation" | "address";

/** One URL that must receive an event. */
export interface WebhookTarget {
  url: string;
  method: "GET" | "POST";
  level: WebhookLevel;
  /** Conversation-scoped targets send `WebhookSid` and `WebhookType` with every event. */
  webhookSid?: string;
  webhookType?: ConversationWebhookRecord["target"];
}

/** Everything configured that might receive one event. Omit what does not exist. */
export interface WebhookTargetSources {
  account?: AccountWebhookConfigurationRecord | null;
  service?: ServiceWebhookConfigurationRecord | null;
  conversationWebhooks?: readonly ConversationWebhookRecord[];
  /**
   * The auto-creation webhook of the address configuration that created this
   * conversation. Twilio materialises it as a conversation-scoped webhook; if the store
   * does that too, pass it in `conversationWebhooks` instead, not both.
   */
  addressAutoCreation?: AddressAutoCreationRecord | null;
  /**
   * The body of the message the event is about; `trigger` webhooks fire only when it
   * contains one of their keywords (whole word, case-insensitive).
   */
  messageBody?: string | null;
}

/**
 * Returns the targets that must receive `eventType`, in delivery order (account or
 * service, then conversation, then address). Only filtered events fire: a configuration
 * with no filters receives nothing. Pre-events go only to pre-event URLs (account and
 * service level); post-events go to post-event URLs and to conversation-scoped and
 * auto-creation webhooks, which are post-event only. Studio targets are not HTTP
 * deliveries and are skipped.
 *
 * A service with a webhook URL of its own replaces the account-level ("global") webhooks
 * for its conversations: "If configured, service-scoped webhooks will override your global
 * webhook settings such that only the service-scoped hooks will fire. This applies only to
 * the services where service-level hooks are configured." (Twilio docs, Conversations
 * "Per-Service Webhook Resource"). A service counts as configured when it has a pre- or
 * post-event URL, whatever its filters.
 */
export function resolveWebhookTargets(
  eventType: WebhookEventType,
  sources: WebhookTargetSources,
): WebhookTarget[] {
  const pre = isPreEventType(eventType);
  const targets: WebhookTarget[] = [];
  const account = serviceConfigured(sources.service) ? undefined : sources.account;
  if (account && account.target !== "flex" && includes(account.filters, eventType)) {
    const url = pre ? account.pre_webhook_url : account.post_webhook_url;
    if (url) targets.push({ url, method: httpMethod(account.method), level: "account" });
  }
  const service = sources.service;
  if (service && includes(service.filters, eventType)) {
    const url = pre ? service.pre_webhook_url : service.post_webhook_url;
    if (url) targets.push({ url, method: httpMethod(service.method), level: "service" });
  }
  if (pre) return targets;
  for (const webhook of sources.conversationWebhooks ?? []) {
    const { url, method, filters, triggers } = webhook.configuration;
    if (!url || webhook.target === "studio") continue;
    if (!includes(filters, eventType)) continue;
    if (webhook.target === "trigger" && !matchesTrigger(triggers, sources.messageBody)) continue;
    targets.push({
      url,
      method: httpMethod(method),
      level: "conversation",
      webhookSid: webhook.sid,
      webhookType: webhook.target,
    });
  }
  const autoCreation = sources.addressAutoCreation;
  if (
    autoCreation?.enabled &&
    autoCreation.type === "webhook" &&
    autoCreation.webhook_url &&
    includes(autoCreation.webhook_filters, eventType)
  ) {
    targets.push({
      url: autoCreation.webhook_url,
      method: httpMethod(autoCreation.webhook_method),
      level: "address",
    });
  }
  return targets;
}

/** Whether a service has webhooks of its own (and so silences the account-level ones). */
export function serviceConfigured(
  service: ServiceWebhookConfigurationRecord | null | undefined,
): boolean {
  return Boolean(service?.pre_webhook_url || service?.post_webhook_url);
}

function includes(filters: readonly string[] | null | undefined, eventType: string): boolean {
  return filters?.includes(eventType) ?? false;
}

/** Twilio defaults to POST; the conversation-scoped resource spells methods in lowercase. */
function httpMethod(method: string | null | undefined): "GET" | "POST" {
  return method?.toUpperCase() === "GET" ? "GET" : "POST";
}

function matchesTrigger(
  triggers: readonly string[] | null | undefined,
  body: string | null | undefined,
): boolean {
  if (!body || !triggers) return false;
  const words = new Set(body.toLowerCase().split(/[^\p{L}\p{N}]+/u));
  return triggers.some((trigger) => words.has(trigger.toLowerCase()));
}
