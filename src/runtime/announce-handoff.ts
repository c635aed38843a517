import { extractiveHandoffSummary } from "../agents/summarize-for-handoff.js";
import type { Agent, HistoryMessage } from "../agents/types.js";
import type { MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import { agentHistory } from "./agent-history.js";
import { holdCustomer } from "./customer-handoff.js";
import type { SwitchboardEvents } from "./switchboard-events.js";

/** The most characters of a handoff summary, whoever wrote it. */
export const handoffSummaryCharacters = 600;
/** How long an agent's own summarizer may take before the extractive summary is used. */
export const handoffSummaryTimeoutMs = 8_000;

/** Where a handoff came from and what the agent said about it. */
export interface HandoffAnnouncement {
  conversationSid: string;
  reason: string;
  source: "agent" | "keyword" | "operator";
  /** The agent's own summary (`HandoffReply.handoff.summary`), when it gave one. */
  summary?: string;
}

/**
 * A summary for the person taking over, bounded in length and time: the agent's own
 * (`reply.handoff.summary`), else its `summarizeForHandoff` (given at most
 * {@link handoffSummaryTimeoutMs}), else — and whenever that fails or answers nothing — the
 * extractive one. Never throws: the handoff goes ahead whatever happens to the summary.
 */
export async function handoffSummary(
  agent: Agent,
  history: readonly HistoryMessage[],
  given: string | undefined,
): Promise<string> {
  const extractive = () =>
    extractiveHandoffSummary(history, { maxCharacters: handoffSummaryCharacters });
  const bounded = (text: string | undefined) => {
    const trimmed = text?.trim() ?? "";
    if (trimmed === "") return undefined;
    const characters = [...trimmed];
    return characters.length <= handoffSummaryCharacters
      ? trimmed
      : `${characters.slice(0, handoffSummaryCharacters - 1).join("")}…`;
  };
  const own = bounded(given);
  if (own !== undefined) return own;
  if (agent.summarizeForHandoff === undefined) return extractive();
  const signal = AbortSignal.timeout(handoffSummaryTimeoutMs);
  try {
    const written = await Promise.race([
      agent.summarizeForHandoff(history, { signal }),
      new Promise<undefined>((resolve) =>
        signal.addEventListener("abort", () => resolve(undefined), { once: true }),
      ),
    ]);
    return bounded(written) ?? extractive();
  } catch {
    return extractive();
  }
}

/**
 * After a conversation went to a person (its state is already `handoff`, and the `handoff`
 * event went out): the person holds its customer, so the customer's other conversations go
 * to handoff too (`holdCustomer`); then it summarizes the conversation from the mailbox's history, keeps the summary
 * with the handoff (`mailbox.noteHandoff`, which the console and the waiting queue read), and
 * emits `handoff.summary` carrying it, for applications that hand off to their own helpdesk.
 * A note that cannot be written is logged; the event still goes out.
 */
export async function announceHandoff(
  settings: {
    mailbox: MailboxStore;
    agent: Agent;
    events: SwitchboardEvents;
    logger: TwilioLogger;
    historyLimit: number;
  },
  handoff: HandoffAnnouncement,
): Promise<void> {
  const { mailbox, events, logger } = settings;
  // The person holds the customer: their other conversations wait for that person too.
  try {
    await holdCustomer(mailbox, handoff.conversationSid);
  } catch (error) {
    logger.error(
      { err: error, conversationSid: handoff.conversationSid },
      "could not hold the customer's other conversations for the handoff",
    );
  }
  let history: HistoryMessage[] = [];
  try {
    const entries = await mailbox.history(handoff.conversationSid, {
      limit: Math.min(500, settings.historyLimit),
    });
    history = agentHistory(entries, new Set(), settings.historyLimit);
  } catch (error) {
    logger.warn({ err: error, conversationSid: handoff.conversationSid }, "handoff history failed");
  }
  const summary = await handoffSummary(settings.agent, history, handoff.summary);
  let since = Date.now();
  try {
    const note = await mailbox.noteHandoff(handoff.conversationSid, {
      reason: handoff.reason,
      source: handoff.source,
      summary,
    });
    since = note.startedAt;
  } catch (error) {
    logger.error(
      { err: error, conversationSid: handoff.conversationSid },
      "could not keep the handoff summary",
    );
  }
  events.emit("handoff.summary", {
    conversationSid: handoff.conversationSid,
    reason: handoff.reason,
    source: handoff.source,
    summary,
    since,
  });
}
