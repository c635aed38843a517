import type { ConsoleConversation, ConsoleDelivery, ConsoleMessage } from "../console-deps.js";
import { el, isHttpUrl } from "./dom.js";
import { fullTime } from "./time-format.js";

// Where a reply stands, in an operator's words.
const deliveryNames: Record<ConsoleDelivery["status"], string> = {
  pending: "Waiting to send",
  retrying: "Retrying",
  sending: "Sending",
  queued: "Accepted by Twilio",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Not delivered",
  undelivered: "Not delivered",
};

/**
 * The line under one of our replies: its status, and while it retries the attempt count and
 * the last error; on failure the explanation and what to do, as a note a screen reader reads.
 */
export function deliveryNode(delivery: ConsoleDelivery | undefined): HTMLElement | null {
  if (delivery === undefined || typeof delivery.status !== "string") return null;
  const failed = delivery.status === "failed" || delivery.status === "undelivered";
  const node = el("div", `delivery ${failed ? "failed" : delivery.status}`);
  const label = deliveryNames[delivery.status] ?? delivery.status;
  const line = el("div", "delivery-status", label);
  if (delivery.status === "retrying") {
    line.textContent = `${label} · attempt ${delivery.attempts ?? 1} failed`;
    if (delivery.lastError) node.append(line, el("div", "delivery-error", delivery.lastError));
    else node.append(line);
    return node;
  }
  node.append(line);
  const failure = delivery.failure;
  if (failed && failure) {
    const note = el("div", "delivery-failure");
    note.setAttribute("role", "note");
    const title = el(
      "strong",
      "",
      failure.code === undefined ? failure.title : `${failure.title} (${failure.code})`,
    );
    note.append(title, el("p", "", failure.explanation), el("p", "action", failure.action));
    if (isHttpUrl(failure.docsUrl)) {
      const link = el("a", "", "Twilio's page for this error");
      link.href = failure.docsUrl;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      note.append(link);
    }
    node.append(note);
  }
  return node;
}

/** A customer message's consent mark as a badge: why the bot did not answer it. */
export function consentBadge(message: ConsoleMessage): HTMLElement | null {
  if (message.consent === "keyword") return el("span", "badge neutral", "Consent keyword");
  if (message.consent === "opted-out")
    return el("span", "badge attention", "Opted out · bot won't answer");
  return null;
}

const reasons: Record<string, string> = {
  keyword: "by keyword",
  "twilio-21610": "Twilio reported 21610",
  operator: "by an operator",
};

/** The banner text for an opted-out customer, or undefined when they may be messaged. */
export function optedOutText(conversation: ConsoleConversation): string | undefined {
  const consent = conversation.consent;
  if (consent?.state !== "opted-out") return undefined;
  const how = reasons[consent.reason] ?? consent.reason;
  const what = consent.detail && consent.reason === "keyword" ? ` ("${consent.detail}")` : "";
  return `This customer opted out ${how}${what} on ${fullTime(consent.at)}. Nothing is sent to them and the bot stays silent until they send START.`;
}

/** Whether free text cannot reach this WhatsApp customer now. */
export function windowClosed(conversation: ConsoleConversation): boolean {
  return conversation.whatsappWindow?.open === false;
}
