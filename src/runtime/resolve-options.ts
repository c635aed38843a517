import { defaultMediaLimits, type MediaLimits, validateMediaLimits } from "../agents/media.js";
import type { Agent } from "../agents/types.js";
import { type BusinessHours, businessHours } from "../config/business-hours.js";
import { workersSchema } from "../config/workers-schema.js";
import { ConfigError } from "../errors.js";
import type { MailboxStore } from "../mailbox/mailbox-store.js";
import { refuseUnknownOptions } from "../refuse-unknown-options.js";
import { silentLogger, type TwilioLogger } from "../twilio/logger.js";
import { defaultCatchUpRequestsPerSecond, validateRequestsPerSecond } from "./catch-up-budget.js";
import { type ApprovedChoiceTemplate, resolveChoiceTemplates } from "./choice-templates.js";
import { type ConsentPolicy, resolveConsentPolicy } from "./consent-policy.js";
import { type CustomerSettings, resolveCustomerOptions } from "./customer-options.js";
import { type HandBackSettings, resolveHandBack } from "./hand-back.js";
import type { Identities } from "./inbound-from-event.js";
import { type RetryPolicy, resolveRetryPolicy } from "./retry-policy.js";
import type { RuntimeProvider } from "./runtime-provider.js";
import { resolveSlowTurn, type SlowTurnSettings } from "./slow-turn.js";
import type {
  SwitchboardCatchUpOptions,
  SwitchboardOptions,
  SwitchboardWebhookOptions,
} from "./switchboard-options.js";
import type { WhatsAppTemplate } from "./whatsapp-window.js";

/** Every option with its default, checked. */
export interface ResolvedOptions {
  provider: RuntimeProvider;
  agent: Agent;
  mailbox: MailboxStore;
  logger: TwilioLogger;
  now: () => number;
  identities: Identities;
  whatsappTemplate: WhatsAppTemplate | undefined;
  /** Approved templates for choices outside the WhatsApp window (checked). */
  choiceTemplates: ApprovedChoiceTemplate[];
  consent: ConsentPolicy;
  customers: CustomerSettings;
  webhook: SwitchboardWebhookOptions & { path: string };
  turns: {
    concurrency: number;
    leaseMs: number;
    heartbeatMs: number;
    pollMs: number;
    retryPolicy: RetryPolicy;
    historyLimit: number;
    handoffKeywords: ReadonlySet<string>;
    handoffMessage: string;
    smsMarkers: boolean;
    /** What turns' media `read()` accepts. */
    mediaLimits: MediaLimits;
    /** The most SMS segments one message may cost; undefined: no cap. */
    smsMaxSegments: number | undefined;
    /** Undefined: always open. */
    businessHours: BusinessHours | undefined;
    afterHoursMessage: string;
    slowTurn: SlowTurnSettings;
  };
  /** Undefined: off. */
  handBack: HandBackSettings | undefined;
  sends: {
    concurrency: number;
    leaseMs: number;
    pollMs: number;
    retryPolicy: RetryPolicy;
  };
  drainMs: number;
  catchUp: {
    intervalMs: number;
    maxMessagesPerConversation: number;
    idleHorizonMs: number;
    tailWindow: number;
    requestsPerSecond: number;
    maxConversationsPerRun: number;
  };
}

/** Every key of `createSwitchboard`'s options: the compiler keeps the list complete. */
const switchboardOptionKeys = {
  provider: true,
  agent: true,
  mailbox: true,
  workers: true,
  webhook: true,
  botAuthor: true,
  botIdentities: true,
  humanIdentities: true,
  handoffKeywords: true,
  handoffMessage: true,
  businessHours: true,
  afterHoursMessage: true,
  handBack: true,
  slowTurn: true,
  channels: true,
  consent: true,
  customers: true,
  media: true,
  historyLimit: true,
  logger: true,
  catchUp: true,
  clock: true,
} as const satisfies Record<keyof SwitchboardOptions, true>;

const webhookOptionKeys = {
  path: true,
  authToken: true,
  url: true,
  verify: true,
  trustProxy: true,
} as const satisfies Record<keyof SwitchboardWebhookOptions, true>;

const catchUpOptionKeys = {
  intervalMs: true,
  maxMessagesPerConversation: true,
  idleHorizonMs: true,
  tailWindow: true,
  requestsPerSecond: true,
  maxConversationsPerRun: true,
} as const satisfies Record<keyof SwitchboardCatchUpOptions, true>;

/**
 * Applies defaults and checks every option once, at construction, with a message that names
 * the option — a typo fails here, not at the first webhook.
 */
export function resolveOptions(options: SwitchboardOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null)
    throw new ConfigError("options", "createSwitchboard needs { provider, agent, mailbox }.");
  if (typeof options.provider?.sendMessage !== "function")
    throw new ConfigError(
      "provider",
      "provider is missing: pass a TwilioProvider (new TwilioProvider({ accountSid, authToken, conversationsServiceSid })).",
    );
  if (typeof options.agent?.respond !== "function")
    throw new ConfigError(
      "agent",
      "agent is missing: pass an Agent, e.g. functionAgent(async (turn) => reply text).",
    );
  if (typeof options.mailbox?.ingest !== "function")
    throw new ConfigError(
      "mailbox",
      'mailbox is missing: pass a MailboxStore, e.g. sqliteMailbox({ path: ".switchboard/mailbox.db" }).',
    );
  refuseUnknownOptions(options, switchboardOptionKeys);
  refuseUnknownOptions(options.workers, workersSchema.shape, "workers.");
  refuseUnknownOptions(options.webhook, webhookOptionKeys, "webhook.");
  refuseUnknownOptions(options.catchUp, catchUpOptionKeys, "catchUp.");
  const workers = options.workers ?? {};
  const leaseMs = positive(workers.leaseMs ?? 30_000, "workers.leaseMs");
  const heartbeatMs = positive(
    workers.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)),
    "workers.heartbeatMs",
  );
  if (heartbeatMs >= leaseMs)
    throw new ConfigError(
      "workers.heartbeatMs",
      "workers.heartbeatMs must be shorter than workers.leaseMs, or leases expire between heartbeats.",
    );
  const pollMs = positive(workers.pollMs ?? 1000, "workers.pollMs");
  const retryPolicy = resolveRetryPolicy(workers);
  const webhookPath = options.webhook?.path ?? "/twilio/webhook";
  if (!webhookPath.startsWith("/"))
    throw new ConfigError(
      "webhook.path",
      'webhook.path must start with "/", e.g. "/twilio/webhook".',
    );
  const template = options.channels?.whatsapp?.template;
  if (template !== undefined && !/^HX[0-9a-fA-F]{32}$/.test(template.contentSid))
    throw new ConfigError(
      "channels.whatsapp.template.contentSid",
      "channels.whatsapp.template.contentSid must be a Content template SID (HX followed by 32 hex digits); find it in Twilio Console → Messaging → Content Template Builder.",
    );
  const catchUpIntervalMs = options.catchUp?.intervalMs ?? 60_000;
  if (!Number.isFinite(catchUpIntervalMs) || catchUpIntervalMs < 0)
    throw new ConfigError(
      "catchUp.intervalMs",
      "catchUp.intervalMs must be 0 (off) or a positive number of ms.",
    );
  const botAuthor = options.botAuthor ?? "switchboard";

  return {
    provider: options.provider,
    agent: options.agent,
    mailbox: options.mailbox,
    logger: options.logger ?? silentLogger,
    now: options.clock ?? Date.now,
    identities: {
      botAuthor,
      botIdentities: new Set(options.botIdentities ?? []),
      humanIdentities: new Set(options.humanIdentities ?? []),
    },
    whatsappTemplate: template,
    choiceTemplates: resolveChoiceTemplates(options.channels?.whatsapp?.choiceTemplates),
    consent: resolveConsentPolicy(options.consent),
    customers: resolveCustomerOptions(options.customers),
    webhook: { ...options.webhook, path: webhookPath },
    turns: {
      concurrency: positive(workers.concurrency ?? 8, "workers.concurrency"),
      leaseMs,
      heartbeatMs,
      pollMs,
      retryPolicy,
      historyLimit: positive(options.historyLimit ?? 30, "historyLimit"),
      handoffKeywords: new Set(
        (options.handoffKeywords ?? ["human", "agent", "operator"]).map((word) =>
          word.trim().toLowerCase(),
        ),
      ),
      handoffMessage: options.handoffMessage ?? "Connecting you with a person. Please wait.",
      smsMarkers: options.channels?.sms?.markers ?? false,
      mediaLimits: resolveMediaLimits(options.media),
      smsMaxSegments: resolveMaxSegments(options.channels?.sms?.maxSegments),
      businessHours: resolveBusinessHours(options.businessHours),
      afterHoursMessage: checkedText(
        options.afterHoursMessage ?? "Our team is away right now. A person will reply {when}.",
        "afterHoursMessage",
      ),
      slowTurn: resolveSlowTurn(options.slowTurn),
    },
    handBack: resolveHandBack(options.handBack),
    sends: {
      concurrency: positive(workers.sendConcurrency ?? 8, "workers.sendConcurrency"),
      leaseMs,
      pollMs,
      retryPolicy,
    },
    drainMs: nonNegative(workers.drainMs ?? 10_000, "workers.drainMs"),
    catchUp: {
      intervalMs: catchUpIntervalMs,
      maxMessagesPerConversation: positive(
        options.catchUp?.maxMessagesPerConversation ?? 200,
        "catchUp.maxMessagesPerConversation",
      ),
      idleHorizonMs: positive(
        options.catchUp?.idleHorizonMs ?? 7 * 24 * 60 * 60_000,
        "catchUp.idleHorizonMs",
      ),
      tailWindow: nonNegative(options.catchUp?.tailWindow ?? 50, "catchUp.tailWindow"),
      // `undefined` only: a `null` is a mistake to name, not a request for the default.
      requestsPerSecond: validateRequestsPerSecond(
        options.catchUp?.requestsPerSecond === undefined
          ? defaultCatchUpRequestsPerSecond
          : options.catchUp.requestsPerSecond,
      ),
      maxConversationsPerRun: positive(
        options.catchUp?.maxConversationsPerRun ?? 1000,
        "catchUp.maxConversationsPerRun",
      ),
    },
  };
}

function resolveMediaLimits(limits: MediaLimits | undefined): MediaLimits {
  if (limits === undefined) return defaultMediaLimits;
  try {
    return validateMediaLimits(limits);
  } catch (error) {
    const option = /"(\w+)"/.exec((error as Error).message)?.[1] ?? "maxBytes";
    throw new ConfigError(`media.${option}`, (error as Error).message);
  }
}

function resolveMaxSegments(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > 10)
    throw new ConfigError(
      "channels.sms.maxSegments",
      `channels.sms.maxSegments must be a whole number from 1 to 10 (Twilio caps a body at 1,600 characters); got ${value}.`,
    );
  return value;
}

function positive(value: number, option: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(option, `${option} must be a positive number; got ${value}.`);
  return value;
}

function nonNegative(value: number, option: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigError(option, `${option} must be 0 or a positive number; got ${value}.`);
  return value;
}

/** Business hours given as options are validated here (mistakes name `businessHours.…`). */
function resolveBusinessHours(
  given: SwitchboardOptions["businessHours"],
): BusinessHours | undefined {
  if (given === undefined) return undefined;
  if (typeof (given as BusinessHours).isOpen === "function") return given as BusinessHours;
  return businessHours(given as Parameters<typeof businessHours>[0]);
}

function checkedText(value: unknown, name: string): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new ConfigError(name, `${name} must be a non-empty string.`);
  return value;
}
