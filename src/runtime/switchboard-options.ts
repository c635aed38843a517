import type { MediaLimits } from "../agents/media.js";
import type { Agent } from "../agents/types.js";
import type { Channel } from "../channel/channel.js";
import type { BusinessHours, BusinessHoursOptions } from "../config/business-hours.js";
import type { WorkersConfig } from "../config/workers-schema.js";
/**
 * Turn policy: new conversations use the mailbox's `defaultPolicy` (e.g.
 * `sqliteMailbox({ path, defaultPolicy: { mode: "burst", windowMs: 3000 } })`); change one
 * conversation with `switchboard.setPolicy`.
 */
import type { MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { ApprovedChoiceTemplate } from "./choice-templates.js";
import type { SwitchboardConsentOptions } from "./consent-policy.js";
import type { SwitchboardCustomerOptions } from "./customer-options.js";
import type { RuntimeProvider } from "./runtime-provider.js";

/** Options of {@link createSwitchboard}. */
export interface SwitchboardOptions {
  /** Where replies go and where catch-up reads from: a `TwilioProvider`. */
  provider: RuntimeProvider;
  /** Answers each turn. */
  agent: Agent;
  /** Durable storage and scheduling; e.g. `sqliteMailbox({ path })`. */
  mailbox: MailboxStore;
  workers?: SwitchboardWorkerOptions;
  webhook?: SwitchboardWebhookOptions;
  /**
   * The Author of our replies. Messages authored by it are our own and never answered.
   * Default `"switchboard"`.
   */
  botAuthor?: string;
  /** Other automated participants (identities or addresses); never answered. */
  botIdentities?: readonly string[];
  /**
   * Identities of people answering for the business. Their messages enter history as
   * `human` and are never answered. In an SMS/WhatsApp conversation any chat identity that
   * is not a bot counts as human too.
   */
  humanIdentities?: readonly string[];
  /**
   * A customer message equal to one of these (case-insensitive, trimmed) hands the
   * conversation to a person without asking the agent. Default `["human", "agent",
   * "operator"]`; `[]` turns it off.
   */
  handoffKeywords?: readonly string[];
  /** Sent when a keyword hands off; default "Connecting you with a person. Please wait." */
  handoffMessage?: string;
  /**
   * When the people behind handoffs work: `businessHours({ timeZone, weekly, holidays })`
   * from `switchboard/config`, or its options (validated here; mistakes name the option).
   * Outside these hours a handoff (agent or keyword) tells the customer when a person will
   * reply instead of promising one now. Default: always open.
   */
  businessHours?: BusinessHoursOptions | BusinessHours;
  /**
   * Sent on a handoff outside business hours, instead of the handoff text; `{when}` becomes
   * the next opening in words ("tomorrow at 9:00"). Default "Our team is away right now. A
   * person will reply {when}."
   */
  afterHoursMessage?: string;
  /**
   * A short "one moment" message for turns that take long: sent once per turn (also across
   * retries) through the outbox when the agent has not answered after `afterMs` on that
   * channel. Default: SMS and WhatsApp after 8 s, off for web chat (it shows typing);
   * `false` turns it off everywhere.
   */
  handBack?:
    | false
    | {
        /**
         * Inside business hours, a handoff (by the agent or a keyword) that no person picked
         * up — nobody wrote in the conversation — within this many ms goes back to the bot.
         * Operators' takeovers and handoffs made outside business hours are never handed back.
         */
        afterMs: number;
        /** Sent to the customer when it goes back. Default "Nobody from our team is free right
         * now, so I'll keep helping you here." */
        message?: string;
      };
  slowTurn?: false | { afterMs?: Partial<Record<Channel, number | false>>; message?: string };
  channels?: SwitchboardChannelOptions;
  /**
   * Consent (opt-out) handling: WhatsApp opt-out phrases and who answers HELP. SMS STOP/START/
   * HELP always follow Twilio's standard keywords; an opted-out customer is never answered or
   * sent to.
   */
  consent?: SwitchboardConsentOptions;
  /**
   * One customer across channels: SMS and WhatsApp of one number are linked automatically
   * (`linkSameNumber`, default true), and the agent's history holds the customer's recent
   * messages from their other channels (`historyLimit`, default 10). See
   * `switchboard.customers` to link from the application.
   */
  customers?: SwitchboardCustomerOptions;
  /**
   * What inbound media the agent may read through `InboundMedia.read()`: the largest size
   * and the accepted types. Default `defaultMediaLimits` (5 MB; images, audio, PDF, text).
   */
  media?: MediaLimits;
  /** At most this many earlier messages are given to the agent. Default 30. */
  historyLimit?: number;
  logger?: TwilioLogger;
  catchUp?: SwitchboardCatchUpOptions;
  /** Epoch ms; inject in tests. Default `Date.now`. */
  clock?: () => number;
}

/**
 * Worker tuning and the retry policy: the same type as the config file's `workers` section,
 * derived from its schema (`src/config/workers-schema.ts`).
 */
export type SwitchboardWorkerOptions = WorkersConfig;

export interface SwitchboardWebhookOptions {
  /** Route of the Conversations webhook. Default `/twilio/webhook`. */
  path?: string;
  /** Verifies signatures; default `TWILIO_AUTH_TOKEN`. */
  authToken?: string;
  /** The public URL Twilio calls (signatures cover it); default `TWILIO_WEBHOOK_URL`, else
   * the URL the request arrived at. */
  url?: string;
  /** `false` skips signature verification: only behind a trusted relay. */
  verify?: boolean;
  /** Believe `X-Forwarded-*` headers (only behind your own proxy). */
  trustProxy?: boolean;
}

export interface SwitchboardChannelOptions {
  sms?: {
    markers?: boolean;
    /**
     * The most segments one SMS message may cost. A longer reply is split into several
     * messages of at most this many segments each (never truncated), and the agent is told
     * to keep replies within it (`ChannelCapabilities.preferredCharacters`). Default: no
     * cap beyond Twilio's 1,600 characters.
     */
    maxSegments?: number;
  };
  whatsapp?: {
    /** Sent instead of free text outside the 24-hour window and after a 63016 failure. */
    template?: { contentSid: string; variables?: Readonly<Record<string, string>> };
    /**
     * Approved templates that show choices outside the 24-hour window: a reply with choices
     * there goes out as the one its `choices.template` names, or whose `choiceIds` are its
     * option ids; when none fits, as `template` (or not at all without one). Checked at
     * construction. See `ApprovedChoiceTemplate`.
     */
    choiceTemplates?: readonly ApprovedChoiceTemplate[];
  };
}

export interface SwitchboardCatchUpOptions {
  /** Period of the background catch-up; default 60 000; 0 turns the periodic run off. */
  intervalMs?: number;
  /**
   * Missed messages ingested per conversation and run, oldest first (a longer gap is filled
   * over the next runs). Default 200.
   */
  maxMessagesPerConversation?: number;
  /**
   * Conversations without a customer message for this long are no longer checked (closed
   * ones stop at once). Default 7 days.
   */
  idleHorizonMs?: number;
  /**
   * The newest messages of each conversation re-read every run, to find a webhook lost
   * while the service was up below a message already answered. Default 50; 0 turns it off.
   */
  tailWindow?: number;
  /**
   * Catch-up's REST budget: requests per second at most, a whole number (default 5 — a
   * small share of Twilio's account limits, see `defaultCatchUpRequestsPerSecond`). Shared
   * by the start and periodic runs and the `Index` gap fetches of the webhook path; replies
   * are sent first (background listings wait while sends are busy). Env:
   * `SWITCHBOARD_CATCH_UP_RPS` for `switchboard serve`.
   */
  requestsPerSecond?: number;
  /**
   * Conversations listed per run at most, the most recently active first. Default 1000.
   * Quiet conversations are covered by the gap fetch when their next message arrives.
   */
  maxConversationsPerRun?: number;
}
