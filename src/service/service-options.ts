import type twilio from "twilio";
import type { Agent } from "../agents/types.js";
import type { DatabaseLocation } from "../config/parse-database-url.js";
import type { HandoffSettings } from "../config/resolve-config.js";
import type { ChannelsConfig, WorkersConfig } from "../config/switchboard-config.js";
import type { ConsoleDeps, ConsoleInfo } from "../console/console-deps.js";
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
  /** Given: used; absent: generated when the host is not loopback. */
  consoleToken?: string | undefined;
  consoleInfo: Omit<ConsoleInfo, "mode">;
  sendAsCustomer?: ConsoleDeps["sendAsCustomer"];
  workers?: WorkersConfig | undefined;
  channels?: ChannelsConfig | undefined;
  policy?: TurnPolicy | undefined;
  botIdentities?: readonly string[] | undefined;
  handoffKeywords?: readonly string[] | undefined;
  /** Business hours, the after-hours text, the hand-back timeout, slow turns (see the config). */
  handoffs?: HandoffSettings | undefined;
  logger: Logger;
  /** A pause before every answer so the typing indicator shows; default 0. */
  agentDelayMs?: number | undefined;
}
