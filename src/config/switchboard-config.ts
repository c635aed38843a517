import type { Agent } from "../agents/types.js";
import type { TurnPolicy } from "../mailbox/mailbox-store.js";
import type { BusinessHoursOptions } from "./business-hours.js";
import type { WorkersConfig } from "./workers-schema.js";

/**
 * What `switchboard.config.ts` (or `.mts`, `.js`, `.mjs`) exports as its default: the code
 * and settings of a switchboard service. Secrets are never written here — the Twilio Auth
 * Token, API key secret and database passwords come from the environment
 * (`TWILIO_AUTH_TOKEN`, `TWILIO_API_KEY_SECRET`, `DATABASE_URL`); a file that contains one
 * is rejected.
 *
 * Precedence for every setting: command-line flag > environment variable > this file >
 * default.
 */
export interface SwitchboardConfig {
  /**
   * Who answers: an `Agent` (e.g. `aiSdkAgent({ model })`, `functionAgent(fn)`) or `"faq"`
   * for the offline FAQ agent over `knowledge`. Default `"faq"`.
   */
  agent?: Agent | "faq";
  /** The FAQ agent's knowledge file (Markdown); relative to this file. */
  knowledge?: string;
  channels?: ChannelsConfig;
  /** HTTP port. Env `PORT`. Default 3000. */
  port?: number;
  /** Interface to listen on. Env `HOST`. Default `0.0.0.0` (reachable from a proxy or tunnel). */
  host?: string;
  /**
   * Where the mailbox lives: `sqlite:path`, a plain file path (relative to this file), or
   * `postgres://…` **without a password** (put that in `DATABASE_URL`). Env `DATABASE_URL`.
   * Default `.switchboard/mailbox.db`. The object form adds PostgreSQL settings; TLS is set
   * in the URL (`?sslmode=require`, or `verify-full` to check the server's certificate).
   */
  database?: string | DatabaseConfig;
  /** Route of the Conversations webhook. Default `/twilio/webhook`. */
  webhookPath?: string;
  /**
   * The public base URL Twilio reaches this service at, e.g. `https://bot.example.com`;
   * signatures are checked against `publicUrl + webhookPath`. Env `SWITCHBOARD_PUBLIC_URL`.
   */
  publicUrl?: string;
  workers?: WorkersConfig;
  /** How new conversations group customer messages into turns. Default `{ mode: "queue" }`. */
  policy?: TurnPolicy;
  /** Other automated participants (identities or addresses) never answered. */
  botIdentities?: string[];
  /** Customer messages that hand the conversation to a person; `[]` turns it off. */
  handoffKeywords?: string[];
  /**
   * When people answer handoffs (time zone, weekly hours, holidays), what a handoff says
   * outside them, the hand-back timeout, and the slow-turn "one moment" message: the
   * options of the same names of `createSwitchboard`, checked when the service starts (a
   * mistake names the option, e.g. `businessHours.weekly.monday[0]`).
   */
  businessHours?: BusinessHoursOptions;
  afterHoursMessage?: string;
  handBack?: false | { afterMs: number; message?: string };
  slowTurn?:
    | false
    | { afterMs?: Partial<Record<"sms" | "whatsapp" | "chat", number | false>>; message?: string };
  /**
   * One customer across channels: `linkSameNumber` (default true) links the SMS and WhatsApp
   * of one number automatically — `false` keeps them apart; `historyLimit` (default 10, 0 =
   * off) is how many of the customer's messages from other channels the agent sees.
   */
  customers?: { linkSameNumber?: boolean; historyLimit?: number };
  /**
   * The widget's customer features: "verify your phone" (a code by SMS/WhatsApp through the
   * outbox), "continue on WhatsApp / by SMS". Signed identities take the secret from
   * `SWITCHBOARD_WEBCHAT_IDENTITY_SECRET`.
   */
  webchat?: WebchatCustomerConfig;
  console?: {
    /**
     * Refused: the console token is a secret. Set `SWITCHBOARD_CONSOLE_TOKEN`, or let
     * `serve` generate one and keep it beside the mailbox.
     */
    token?: string;
  };
  /**
   * Which reverse proxies to believe about the real client (`X-Forwarded-For`,
   * `Forwarded`): a hop count (`1`: the one proxy in front) or the proxies' addresses and
   * CIDR ranges (`["10.0.0.0/8"]`). Default: none — the socket's peer is the client. Also
   * `SWITCHBOARD_TRUST_PROXY` and `--trust-proxy`.
   */
  trustProxy?: number | string[];
}

/** The object form of `database`: PostgreSQL settings beside the URL. */
export interface DatabaseConfig {
  /** As the string form of `database`; absent: `DATABASE_URL` (or the SQLite default). */
  url?: string;
  /**
   * Connections per instance in the mailbox's pool, 1–1000 (the shared Twilio pacer opens a
   * pool of the same size, and one more connection listens for wake-ups). Env
   * `DATABASE_POOL_SIZE`. Default 10. PostgreSQL only.
   */
  poolSize?: number;
  /**
   * `false`: do not apply migrations on start; run `switchboard migrate` before deploying and
   * the service refuses to start on a schema that is not current. Env
   * `SWITCHBOARD_DATABASE_MIGRATE`. Default true. PostgreSQL only.
   */
  migrate?: boolean;
}

/** Per-channel options. */
/** The config file's `webchat` section: the widget's customer features. */
export interface WebchatCustomerConfig {
  /** Our SMS number (E.164): codes and "continue by SMS" texts go from it. */
  smsNumber?: string;
  /** Our WhatsApp number (E.164): codes by WhatsApp, and the "continue on WhatsApp" link. */
  whatsappNumber?: string;
  /**
   * "Verify your phone": `false` turns it off. Default on, by SMS when `smsNumber` is set
   * (and by WhatsApp when `whatsappNumber` and `verify.whatsappTemplate` are).
   */
  verify?:
    | false
    | {
        channels?: ("sms" | "whatsapp")[];
        codeTtlMs?: number;
        maxAttempts?: number;
        /** Put before the code text, e.g. your business name. */
        senderName?: string;
        /** Country calling codes codes may go to (`["1", "44"]`); default every country. */
        countries?: string[];
        /**
         * An approved WhatsApp authentication template (`HX…`) whose variable `variable`
         * (default `"1"`) is the code: WhatsApp refuses free text to a number that has not
         * written in the last 24 hours (63016), so codes by WhatsApp need one.
         */
        whatsappTemplate?: { contentSid: string; variable?: string };
      };
}

export interface ChannelsConfig {
  sms?: {
    /** Add `(1/3)` markers to a reply split into several messages. */
    markers?: boolean;
    /**
     * Who answers HELP/INFO: `"twilio"` (default: Twilio's opt-out auto-reply answers and
     * switchboard stays silent) or `"switchboard"` (sends `helpText`; turn Twilio's off).
     */
    helpAnsweredBy?: "twilio" | "switchboard";
    /** The answer to HELP when `helpAnsweredBy` is `"switchboard"`. */
    helpText?: string;
    /**
     * The most segments one SMS may cost, 1–10: a longer reply is split into several
     * messages of at most this many segments, and the agent is asked to stay within it.
     * Default: no cap beyond Twilio's 1,600 characters.
     */
    maxSegments?: number;
  };
  whatsapp?: {
    /** Sent instead of free text outside the 24-hour window. */
    template?: { contentSid: string; variables?: Record<string, string> };
    /**
     * Approved templates that show choices outside the 24-hour window, picked by the name a
     * reply's `choices.template` gives or by the option ids they show (see
     * `ApprovedChoiceTemplate`); when none fits, `template` goes as for any reply.
     */
    choiceTemplates?: {
      name?: string;
      choiceIds?: string[];
      contentSid: string;
      variables?: Record<string, string>;
      /** The variable the reply's text fills, e.g. "1". */
      textVariable?: string;
    }[];
    /** Whole messages that opt a WhatsApp customer out, like SMS STOP. Default STOP, UNSUBSCRIBE. */
    optOutPhrases?: string[];
    /** Whole messages that opt back in. Default START. */
    optInPhrases?: string[];
  };
  webchat?: {
    /**
     * Files visitors may attach: the largest (bytes, default 5 MB, at most 16 MB) and the
     * types (default photos, audio and PDFs), or `false` for none.
     */
    uploads?: false | { maxBytes?: number; contentTypes?: string[] };
  };
}

export type { WorkersConfig } from "./workers-schema.js";

/**
 * Types a config file's default export; returns it unchanged.
 *
 * ```ts
 * // switchboard.config.ts
 * import { defineConfig, aiSdkAgent } from "switchboard";
 * export default defineConfig({ agent: aiSdkAgent({ model }), port: 8080 });
 * ```
 */
export function defineConfig<const T extends SwitchboardConfig>(config: T): T {
  return config;
}
