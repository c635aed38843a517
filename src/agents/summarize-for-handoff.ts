import { generateText, type LanguageModel } from "ai";
import type { HistoryMessage } from "./types.js";

/** Options of {@link extractiveHandoffSummary}. */
export interface ExtractiveSummaryOptions {
  /** The most characters of the summary. Default 600. */
  maxCharacters?: number;
}

/** Options of {@link summarizeForHandoff}. */
export interface HandoffSummaryOptions extends ExtractiveSummaryOptions {
  /** A language model for an abstractive summary (one extra call); else extractive. */
  model?: LanguageModel;
  /** The most time the model call may take before the extractive summary is used. Default 8 s. */
  timeoutMs?: number;
  /** The most tokens the model may write. Default 200. */
  maxOutputTokens?: number;
  /** Aborts the model call (the turn's signal); the extractive summary is returned then. */
  signal?: AbortSignal;
}

const defaultMaxCharacters = 600;
/** One line's share of the summary, so one long message cannot crowd out the rest. */
const lineCharacters = 160;

/**
 * A summary a person taking over can read in seconds, made without a model: the
 * customer's questions, each with what was answered (by the agent or staff), most recent
 * kept when it has to be shortened, and the last question marked open when nobody answered
 * it. Small talk ("ok", "thanks") is left out. Never longer than `maxCharacters`.
 *
 * ```text
 * Customer: Do you rent e-bikes?
 * Answered: Yes, 35 EUR a day with a helmet.
 * Customer (open): Can I pay the deposit by card?
 * ```
 */
export function extractiveHandoffSummary(
  history: readonly HistoryMessage[],
  options: ExtractiveSummaryOptions = {},
): string {
  const maxCharacters = checkedMaxCharacters(options.maxCharacters);
  const lines: string[] = [];
  let awaitingAnswer = false;
  for (const message of history) {
    const text = oneLine(message.text, message.media?.map(describeMedia) ?? []);
    if (text === "") continue;
    if (message.role === "customer") {
      if (!isSubstantive(text)) continue;
      if (awaitingAnswer) lines[lines.length - 1] = `${lines.at(-1)} / ${text}`;
      else lines.push(`Customer: ${text}`);
      awaitingAnswer = true;
    } else if (awaitingAnswer) {
      lines.push(`${message.role === "human" ? "Staff answered" : "Answered"}: ${text}`);
      awaitingAnswer = false;
    }
  }
  if (awaitingAnswer && lines.length > 0) {
    lines[lines.length - 1] = (lines.at(-1) ?? "").replace(/^Customer:/, "Customer (open):");
  }
  if (lines.length === 0) return "No questions from the customer yet.";
  const clipped = lines.map((line) => clip(line, lineCharacters));
  const all = clipped.join("\n");
  if (all.length <= maxCharacters) return all;
  // Keep the most recent lines that fit: the latest question is what the person answers.
  // Room is kept for the note saying how many earlier lines were left out.
  const noteRoom = `(${clipped.length} earlier lines left out)\n`.length;
  const kept: string[] = [];
  let length = 0;
  for (let position = clipped.length - 1; position >= 0; position -= 1) {
    const line = clipped[position] ?? "";
    const added = line.length + (kept.length === 0 ? 0 : 1);
    if (length + added > maxCharacters - noteRoom) break;
    kept.unshift(line);
    length += added;
  }
  if (kept.length === 0) return clip(clipped.at(-1) ?? "", maxCharacters);
  const skipped = clipped.length - kept.length;
  kept.unshift(`(${skipped} earlier line${skipped === 1 ? "" : "s"} left out)`);
  return kept.join("\n");
}

/**
 * A summary for the person taking over a conversation. With `model`, one bounded call
 * (`maxOutputTokens`, `timeoutMs`) writes it; any error, an empty answer or the timeout
 * falls back to {@link extractiveHandoffSummary}, so a handoff never waits on or fails
 * because of the summary. The result is at most `maxCharacters` long either way.
 */
export async function summarizeForHandoff(
  history: readonly HistoryMessage[],
  options: HandoffSummaryOptions = {},
): Promise<string> {
  const maxCharacters = checkedMaxCharacters(options.maxCharacters);
  const extractive = () => extractiveHandoffSummary(history, { maxCharacters });
  if (options.model === undefined || history.length === 0) return extractive();
  const timeoutMs = options.timeoutMs ?? 8000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(
      `summarizeForHandoff: option "timeoutMs" must be a positive number; got ${timeoutMs}.`,
    );
  }
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (options.signal !== undefined) signals.push(options.signal);
  try {
    const result = await generateText({
      model: options.model,
      instructions:
        "Summarize this customer conversation for the staff member taking it over, in at most four short lines: what the customer wants, what they were told, and what is still open. No greeting, no preamble.",
      prompt: transcript(history),
      maxOutputTokens: options.maxOutputTokens ?? 200,
      maxRetries: 0,
      abortSignal: AbortSignal.any(signals),
    });
    const text = result.text.trim();
    return text === "" ? extractive() : clip(text, maxCharacters);
  } catch {
    // The summary is a courtesy to the person: the handoff goes ahead without the model's.
    return extractive();
  }
}

function transcript(history: readonly HistoryMessage[]): string {
  const roles = { customer: "Customer", agent: "Assistant", human: "Staff" } as const;
  return history
    .slice(-40)
    .map((message) => {
      const text = oneLine(message.text, message.media?.map(describeMedia) ?? []);
      return `${roles[message.role]}: ${clip(text, 500)}`;
    })
    .join("\n");
}

function describeMedia(media: NonNullable<HistoryMessage["media"]>[number]): string {
  return media.transcript === undefined
    ? `[attachment: ${media.filename ?? media.contentType}]`
    : `[voice note: ${media.transcript}]`;
}

function checkedMaxCharacters(value: number | undefined): number {
  const maxCharacters = value ?? defaultMaxCharacters;
  if (!Number.isInteger(maxCharacters) || maxCharacters < 40) {
    throw new RangeError(
      `handoff summary: option "maxCharacters" must be an integer of at least 40; got ${maxCharacters}.`,
    );
  }
  return maxCharacters;
}

function oneLine(text: string, notes: readonly string[]): string {
  return [text, ...notes].join(" ").replace(/\s+/g, " ").trim();
}

/** A question or a statement worth passing on; "ok", "thanks!", "👍" are not. */
function isSubstantive(text: string): boolean {
  if (text.includes("?")) return true;
  return text.split(" ").filter((word) => /\p{L}|\p{N}/u.test(word)).length >= 3;
}

function clip(text: string, most: number): string {
  const characters = [...text];
  return characters.length <= most
    ? text
    : `${characters
        .slice(0, most - 1)
        .join("")
        .trimEnd()}…`;
}
