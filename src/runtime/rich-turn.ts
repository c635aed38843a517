import { boundedMediaReader, type MediaLimits } from "../agents/media.js";
import type { InboundMedia, Turn, TurnMessage } from "../agents/types.js";
import type { Choices } from "../channel/choices.js";
import type { HistoryEntry } from "../mailbox/mailbox-store.js";
import { selectableChoices } from "../twilio/channels/choices.js";
import { parseChoiceReply } from "../twilio/channels/parse-choice-reply.js";
import { choicesAttribute } from "./reply-shaping.js";
import type { RichState } from "./rich-state.js";
import type { RuntimeProvider } from "./runtime-provider.js";

/** The attribute a web chat button tap carries: `{ switchboardChoice: { id } }`. */
export const choiceAttribute = "switchboardChoice";

/** What enriching a turn needs. */
export interface RichTurnSettings {
  provider: Pick<RuntimeProvider, "fetchMedia">;
  state: RichState;
  mediaLimits: MediaLimits;
  signal: AbortSignal;
  /** The choices the conversation's last reply offered (see {@link lastOfferedChoices}). */
  offered: Choices | undefined;
}

/**
 * Gives a turn what the mailbox does not store on the message itself: a bounded `read()` on
 * each media item (bytes fetched with the account's credentials through the provider, so
 * no credentialed URL reaches the agent), transcripts an earlier run stored, and the
 * `choice` a message picked from the choices last offered in the conversation.
 */
export async function enrichTurn(turn: Turn, settings: RichTurnSettings): Promise<Turn> {
  const { offered } = settings;
  const messages: TurnMessage[] = [];
  for (const message of turn.messages) {
    const transcripts =
      message.media.length > 0
        ? await settings.state.transcripts(message.messageSid)
        : new Map<number, string>();
    const media = message.media.map((item, position) =>
      withReader(item, transcripts.get(position), settings),
    );
    const enriched: TurnMessage = { ...message, media };
    const choice = offered === undefined ? undefined : choiceOf(message, offered);
    if (choice !== undefined) enriched.choice = choice;
    messages.push(enriched);
  }
  return { ...turn, messages, media: messages.flatMap((message) => message.media) };
}

function withReader(
  media: InboundMedia,
  transcript: string | undefined,
  settings: RichTurnSettings,
): InboundMedia {
  const enriched: InboundMedia = { ...media };
  if (transcript !== undefined) enriched.transcript = transcript;
  const fetchMedia = settings.provider.fetchMedia?.bind(settings.provider);
  const sid = media.sid;
  if (fetchMedia !== undefined && sid !== undefined) {
    enriched.read = boundedMediaReader(
      media,
      (signal) => fetchMedia(sid, signal),
      settings.mediaLimits,
      settings.signal,
    );
  }
  return enriched;
}

/**
 * The choices the conversation's last reply offered: the `switchboardChoices` attribute of
 * the latest outbound entry in history (a reply that failed to send offered nothing). The
 * outbox keeps it in both stores, so every instance reads the same answer with no extra
 * query; a later reply without choices withdraws them.
 */
export function lastOfferedChoices(entries: readonly HistoryEntry[]): Choices | undefined {
  for (let position = entries.length - 1; position >= 0; position -= 1) {
    const entry = entries[position]!;
    if (entry.direction !== "outbound" || entry.status === "failed") continue;
    const offered = entry.attributes?.[choicesAttribute];
    return typeof offered === "object" && offered !== null ? (offered as Choices) : undefined;
  }
  return undefined;
}

/**
 * The option a message picked: a web chat tap names its id in the attributes; otherwise the
 * body is read as an answer (a WhatsApp tap's Body is the button title; "2" on SMS).
 */
export function choiceOf(
  message: Pick<TurnMessage, "body" | "attributes">,
  offered: Choices,
): { id: string; title: string } | undefined {
  const tapped = message.attributes?.[choiceAttribute] as { id?: unknown } | undefined;
  if (typeof tapped?.id === "string") {
    const option = selectableChoices(offered).find((candidate) => candidate.id === tapped.id);
    if (option !== undefined) return { id: option.id, title: option.title };
  }
  const picked = parseChoiceReply(message.body, offered);
  return picked === undefined ? undefined : { id: picked.choice.id, title: picked.choice.title };
}
