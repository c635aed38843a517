import type { ConsoleChoice, ConsoleMessage } from "../console-deps.js";
import { el } from "./dom.js";

/** Answers an offered option as the customer would (dev mode); absent: shown, not tappable. */
export type ChoiceTap = (choice: ConsoleChoice, position: number) => void;

/**
 * What a message carries besides its text, added under its bubble: the transcripts of
 * voice notes, the options an agent reply offered (buttons that answer as the customer in
 * dev mode), and what an SMS reply costs in segments.
 */
export function appendMessageExtras(
  bubble: HTMLElement,
  message: ConsoleMessage,
  tap: ChoiceTap | undefined,
): void {
  const media = Array.isArray(message.media) ? message.media : [];
  for (const entry of media) {
    if (typeof entry?.transcript !== "string" || entry.transcript === "") continue;
    const line = el("div", "voice-transcript", `Voice note: “${entry.transcript}”`);
    bubble.append(line);
  }
  const choices = Array.isArray(message.choices) ? message.choices : [];
  if (choices.length > 0) {
    const row = el("div", "choices");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "Options offered");
    choices.forEach((choice, position) => {
      const button = el("button", "choice", choice.title);
      button.type = "button";
      if (choice.description) button.title = choice.description;
      if (tap === undefined) button.disabled = true;
      else button.addEventListener("click", () => tap(choice, position));
      row.append(button);
    });
    bubble.append(row);
  }
  if (message.sms && typeof message.sms.segments === "number") {
    const { segments, encoding } = message.sms;
    bubble.append(
      el("div", "sms-cost", `${segments} SMS segment${segments === 1 ? "" : "s"} · ${encoding}`),
    );
  }
}

/** The SMS segments of a transcript's replies, for its head: `undefined` when none. */
export function smsSegmentTotal(messages: readonly ConsoleMessage[]): number | undefined {
  let total: number | undefined;
  for (const message of messages)
    if (typeof message.sms?.segments === "number") total = (total ?? 0) + message.sms.segments;
  return total;
}
