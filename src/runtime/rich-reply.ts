import type { HistoryMessage } from "../agents/types.js";
import type { Channel } from "../channel/channel.js";
import {
  type ChannelCapabilities,
  defaultChannelCapabilities,
} from "../channel/channel-capabilities.js";
import type { Choices } from "../channel/choices.js";
import { validateChoices } from "../twilio/channels/choices.js";
import { choicesContentKey, choicesToContent } from "../twilio/channels/choices-to-content.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { describeError } from "./describe-error.js";
import type { RichState } from "./rich-state.js";
import type { RuntimeProvider } from "./runtime-provider.js";

/**
 * The channel as the agent is told it (`AgentContext.channel`): switchboard's capabilities,
 * narrowed by this deployment — an SMS segment cap lowers the comfortable reply length to
 * what that many GSM-7 segments hold.
 */
export function channelContext(
  channel: Channel,
  smsMaxSegments: number | undefined,
): { name: Channel; capabilities: ChannelCapabilities } {
  const capabilities = defaultChannelCapabilities(channel);
  if (channel === "sms" && smsMaxSegments !== undefined) {
    const fits = smsMaxSegments === 1 ? 160 : smsMaxSegments * 153;
    capabilities.preferredCharacters = Math.min(capabilities.preferredCharacters, fits);
  }
  return { name: channel, capabilities };
}

/** What {@link choicesContentFor} needs. */
export interface ChoicesContentSettings {
  provider: Pick<RuntimeProvider, "createContent">;
  state: RichState;
  /** Whether the WhatsApp session is open: session quick replies and lists need it. */
  windowOpen: boolean;
  logger: TwilioLogger;
  conversationSid: string;
}

/**
 * The Content template (`HX…`) that shows `choices` as WhatsApp buttons or a list: taken
 * from the cache by `choicesContentKey`, else created through the provider and cached.
 * `undefined` — send numbered text instead — when the provider cannot create content, the
 * session is closed (unapproved content cannot go out then), `validateChoices` finds a
 * WhatsApp limit broken, or the create fails (logged; the reply is not held up by it).
 */
export async function choicesContentFor(
  choices: Choices,
  settings: ChoicesContentSettings,
): Promise<string | undefined> {
  const createContent = settings.provider.createContent?.bind(settings.provider);
  if (createContent === undefined || !settings.windowOpen) return undefined;
  const problems = validateChoices(choices, { channel: "whatsapp" });
  if (problems.length > 0) {
    settings.logger.info(
      {
        conversationSid: settings.conversationSid,
        problems: problems.map((problem) => problem.message),
      },
      "whatsapp choices sent as numbered text",
    );
    return undefined;
  }
  const key = choicesContentKey(choices);
  const cached = await settings.state.contentSid(key);
  if (cached !== undefined) return cached;
  try {
    const sid = await createContent(choicesToContent(choices));
    await settings.state.rememberContent(key, sid);
    return sid;
  } catch (error) {
    settings.logger.warn(
      { conversationSid: settings.conversationSid, reason: describeError(error) },
      "whatsapp choices content not created; sent as numbered text",
    );
    return undefined;
  }
}

/** History with the transcripts stored for its voice notes (see `Reply.transcripts`). */
export async function withTranscripts(
  history: HistoryMessage[],
  state: RichState,
): Promise<HistoryMessage[]> {
  for (const message of history) {
    if (message.media === undefined || message.media.length === 0) continue;
    if (message.messageSid === undefined) continue;
    const transcripts = await state.transcripts(message.messageSid);
    if (transcripts.size === 0) continue;
    message.media = message.media.map((media, position) => {
      const transcript = transcripts.get(position);
      return transcript === undefined ? media : { ...media, transcript };
    });
  }
  return history;
}
