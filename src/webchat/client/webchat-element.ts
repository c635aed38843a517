// Over 400 lines on purpose: the custom element's DOM, session and stream in one class; the logic
// it uses lives in the pure modules beside it.
import type { WebchatChoice, WebchatMedia, WebchatMessage } from "../webchat-deps.js";
import type { WebchatSendResponse, WebchatSessionResponse } from "../webchat-wire.js";
import {
  acceptAttribute,
  attachmentKind,
  attachmentLabel,
  attachmentProblem,
  describeTypes,
  type UploadRules,
  uploadType,
} from "./attachments.js";
import { appendBold } from "./bold.js";
import { CustomerTray } from "./customer-tray.js";
import { firstReconnectDelayMs, nextReconnectDelay } from "./reconnect-delay.js";
import { insertionPoint, TranscriptCursor } from "./transcript-cursor.js";
import { createVisitorSession, localTokenStore, offlineText } from "./visitor-session.js";
import {
  createWidgetCall,
  createWidgetUpload,
  errorCode,
  errorText,
  fetchAttachment,
  type WidgetCall,
} from "./widget-api.js";
import { readWidgetConfig, type WidgetConfig } from "./widget-config.js";
import { widgetMarkup } from "./widget-markup.js";
import { widgetStyle } from "./widget-style.js";

/** The attach button's paperclip, also drawn beside a file's name. */
const paperclipPath =
  "M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l9.2-9.2a3.7 3.7 0 0 1 5.2 5.2l-9.2 9.2a1.8 1.8 0 0 1-2.6-2.6l8.5-8.5";

/** The tag name; a custom element, so host-page rules for div or button never match it. */
export const webchatTagName = "switchboard-webchat";

type Part =
  | "panel"
  | "launcher"
  | "unread"
  | "log"
  | "typing"
  | "notice"
  | "notice-text"
  | "composer"
  | "input"
  | "send"
  | "attach"
  | "file"
  | "dot";
const selectors: Record<Part, string> = {
  panel: ".panel",
  launcher: ".launcher",
  unread: ".unread",
  log: ".log",
  typing: ".typing",
  notice: ".notice",
  "notice-text": ".notice-text",
  composer: ".composer",
  input: "textarea",
  send: ".send",
  attach: ".attach",
  file: ".file",
  dot: ".dot",
};

function timeOf(iso: string | undefined): string {
  const date = new Date(iso ?? "");
  return Number.isNaN(date.getTime())
    ? ""
    : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/**
 * `<switchboard-webchat data-server="https://…">`: the web chat widget, a launcher button
 * and a chat panel inside an open shadow root (so the host page's CSS cannot restyle it,
 * and its CSS cannot leak out). Settings are `data-*` attributes (see `readWidgetConfig`).
 * It keeps the visitor token in `localStorage` under the server's origin, sends with
 * `fetch` (no cookies) and listens with `EventSource`, resuming from the last message
 * index after any disconnect. Every piece of text goes in through `textContent`; links
 * are made only for http(s) media URLs.
 */
export class SwitchboardWebchatElement extends HTMLElement {
  #started = false;
  #config!: WidgetConfig;
  #call!: WidgetCall;
  #upload!: ReturnType<typeof createWidgetUpload>;
  /** What the chat takes as attachments (from the session); null: none. */
  #uploads: UploadRules | null = null;
  #session!: ReturnType<typeof createVisitorSession>;
  #parts!: { wrapper: HTMLDivElement } & Record<Part, HTMLElement>;
  #tray!: CustomerTray;
  /** The application's signed identity (`data-identity`), sent once per page view. */
  #identity: string | null = null;
  readonly #cursor = new TranscriptCursor();
  #source: EventSource | null = null;
  #ready: Promise<void> | null = null;
  #closed = false;
  #open = false;
  #unread = 0;
  #reconnectDelay = firstReconnectDelayMs;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #loadedAt = Date.now();

  connectedCallback(): void {
    if (this.#started) return;
    const server = this.getAttribute("data-server");
    if (!server) return;
    this.#started = true;
    this.#config = readWidgetConfig(this, new URL(server, location.href).origin);
    this.#call = createWidgetCall(this.#config.server, (input, init) => fetch(input, init));
    this.#upload = createWidgetUpload(this.#config.server, (input, init) => fetch(input, init));
    this.#session = createVisitorSession({
      call: this.#call,
      store: localTokenStore(`switchboard-webchat:${this.#config.server}`),
      onNewConversation: () => this.#resetTranscript(),
    });
    this.#identity = this.getAttribute("data-identity");
    this.removeAttribute("data-identity");
    this.#build();
    // A returning visitor sees replies that arrived while they were away.
    if (this.#config.open) this.openPanel();
    else if (this.#session.token()) void this.#ensureStarted().catch(() => {});
  }

  disconnectedCallback(): void {
    this.#source?.close();
    this.#source = null;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#typingTimer);
  }

  #build(): void {
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const css = widgetStyle(this.#config.accent);
    // A constructed stylesheet is not an inline style as far as the host page's
    // Content-Security-Policy is concerned, so the widget keeps its looks on strict pages.
    if ("adoptedStyleSheets" in root && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      const style = document.createElement("style");
      style.textContent = css;
      root.append(style);
    }
    const wrapper = document.createElement("div");
    wrapper.className = `sbw theme-${this.#config.theme}`;
    wrapper.innerHTML = widgetMarkup;
    root.append(wrapper);
    const find = (selector: string) => {
      const node = wrapper.querySelector<HTMLElement>(selector);
      if (node === null) throw new Error(`switchboard web chat: no ${selector}`);
      return node;
    };
    this.#parts = {
      wrapper,
      ...(Object.fromEntries(
        Object.entries(selectors).map(([part, selector]) => [part, find(selector)]),
      ) as Record<Part, HTMLElement>),
    };
    find("#sbw-title").textContent = this.#config.title;
    find(".subtitle").textContent = this.#config.subtitle;
    find(".greeting").textContent = this.#config.greeting;

    const { launcher, panel, composer } = this.#parts;
    this.#tray = new CustomerTray({
      call: this.#call,
      token: () => this.#session.token(),
      say: (text, kind) => this.#showNotice(text, kind),
      clear: () => this.#hideNotice(),
    });
    composer.before(this.#tray.element);
    const input = this.#input;
    launcher.addEventListener("click", () => (this.#open ? this.closePanel() : this.openPanel()));
    find(".close").addEventListener("click", () => this.closePanel());
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.closePanel();
    });
    input.addEventListener("input", () => {
      input.style.height = "auto";
      input.style.height = `${Math.min(input.scrollHeight, 110)}px`;
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        (composer as HTMLFormElement).requestSubmit();
      }
    });
    const attach = this.#parts.attach as HTMLButtonElement;
    const picker = this.#parts.file as HTMLInputElement;
    attach.addEventListener("click", () => picker.click());
    picker.addEventListener("change", () => {
      const file = picker.files?.[0];
      picker.value = "";
      if (file === undefined || this.#closed || this.#uploads === null) return;
      // Refused here, before a byte is sent, in words the visitor can act on.
      const problem = attachmentProblem(file, this.#uploads);
      if (problem !== null) {
        this.#showNotice(problem, "error");
        return;
      }
      this.#ensureStarted().then(
        () => this.#sendFile(file),
        () => {},
      );
    });
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text || this.#closed) return;
      input.value = "";
      input.style.height = "auto";
      this.#ensureStarted().then(
        () => this.#send(text),
        () => {
          if (!input.value) input.value = text;
        },
      );
    });
  }

  get #input(): HTMLTextAreaElement {
    return this.#parts.input as HTMLTextAreaElement;
  }

  /** Opens the chat panel (and the session, on first open). */
  openPanel(): void {
    const { panel, launcher, unread, wrapper } = this.#parts;
    this.#open = true;
    panel.hidden = false;
    wrapper.classList.add("is-open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", "Close chat");
    this.#unread = 0;
    unread.hidden = true;
    void this.#ensureStarted().catch(() => {});
    this.#scrollDown();
    this.#input.focus();
  }

  /** Closes the chat panel; the conversation goes on in the background. */
  closePanel(): void {
    const { panel, launcher, wrapper } = this.#parts;
    this.#open = false;
    panel.hidden = true;
    wrapper.classList.remove("is-open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", "Open chat");
    launcher.focus();
  }

  // ---- rendering -----------------------------------------------------------------------
  #scrollDown(): void {
    this.#parts.log.scrollTop = this.#parts.log.scrollHeight;
  }

  #buildMessage(
    message: Pick<WebchatMessage, "role" | "body"> & Partial<WebchatMessage>,
    pending: boolean,
    /** The visitor's own file, shown from memory while it uploads. */
    local?: Blob,
  ): HTMLDivElement {
    const role = message.role === "visitor" || message.role === "human" ? message.role : "agent";
    const item = document.createElement("div");
    item.className = `msg ${role}${pending ? " pending" : ""}`;
    if (typeof message.index === "number") item.setAttribute("data-index", String(message.index));
    if (role === "human") {
      const who = document.createElement("div");
      who.className = "who";
      who.textContent = `${message.author || "Support"} \u00b7 team`;
      item.append(who);
    }
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    if (role === "visitor") bubble.textContent = message.body || "";
    else appendBold(bubble, message.body || "");
    const media = Array.isArray(message.media) ? message.media : [];
    if (media.length > 0) {
      const list = document.createElement("div");
      list.className = "media";
      media.forEach((entry, position) => {
        list.append(
          this.#attachment(entry, message.index, position, position === 0 ? local : undefined),
        );
      });
      bubble.append(list);
      if (!message.body) bubble.classList.add("only-media");
    }
    item.append(bubble);
    const choices = role === "agent" && Array.isArray(message.choices) ? message.choices : [];
    if (choices.length > 0) item.append(this.#choiceButtons(choices));
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = pending ? "Sending\u2026" : timeOf(message.dateCreated);
    item.append(meta);
    return item;
  }

  /**
   * One attachment: a photo or a player once its bytes are read (the visitor's own file from
   * memory, others from `GET /webchat/media` with the token — never a URL with a secret in
   * it), a link for a public http(s) URL, else its name. Anything that fails to load shows
   * its name instead.
   */
  #attachment(
    entry: WebchatMedia,
    index: number | undefined,
    position: number,
    local: Blob | undefined,
  ): HTMLElement {
    const label = attachmentLabel(entry ?? { contentType: "" });
    const url = typeof entry?.url === "string" ? entry.url : "";
    if (/^https?:\/\//i.test(url)) {
      const link = document.createElement("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = label;
      return link;
    }
    const named = document.createElement("span");
    named.className = "file";
    // A drawn paperclip: an emoji would show as a box on systems without an emoji font.
    const icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    const clip = document.createElementNS("http://www.w3.org/2000/svg", "path");
    clip.setAttribute("d", paperclipPath);
    icon.append(clip);
    const name = document.createElement("span");
    name.textContent = label;
    named.append(icon, name);
    const kind = attachmentKind(entry ?? { contentType: "" });
    if (kind === "file" || (local === undefined && typeof index !== "number")) return named;
    const shown =
      kind === "image" ? document.createElement("img") : document.createElement("audio");
    if (shown instanceof HTMLImageElement) {
      shown.className = "photo";
      shown.alt = label;
    } else {
      shown.controls = true;
      shown.preload = "metadata";
      shown.setAttribute("aria-label", label);
    }
    const holder = document.createElement("span");
    holder.append(named);
    const show = (blob: Blob | null) => {
      if (blob === null) return;
      const address = URL.createObjectURL(blob);
      shown.addEventListener("error", () => {
        shown.replaceWith(named);
        URL.revokeObjectURL(address);
      });
      shown.src = address;
      named.replaceWith(shown);
    };
    if (local !== undefined) show(local);
    else if (typeof index === "number")
      fetchAttachment(
        this.#config.server,
        (input, init) => fetch(input, init),
        this.#session.token(),
        index,
        position,
      ).then(show, () => {});
    return holder;
  }

  /** Buttons for the options an agent message offers; a tap sends the title and the id. */
  #choiceButtons(choices: readonly WebchatChoice[]): HTMLDivElement {
    const row = document.createElement("div");
    row.className = "choices";
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "Options");
    for (const choice of choices) {
      if (typeof choice?.id !== "string" || typeof choice.title !== "string") continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.textContent = choice.title;
      if (typeof choice.description === "string") button.title = choice.description;
      button.addEventListener("click", () => {
        for (const other of row.querySelectorAll("button")) other.disabled = true;
        button.classList.add("picked");
        this.#send(choice.title, choice.id);
      });
      row.append(button);
    }
    return row;
  }

  // Messages are kept in index order whatever order they arrive in; pending ones last.
  #insertMessage(item: HTMLElement, index: number): void {
    const { log, typing } = this.#parts;
    const nodes = Array.from(log.querySelectorAll<HTMLElement>(".msg"));
    const at = insertionPoint(
      nodes.map((node) =>
        node.classList.contains("pending") ? null : Number(node.getAttribute("data-index")),
      ),
      index,
    );
    log.insertBefore(item, nodes[at] ?? typing);
    this.#settleChoices();
  }

  /**
   * Only the newest message's options can be picked, and only until one is: once anything
   * follows a menu (a pick, a typed message, another reply) its buttons are history, since a
   * tap there would answer a question the conversation has moved past. Run whenever the
   * transcript changes; a send that fails and is taken back frees the menu again.
   */
  #settleChoices(): void {
    const messages = this.#parts.log.querySelectorAll<HTMLElement>(".msg");
    const newest = messages[messages.length - 1];
    for (const row of this.#parts.log.querySelectorAll<HTMLElement>(".choices")) {
      const live = row.parentElement === newest && row.querySelector(".picked") === null;
      row.classList.toggle("retired", !live);
      for (const button of row.querySelectorAll("button")) button.disabled = !live;
    }
  }

  #addMessage(message: WebchatMessage | null): void {
    if (!message || typeof message.index !== "number") return;
    if (!this.#cursor.accept(message.index)) {
      // Our own message, already shown as sent: settle its time from the server.
      const mine = this.#parts.log.querySelector(`.msg[data-index="${message.index}"] .meta`);
      if (mine) mine.textContent = timeOf(message.dateCreated);
      return;
    }
    this.#insertMessage(this.#buildMessage(message, false), message.index);
    if (message.role !== "visitor") {
      this.#setTyping(false);
      // Only what arrives after this page loaded counts as unread, not the old history.
      if (!this.#open && Date.parse(message.dateCreated) >= this.#loadedAt) {
        this.#unread += 1;
        this.#parts.unread.textContent = String(this.#unread);
        this.#parts.unread.hidden = false;
        this.#parts.launcher.setAttribute("aria-label", `Open chat, ${this.#unread} unread`);
      }
    }
    this.#scrollDown();
  }

  #setTyping(on: boolean): void {
    const { typing, log } = this.#parts;
    clearTimeout(this.#typingTimer);
    typing.hidden = !on;
    if (on) {
      log.append(typing);
      this.#scrollDown();
      // A lost "off" must not leave the dots forever.
      this.#typingTimer = setTimeout(() => {
        typing.hidden = true;
      }, 30_000);
    }
  }

  #showNotice(text: string, kind: "info" | "error", action?: { label: string; run(): void }): void {
    const { notice } = this.#parts;
    this.#parts["notice-text"].textContent = text;
    notice.className = `notice${kind === "error" ? " error" : ""}`;
    notice.querySelector("button")?.remove();
    if (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      notice.append(button);
    }
    notice.hidden = false;
  }

  #hideNotice(): void {
    this.#parts.notice.hidden = true;
  }

  #setClosed(closed: boolean): void {
    this.#closed = closed;
    this.#input.disabled = closed;
    (this.#parts.send as HTMLButtonElement).disabled = closed;
    (this.#parts.attach as HTMLButtonElement).disabled = closed;
    if (closed) {
      this.#showNotice("This conversation has ended.", "info", {
        label: "Start a new chat",
        run: () => this.#restart(),
      });
    } else if (!this.#parts.notice.classList.contains("error")) {
      this.#hideNotice();
    }
  }

  #setOnline(online: boolean): void {
    this.#parts.dot.className = online ? "dot" : "dot offline";
    // Say so where the visitor looks, instead of promising quick replies while cut off.
    const subtitle = this.#parts.wrapper.querySelector(".subtitle");
    if (subtitle) subtitle.textContent = online ? this.#config.subtitle : "Reconnecting…";
  }

  #resetTranscript(): void {
    this.#cursor.reset();
    for (const node of this.#parts.log.querySelectorAll(".msg")) node.remove();
    this.#setTyping(false);
  }

  // ---- network -------------------------------------------------------------------------
  #connect(): void {
    clearTimeout(this.#reconnectTimer);
    this.#source?.close();
    this.#source = null;
    // The visitor token never goes in a URL (proxies log URLs): a one-use ticket, valid for
    // seconds, opens the stream instead.
    this.#call<{ ticket: string }>(
      "POST",
      "/webchat/stream-ticket",
      {},
      this.#session.token(),
    ).then(
      (answer) => {
        if (answer.status === 201 && answer.data !== null) this.#openStream(answer.data.ticket);
        else this.#scheduleReconnect();
      },
      () => this.#scheduleReconnect(),
    );
  }

  #openStream(ticket: string): void {
    const source = new EventSource(
      `${this.#config.server}/webchat/stream?ticket=${encodeURIComponent(ticket)}&after=${this.#cursor.lastIndex}`,
    );
    this.#source = source;
    const data = (event: Event): unknown => JSON.parse((event as MessageEvent<string>).data);
    source.addEventListener("open", () => {
      this.#reconnectDelay = firstReconnectDelayMs;
      this.#setOnline(true);
      if (!this.#closed && this.#parts.notice.classList.contains("error")) this.#hideNotice();
    });
    source.addEventListener("message", (event) => {
      try {
        this.#addMessage(data(event) as WebchatMessage);
      } catch {
        // A malformed event is ignored.
      }
    });
    source.addEventListener("typing", (event) => {
      try {
        this.#setTyping(Boolean((data(event) as { on?: boolean }).on));
      } catch {
        // ignored
      }
    });
    source.addEventListener("state", (event) => {
      try {
        this.#setClosed(Boolean((data(event) as { closed?: boolean }).closed));
      } catch {
        // ignored
      }
    });
    source.addEventListener("error", () => {
      this.#setOnline(false);
      // A ticket opens one stream: instead of the browser's own retry, reconnect with a new one.
      source.close();
      // Refused outright (expired token, too many tabs, server restart): renew the session
      // and reopen from the last index we hold, backing off up to 30 s.
      if (this.#source !== source) return;
      this.#source = null;
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    const delay = this.#reconnectDelay;
    this.#reconnectDelay = nextReconnectDelay(delay);
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      this.#renew().then(
        () => this.#connect(),
        () => this.#scheduleReconnect(),
      );
    }, delay);
  }

  /** Renews the session and takes its upload rules: the attach button shows when files go. */
  async #renew(): Promise<WebchatSessionResponse> {
    const session = await this.#session.renew();
    const uploads = session.uploads;
    this.#uploads =
      uploads !== null &&
      typeof uploads === "object" &&
      typeof uploads.maxBytes === "number" &&
      Array.isArray(uploads.contentTypes)
        ? { maxBytes: uploads.maxBytes, contentTypes: uploads.contentTypes }
        : null;
    const attach = this.#parts.attach as HTMLButtonElement;
    const picker = this.#parts.file as HTMLInputElement;
    attach.hidden = this.#uploads === null;
    if (this.#uploads !== null) {
      picker.accept = acceptAttribute(this.#uploads);
      attach.setAttribute("aria-label", `Attach ${describeTypes(this.#uploads.contentTypes)}`);
      attach.title = `Attach ${describeTypes(this.#uploads.contentTypes)}`;
    }
    return session;
  }

  /** Uploads one checked file as the visitor's message, shown from memory meanwhile. */
  #sendFile(file: File): void {
    const type = uploadType(file);
    const pending = this.#buildMessage(
      { role: "visitor", body: "", media: [{ contentType: type, filename: file.name }] },
      true,
      file,
    );
    this.#insertMessage(pending, Number.POSITIVE_INFINITY);
    this.#scrollDown();
    const attempt = async (retried: boolean): Promise<void> => {
      const result = await this.#upload<WebchatSendResponse>(file, type, this.#session.token());
      if (result.status === 202 && result.data) {
        this.#confirmSent(pending, result.data.index);
        return;
      }
      const gone = result.status === 409 && errorCode(result.data) === "conversation_gone";
      if ((result.status === 401 || gone) && !retried) {
        await this.#renew();
        this.#connect();
        return attempt(true);
      }
      pending.remove();
      this.#settleChoices();
      if (result.status === 409) {
        this.#setClosed(true);
        return;
      }
      let message = errorText(result.data, "Your file could not be sent.");
      if (result.status === 429 && result.retryAfter)
        message = `You are sending files quickly; try again in ${result.retryAfter} s.`;
      this.#showNotice(message, "error");
    };
    attempt(false).catch(() => {
      pending.remove();
      this.#settleChoices();
      this.#showNotice("You seem to be offline; your file was not sent.", "error");
    });
  }

  /** The server took a message shown as pending: it moves to its place at `index`. */
  #confirmSent(pending: HTMLElement, index: number): void {
    pending.remove();
    if (this.#cursor.accept(index)) {
      pending.classList.remove("pending");
      pending.setAttribute("data-index", String(index));
      const meta = pending.querySelector(".meta");
      if (meta) meta.textContent = timeOf(new Date().toISOString());
      this.#insertMessage(pending, index);
    }
    this.#hideNotice();
  }

  #ensureStarted(): Promise<void> {
    if (!this.#ready) {
      const ready = this.#renew().then(() => {
        this.#connect();
        void this.#afterSession();
      });
      this.#ready = ready;
      ready.catch((error: unknown) => {
        this.#ready = null;
        this.#showNotice(error instanceof Error ? error.message : offlineText, "error", {
          label: "Retry",
          run: () => {
            this.#hideNotice();
            void this.#ensureStarted().catch(() => {});
          },
        });
      });
    }
    return this.#ready;
  }

  /** Once a session exists: the application's vouching (once), then what the tray offers. */
  async #afterSession(): Promise<void> {
    try {
      const identity = this.#identity;
      if (identity) {
        this.#identity = null;
        await this.#call("POST", "/webchat/identify", { identity }, this.#session.token());
      }
      await this.#tray.refresh();
    } catch {
      // Offline: the tray stays hidden; the chat itself reports the connection.
    }
  }

  #restart(): void {
    this.#hideNotice();
    this.#source?.close();
    this.#source = null;
    const ready = this.#renew().then(() => {
      this.#setClosed(false);
      this.#connect();
    });
    this.#ready = ready;
    ready.catch((error: unknown) => {
      this.#ready = null;
      this.#showNotice(error instanceof Error ? error.message : offlineText, "error");
    });
  }

  #send(text: string, choiceId?: string): void {
    const pending = this.#buildMessage({ role: "visitor", body: text }, true);
    this.#insertMessage(pending, Number.POSITIVE_INFINITY);
    this.#scrollDown();
    const giveBack = () => {
      pending.remove();
      this.#settleChoices();
      if (!this.#input.value) this.#input.value = text;
    };
    const attempt = async (retried: boolean): Promise<void> => {
      const result = await this.#call<WebchatSendResponse>(
        "POST",
        "/webchat/messages",
        choiceId === undefined ? { text } : { text, choiceId },
        this.#session.token(),
      );
      if (result.status === 202 && result.data) {
        this.#confirmSent(pending, result.data.index);
        return;
      }
      // A refused token, or a conversation Twilio no longer has: the renewed session resumes
      // or starts a fresh conversation, and the message goes there, unasked.
      const gone = result.status === 409 && errorCode(result.data) === "conversation_gone";
      if ((result.status === 401 || gone) && !retried) {
        await this.#renew();
        this.#connect();
        return attempt(true);
      }
      giveBack();
      if (result.status === 409) {
        this.#setClosed(true);
        return;
      }
      let message = errorText(result.data, "Your message could not be sent.");
      if (result.status === 429 && result.retryAfter) {
        message = `You are sending messages quickly; try again in ${result.retryAfter} s.`;
      }
      this.#showNotice(message, "error");
    };
    attempt(false).catch(() => {
      giveBack();
      this.#showNotice("You seem to be offline; your message was not sent.", "error");
    });
  }
}
