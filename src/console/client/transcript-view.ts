import type {
  ConsoleConversation,
  ConsoleConversationState,
  ConsoleMessage,
} from "../console-deps.js";
import { consentBadge, deliveryNode, optedOutText, windowClosed } from "./delivery-view.js";
import { dots, el } from "./dom.js";
import { appendEmphasis } from "./emphasis.js";
import { goneComposerHint, goneText } from "./gone-conversation.js";
import { handoffSummaryElement } from "./handoff-summary-view.js";
import { known, roleNames, statusLabel } from "./labels.js";
import { channelBadge, stateBadge } from "./list-view.js";
import { type MediaOpener, MediaPreviews } from "./media-view.js";
import { appendMessageExtras, type ChoiceTap, smsSegmentTotal } from "./message-extras.js";
import { fullTime, messageTime } from "./time-format.js";
import { unansweredDuringHold } from "./unanswered.js";

/** A message of a dead-lettered turn, as the header calls the conversation "Dead letter". */
export const deadLetterLabel = "Not answered — the bot gave up";

const botComposerHint = "Take over to reply as a person; the bot pauses while you do.";

export interface TranscriptActions {
  /** Runs an operator action; resolves once the server accepted it (errors are shown). */
  act(path: string, body: unknown): Promise<void>;
  /** Sends a reply as a person; resolves true when the server accepted it. */
  reply(text: string): Promise<boolean>;
  /** Dev mode: answers an option the agent offered, as the customer. */
  tap?: ChoiceTap;
  /** Whether `tap` works now (writing as a customer needs dev mode). */
  canTap?(): boolean;
  /** Fetches an attachment of the open conversation; absent: attachments are only named. */
  openMedia?: MediaOpener;
}

type BannerKind = "dead" | "human" | "notice";

/** The middle panel: the open conversation's head, banner, messages and composer. */
export class TranscriptView {
  readonly #panel: HTMLElement;
  readonly #actions: TranscriptActions;
  #parts: {
    title: HTMLHeadingElement;
    buttons: HTMLDivElement;
    banner: HTMLDivElement;
    scroll: HTMLDivElement;
    messages: HTMLDivElement;
    typing: HTMLDivElement;
    composer: HTMLFormElement;
    composerMode: string | null;
  } | null = null;
  /** The open conversation's state, as last rendered: its messages' labels depend on it. */
  #state: ConsoleConversationState | null = null;
  /** The server cannot be reached: every action that needs it is off until it is back. */
  #offline = false;

  readonly #previews: MediaPreviews;

  constructor(panel: HTMLElement, actions: TranscriptActions) {
    this.#panel = panel;
    this.#actions = actions;
    this.#previews = new MediaPreviews(actions.openMedia);
  }

  /** Empties the panel and builds the parts of a transcript. */
  build(): void {
    const panel = this.#panel;
    panel.textContent = "";
    this.#state = null;
    this.#previews.reset();
    const head = el("div", "transcript-head");
    const title = el("h3");
    const buttons = el("div", "actions");
    head.append(title, buttons);
    const banner = el("div", "banner");
    banner.hidden = true;
    const scroll = el("div", "scroll");
    const messages = el("div", "messages");
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    messages.setAttribute("aria-label", "Messages");
    const typing = el("div", "typing");
    typing.setAttribute("role", "status");
    typing.setAttribute("aria-label", "The agent is typing");
    typing.append(el("span", "", "Agent is typing"), dots("dots"));
    typing.hidden = true;
    scroll.append(messages, typing);
    const composer = el("form", "composer");
    composer.setAttribute("aria-label", "Reply as a person");
    panel.append(head, banner, scroll, composer);
    this.#parts = {
      title,
      buttons,
      banner,
      scroll,
      messages,
      typing,
      composer,
      composerMode: null,
    };
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#submitReply();
    });
  }

  async #submitReply(): Promise<void> {
    const parts = this.#parts;
    const input = parts?.composer.querySelector("textarea");
    const send = parts?.composer.querySelector("button");
    if (!parts || !input || !send) return;
    const text = input.value.trim();
    if (!text) return;
    if (this.#offline) return;
    send.disabled = true;
    if (await this.#actions.reply(text)) input.value = "";
    send.disabled = this.#offline;
    input.focus();
  }

  /** Shows a banner over the messages; `buttons` are action buttons. */
  showBanner(kind: BannerKind, text: string, buttons: HTMLButtonElement[] = []): void {
    const banner = this.#parts?.banner;
    if (!banner) return;
    banner.textContent = "";
    banner.className = `banner ${kind}`;
    banner.append(el("span", "text", text), ...buttons);
    banner.hidden = false;
    this.#applyOffline();
  }

  /** Offline: the actions that need the server are disabled (what is typed stays). */
  setOffline(offline: boolean): void {
    if (this.#offline === offline) return;
    this.#offline = offline;
    this.#applyOffline();
  }

  #applyOffline(): void {
    const parts = this.#parts;
    if (!parts) return;
    parts.composer.classList.toggle("offline", this.#offline);
    for (const container of [parts.buttons, parts.banner, parts.composer])
      for (const button of container.querySelectorAll("button")) {
        if (this.#offline) {
          button.disabled = true;
          button.dataset.offline = "";
        } else if (button.dataset.offline !== undefined) {
          // Only what going offline disabled; a button busy with its request stays so.
          button.disabled = false;
          delete button.dataset.offline;
        }
      }
  }

  /**
   * The transcript could not be read: says so where its messages go (rather than "No
   * messages yet"), unless some are already shown, which stay.
   */
  showLoadError(text: string): void {
    const parts = this.#parts;
    if (!parts) return;
    parts.messages.querySelector(".load-error")?.remove();
    if (parts.messages.querySelector(".message")) return;
    parts.messages.textContent = "";
    const note = el("div", "empty load-error", text);
    note.setAttribute("role", "alert");
    parts.messages.append(note);
  }

  /** A button that runs an operator action and shows its error in the banner. */
  actionButton(label: string, kind: string, path: string, body: unknown): HTMLButtonElement {
    const button = el("button", `button ${kind}`.trim(), label);
    button.type = "button";
    button.addEventListener("click", () => {
      button.disabled = true;
      void this.#actions.act(path, body).finally(() => {
        button.disabled = this.#offline;
        if (this.#offline) button.dataset.offline = "";
      });
    });
    return button;
  }

  /** The head (customer, badges, actions), the banner and the composer for `conversation`. */
  renderHead(conversation: ConsoleConversation, messages: readonly ConsoleMessage[]): void {
    const parts = this.#parts;
    if (!parts) return;
    if (this.#state !== conversation.state) {
      // A dead letter (or its retry) relabels the messages it left unanswered.
      this.#state = conversation.state;
      this.renderMessages(messages);
    }
    parts.title.textContent = "";
    parts.title.append(
      el("span", "mono", conversation.customer),
      channelBadge(conversation.channel),
      stateBadge(conversation.state),
    );
    const segments = smsSegmentTotal(messages);
    if (segments !== undefined)
      parts.title.append(
        el(
          "span",
          "badge neutral sms-total",
          `${segments} SMS segment${segments === 1 ? "" : "s"}`,
        ),
      );
    parts.buttons.textContent = "";
    if (conversation.state === "gone") {
      // Twilio no longer has it: no action can reach the customer, so none is offered.
      this.showBanner("dead", goneText(conversation));
      parts.typing.hidden = true;
      this.#renderComposer(false, goneComposerHint);
      this.#applyOffline();
      return;
    }
    const path = `/api/conversations/${encodeURIComponent(conversation.sid)}`;
    if (conversation.state === "human") {
      parts.buttons.append(
        this.actionButton("Hand back to bot", "", `${path}/handoff`, { on: false }),
      );
    } else {
      parts.buttons.append(this.actionButton("Take over", "warn", `${path}/handoff`, { on: true }));
    }
    const unanswered = unansweredDuringHold(messages);
    const optedOut = optedOutText(conversation);
    if (optedOut !== undefined && conversation.state !== "dead") {
      this.showBanner("notice", optedOut);
    } else if (conversation.state === "dead") {
      this.showBanner(
        "dead",
        `The bot gave up on this conversation (${conversation.deadLetterReason || "its answer kept failing"}). Retry it, or skip that message so the conversation moves on.`,
        [
          this.actionButton("Retry", "primary", `${path}/retry`, {}),
          this.actionButton("Skip", "", `${path}/skip`, {}),
        ],
      );
    } else if (conversation.state === "human") {
      this.showBanner(
        "human",
        "You have this conversation; the bot stays quiet until you hand it back.",
      );
      if (conversation.handoff !== undefined)
        parts.banner.querySelector(".text")?.append(handoffSummaryElement(conversation.handoff));
    } else if (unanswered.length > 0) {
      // The bot does not go back to messages a person was meant to answer; say so, and
      // offer the way to answer them.
      this.showBanner(
        "notice",
        unanswered.length === 1
          ? "The customer's last message came in while a person had this conversation, and nobody has answered it. The bot will not answer it either."
          : `${unanswered.length} messages came in while a person had this conversation, and nobody has answered them. The bot will not answer them either.`,
        [this.actionButton("Answer as a person", "warn", `${path}/handoff`, { on: true })],
      );
    } else {
      parts.banner.hidden = true;
    }
    parts.typing.hidden = !conversation.typing;
    const human = conversation.state === "human";
    // Before sending: an opted-out customer gets nothing, and WhatsApp free text outside the
    // window would fail, so the composer offers the template instead.
    if (human && optedOut !== undefined)
      this.#renderComposerHint(
        "opted-out",
        "This customer opted out: replies are off until they opt back in.",
      );
    else if (human && windowClosed(conversation)) this.#renderTemplateOffer(conversation, path);
    else this.#renderComposer(human);
    this.#applyOffline();
  }

  #renderComposerHint(mode: string, text: string, ...extra: HTMLElement[]): void {
    const parts = this.#parts;
    if (!parts || parts.composerMode === mode) return;
    parts.composerMode = mode;
    parts.composer.textContent = "";
    parts.composer.append(el("span", "hint", text), ...extra);
  }

  #renderTemplateOffer(conversation: ConsoleConversation, path: string): void {
    if (conversation.whatsappWindow?.templateAvailable !== true) {
      this.#renderComposerHint(
        "window-closed",
        "Outside WhatsApp's 24-hour window: free text would not be delivered, and no template is configured.",
      );
      return;
    }
    this.#renderComposerHint(
      "window-template",
      "Outside WhatsApp's 24-hour window: free text would not be delivered. Send the approved template to reopen the conversation.",
      this.actionButton("Send template", "primary", `${path}/template`, {}),
    );
  }

  #renderComposer(human: boolean, hint = botComposerHint): void {
    const parts = this.#parts;
    if (!parts) return;
    const mode = human ? "human" : hint === goneComposerHint ? "gone" : "bot";
    if (parts.composerMode === mode) return;
    parts.composerMode = mode;
    parts.composer.textContent = "";
    if (!human) {
      parts.composer.append(el("span", "hint", hint));
      this.#applyOffline();
      return;
    }
    const input = el("textarea");
    input.rows = 1;
    input.maxLength = 2000;
    input.placeholder = "Reply as a person…";
    input.setAttribute("aria-label", "Reply as a person");
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        parts.composer.requestSubmit();
      }
    });
    const send = el("button", "button primary", "Send reply");
    send.type = "submit";
    parts.composer.append(input, send);
    this.#applyOffline();
  }

  /** The messages, keeping the scroll at the bottom when it was there. */
  renderMessages(messages: readonly ConsoleMessage[], options: { toBottom?: boolean } = {}): void {
    const parts = this.#parts;
    if (!parts) return;
    const { scroll } = parts;
    const nearBottom = scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 80;
    const flagged = new Set(unansweredDuringHold(messages));
    const tap = this.#actions.canTap?.() ? this.#actions.tap : undefined;
    parts.messages.textContent = "";
    if (messages.length === 0) parts.messages.append(el("div", "empty", "No messages yet."));
    const gaveUp = this.#state === "dead";
    for (const message of messages)
      parts.messages.append(
        messageNode(message, flagged.has(message), tap, gaveUp, this.#previews),
      );
    if (nearBottom || options.toBottom) scroll.scrollTop = scroll.scrollHeight;
  }
}

function messageNode(
  message: ConsoleMessage,
  unanswered: boolean,
  tap: ChoiceTap | undefined,
  gaveUp: boolean,
  previews: MediaPreviews,
): HTMLDivElement {
  const role = known(roleNames, message.role, "customer");
  const item = el("div", `message ${role}${unanswered ? " unanswered" : ""}`);
  if (typeof message.index === "number") item.setAttribute("data-index", String(message.index));
  const head = el("div", "head");
  const author =
    role === "customer"
      ? message.author
      : role === "human"
        ? `${message.author || "Operator"} · person`
        : "Agent";
  const time = el("time", "", messageTime(message.at));
  time.dateTime = message.at;
  time.title = fullTime(message.at);
  head.append(el("span", "author", author), time);
  const consent = consentBadge(message);
  if (consent) head.append(consent);
  else if (message.status && !message.delivery) {
    // In a dead-lettered conversation a waiting message is the one the bot gave up on.
    const abandoned = gaveUp && message.status === "pending";
    const badge = el(
      "span",
      `badge ${unanswered || abandoned ? "attention" : "neutral"}`,
      abandoned ? deadLetterLabel : statusLabel(message.status),
    );
    badge.title = message.status;
    head.append(badge);
  }
  const bubble = el("div", "bubble");
  if (message.body && role !== "customer") appendEmphasis(bubble, message.body);
  else if (message.body) bubble.textContent = message.body;
  else if (!Array.isArray(message.media) || message.media.length === 0)
    bubble.append(el("span", "no-body", "(no text)"));
  const media = Array.isArray(message.media) ? message.media : [];
  if (media.length > 0) {
    const list = el("div", "media-list");
    media.forEach((entry, position) => {
      list.append(previews.node(entry, message.index, position));
    });
    bubble.append(list);
  }
  appendMessageExtras(bubble, message, message.role === "agent" ? tap : undefined);
  item.append(head, bubble);
  const delivery = deliveryNode(message.delivery);
  if (delivery) item.append(delivery);
  return item;
}
