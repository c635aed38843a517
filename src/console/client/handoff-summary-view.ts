import type { ConsoleHandoff } from "../console-deps.js";
import { el } from "./dom.js";
import { ago } from "./time-format.js";

const sources: Record<ConsoleHandoff["source"], string> = {
  agent: "the bot handed it over",
  keyword: "the customer asked for a person",
  operator: "taken over by an operator",
};

/**
 * The handoff at the top of a conversation a person holds: why and since when, then the
 * summary the person should read before answering (text only, line breaks kept).
 */
export function handoffSummaryElement(
  handoff: ConsoleHandoff,
  now: Date = new Date(),
): HTMLElement {
  const box = el("div", "handoff-summary");
  box.setAttribute("aria-label", "Handoff summary");
  const age = ago(handoff.since, now);
  const why = sources[handoff.source] ?? handoff.source;
  box.append(
    el(
      "strong",
      "",
      `Waiting ${age === "now" ? "since just now" : `for ${age}`} · ${why}${handoff.reason !== handoff.source ? ` (${handoff.reason})` : ""}`,
    ),
    el("p", "summary-text", handoff.summary),
  );
  return box;
}
