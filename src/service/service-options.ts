import type twilio from "twilio";
import type { Agent } from "../agents/types.js";
import type { DatabaseLocation } from "../config/parse-database-url.js";
import type { TrustProxySetting } from "../config/parse-trust-proxy.js";
import type { HandoffSettings } from "../config/resolve-config.js";
import type {
  ChannelsConfig,
  WebchatCustomerConfig,
  WorkersConfig,
} from "../config/switchboard-config.js";
import type { ConsoleDeps, ConsoleInfo } from "../console/console-deps.js";
import type { ServerLimits } from "../http/listen-http.js";
import type { Logger } from "../log/create-logger.js";
import type { TurnPolicy } from "../mailbox/mailbox-store.js";

/** Everything {@link createService} needs, already resolved and validated. */
export interface ServiceOptions {
  /** `dev` also serves the web chat demo page and shows itself so in the console. */
  mode: "dev" | "serve";
  /** Where `listen()` binds by default; also decides whether the console needs a token. */
  host: string;
  /** Where `listen()` binds by default; 0 picks a free port. */
  port: number;
  /** `.switchboard/`: the SQLite mailbox (by default) and the web chat secret. */
  stateDirectory: string;
  /** Where `SWITCHBOARD_WEBCHAT_SECRET` is read from. Default `process.env`. */
  environment?: Readonly<Record<string, string | undefined>> | undefined;
  database: DatabaseLocation;
  agent: Agent;
  twilio: {
    accountSid: string;
    authToken?: string | undefined;
    apiKeySid?: string | undefined;
    apiKeySecret?: string | undefined;
    serviceSid: string;
    /** The public URL Twilio signs; `undefined`: the URL the request arrived at. */
    webhookUrl?: string | undefined;
    /** How the SDK reaches Twilio; the emulator's request client in dev. */
    httpClient?: twilio.RequestClient | undefined;
  };
  webhookPath: string;
  /**
   * The console token (at least 22 characters). `serve`: absent means the one kept beside
   * the mailbox, generated on first start. `dev`: absent means open on loopback, else one
   * generated for the run.
   */
  consoleToken?: string | undefined;
  /** Which reverse proxies are believed about the real client; default none. */
  trustProxy?: TrustProxySetting | undefined;
  /** Connection cap and header/request timeouts of the listening server. */
  serverLimits?: ServerLimits | undefined;
  /**
   * How often each instance re-reads the revoked web chat visitors, in ms (default 5000): the
   * backstop behind the instant announcement, for one missed while a connection was down.
   */
  revocationRefreshMs?: number | undefined;
  /** When set, `/metrics` asks for `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
  /** Catch-up's REST budget, requests per second; default the runtime's. */
  catchUpRequestsPerSecond?: number | undefined;
  consoleInfo: Omit<ConsoleInfo, "mode">;
  sendAsCustomer?: ConsoleDeps["sendAsCustomer"];
  workers?: WorkersConfig | undefined;
  channels?: ChannelsConfig | undefined;
  /** The widget's customer features: verify a phone, continue on WhatsApp / by SMS. */
  webchat?: WebchatCustomerConfig | undefined;
  policy?: TurnPolicy | undefined;
  botIdentities?: readonly string[] | undefined;
  handoffKeywords?: readonly string[] | undefined;
  /** Business hours, the after-hours text, the hand-back timeout, slow turns (see the config). */
  handoffs?: HandoffSettings | undefined;
  logger: Logger;
  /** A pause before every answer so the typing indicator shows; default 0. */
  agentDelayMs?: number | undefined;
}
