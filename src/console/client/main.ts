// Over 400 lines on purpose: it wires the console's views, stream, URL and actions together; the
// views and the API client are their own modules.
/**
 * The console page's script, bundled into `dist/client/console.js` and inlined in the page
 * under a CSP hash. Plain DOM, no framework. Every value from the API goes in through
 * `textContent`, and links are made only for http(s) URLs. The console token, when
 * needed, is read once from `?token=` (then removed from the address bar) or typed into
 * the gate, and kept in memory only. The open conversation is in the address's fragment.
 */
import type {
  ConsoleConversation,
  ConsoleConversationState,
  ConsoleInfo,
  ConsoleMessage,
  ConsoleRefusedMessage,
  ConsoleTranscript,
} from "../console-deps.js";
import { takeTokenFromAddress } from "./address-token.js";
import { ApiError, createApiClient, createBlobFetch } from "./api-client.js";
import {
  type ConversationOrder,
  filterConversations,
  sortConversations,
  waitsForPerson,
} from "./conversation-filter.js";
import { conversationFromHash, hashForConversation } from "./conversation-route.js";
import { createCustomerForm } from "./customer-form.js";
import { createCustomerView } from "./customer-view.js";
import { byId, isHttpUrl } from "./dom.js";
import { createListView } from "./list-view.js";
import { createLiveBadge, type LiveMode } from "./live-badge.js";
import { LiveOverlay } from "./live-overlay.js";
import { renderRefused } from "./refused-view.js";
import { mergeMessage } from "./transcript-order.js";
import { TranscriptView } from "./transcript-view.js";

/** What `GET /api/info` answers. */
type PageInfo = ConsoleInfo & { canSendAsCustomer: boolean };

let token = takeTokenFromAddress(location, history);
const state = {
  info: null as PageInfo | null,
  conversations: new Map<string, ConsoleConversation>(),
  selected: conversationFromHash(location.hash),
  messages: [] as ConsoleMessage[],
  source: null as EventSource | null,
  pendingCustomer: null as string | null,
  reconnectTimer: undefined as ReturnType<typeof setTimeout> | undefined,
  /** Retries the open transcript after it failed to load. */
  transcriptRetry: undefined as ReturnType<typeof setTimeout> | undefined,
  filter: { query: "", waitingOnly: false },
  order: "activity" as ConversationOrder,
};

const badge = createLiveBadge(byId("live"));
// Offline (or reconnecting) turns off the transcript's actions that need the server.
const live = {
  set(mode: LiveMode, text: string): void {
    badge.set(mode, text);
    transcript.setOffline(mode === "offline");
  },
};
const overlay = new LiveOverlay();
const apiOptions = {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
  token: () => token,
  onUnauthorized: (hadToken: boolean) => showGate(hadToken ? "That token was not accepted." : ""),
};
const api = createApiClient(apiOptions);
const fetchBlob = createBlobFetch(apiOptions);

// ---- token gate ------------------------------------------------------------------------
function showGate(message: string): void {
  byId("gate").hidden = false;
  byId("gate-status").textContent = message;
  byId("gate-token").focus();
  live.set("offline", "Locked");
  state.source?.close();
  state.source = null;
}
byId("gate-form").addEventListener("submit", (event) => {
  event.preventDefault();
  token = byId<HTMLInputElement>("gate-token").value.trim() || null;
  byId("gate").hidden = true;
  start();
});

// ---- header ----------------------------------------------------------------------------
const customerForm = createCustomerForm({
  api,
  sent(sent) {
    const existing = [...state.conversations.values()].find((c) => c.customer === sent.from)?.sid;
    const target = sent.conversationSid ?? existing;
    if (target !== undefined && state.conversations.has(target)) void select(target);
    else state.pendingCustomer = sent.from;
  },
});

function renderInfo(info: PageInfo): void {
  state.info = info;
  const mode = byId("mode");
  mode.textContent = info.mode === "dev" ? "dev · emulator" : "serve";
  mode.className = `mode ${info.mode === "dev" ? "dev" : "serve"}`;
  byId("sms-number").textContent = info.numbers?.sms || "—";
  byId("whatsapp-number").textContent = info.numbers?.whatsapp || "—";
  const link = byId<HTMLAnchorElement>("inspector-link");
  if (isHttpUrl(info.inspectorUrl)) {
    link.href = info.inspectorUrl;
    link.hidden = false;
  } else {
    link.removeAttribute("href");
    link.hidden = true;
  }
  const enabled = Boolean(info.canSendAsCustomer);
  customerForm.setEnabled(enabled);
  byId("customer-note").textContent = enabled
    ? "Your message travels like a real customer's: through the emulator, a signed webhook and the mailbox to the agent."
    : "Writing as a customer needs dev mode (the emulator). In serve mode, real customers write to your Twilio numbers.";
}

// ---- conversation list -----------------------------------------------------------------
const listView = createListView({
  list: byId<HTMLUListElement>("conversations"),
  open: (sid) => {
    void select(sid);
    // Narrow screens stack the panels: bring the transcript up to where the operator is.
    if (matchMedia("(max-width: 1100px)").matches) {
      byId("transcript").scrollIntoView({ block: "start", behavior: "smooth" });
    }
  },
});

function renderList(): void {
  const all = sortConversations(state.conversations.values(), state.order);
  const shown = filterConversations(all, state.filter);
  const waiting = all.filter(waitsForPerson).length;
  byId("conversation-count").textContent =
    shown.length === all.length ? String(all.length) : `${shown.length} of ${all.length}`;
  byId("waiting-count").textContent = waiting > 0 ? String(waiting) : "";
  const filtered = state.filter.query !== "" || state.filter.waitingOnly;
  listView.render({
    conversations: shown,
    selected: state.selected,
    empty:
      all.length > 0 && filtered
        ? {
            title: "Nothing matches",
            hint: state.filter.waitingOnly
              ? "No conversation is waiting for a person."
              : "Try other words, or clear the search.",
          }
        : {
            title: "No conversations yet",
            hint: state.info?.canSendAsCustomer
              ? "Write as a customer (Be a customer) to start one."
              : "They appear here as soon as a customer writes.",
          },
  });
}

byId<HTMLInputElement>("search").addEventListener("input", (event) => {
  state.filter.query = (event.target as HTMLInputElement).value;
  renderList();
});
byId<HTMLInputElement>("waiting-only").addEventListener("change", (event) => {
  state.filter.waitingOnly = (event.target as HTMLInputElement).checked;
  renderList();
});
byId<HTMLSelectElement>("list-order").addEventListener("change", (event) => {
  state.order = (event.target as HTMLSelectElement).value === "waiting" ? "waiting" : "activity";
  renderList();
});

// ---- transcript ------------------------------------------------------------------------
const transcript = new TranscriptView(byId("transcript"), {
  async act(path, body) {
    try {
      await api("POST", path, body);
      await refreshSelected();
    } catch (error) {
      transcript.showBanner("dead", messageOf(error));
    }
  },
  async reply(text) {
    const sid = state.selected;
    if (sid === null) return false;
    try {
      await api("POST", `/api/conversations/${encodeURIComponent(sid)}/reply`, { text });
      await refreshSelected();
      return state.selected === sid;
    } catch (error) {
      transcript.showBanner("dead", messageOf(error));
      return false;
    }
  },
  openMedia(index, position) {
    const sid = state.selected;
    if (sid === null) return Promise.reject(new Error("No conversation is open."));
    return fetchBlob(
      `/api/conversations/${encodeURIComponent(sid)}/media?index=${index}&position=${position}`,
    );
  },
  canTap: () => Boolean(state.info?.canSendAsCustomer),
  tap(choice, position) {
    const sid = state.selected;
    const conversation = sid === null ? undefined : state.conversations.get(sid);
    if (sid === null || conversation === undefined || !state.info?.canSendAsCustomer) return;
    // As each channel's customer answers: "2" on SMS, the button's title on WhatsApp (its
    // tap arrives as the title) and on web chat.
    const text = conversation.channel === "sms" ? String(position + 1) : choice.title;
    api("POST", "/api/customers/send", {
      channel: conversation.channel,
      from: conversation.customer,
      text,
      ...(conversation.channel === "chat" ? { conversationSid: sid } : {}),
    }).then(
      () => refreshSelected(),
      (error: unknown) => transcript.showBanner("dead", messageOf(error)),
    );
  },
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function renderHead(): void {
  const conversation =
    state.selected === null ? undefined : state.conversations.get(state.selected);
  if (conversation) transcript.renderHead(conversation, state.messages);
}

function addMessage(message: ConsoleMessage): void {
  state.messages = mergeMessage(state.messages, message);
  transcript.renderMessages(state.messages);
}

async function select(sid: string): Promise<void> {
  state.selected = sid;
  state.messages = [];
  if (location.hash !== hashForConversation(sid)) {
    history.replaceState(
      null,
      "",
      `${location.pathname}${location.search}${hashForConversation(sid)}`,
    );
  }
  transcript.build();
  renderList();
  renderHead();
  transcript.renderMessages(state.messages);
  await refreshSelected();
}

async function refreshSelected(): Promise<void> {
  const sid = state.selected;
  if (sid === null) return;
  const mark = overlay.mark();
  try {
    const result = await api<ConsoleTranscript>(
      "GET",
      `/api/conversations/${encodeURIComponent(sid)}`,
    );
    if (state.selected !== sid || !result) return;
    clearTimeout(state.transcriptRetry);
    state.conversations.set(sid, overlay.conversation(result.conversation, mark));
    state.messages = overlay.messages(sid, result.messages, mark);
    renderList();
    renderHead();
    transcript.renderMessages(state.messages, { toBottom: true });
  } catch (error) {
    if (state.selected !== sid) return;
    if (error instanceof ApiError && error.status === 404) {
      transcript.showBanner("dead", "This conversation no longer exists.");
      return;
    }
    // Never "No messages yet" for a transcript that could not be read: say so, and try again.
    const offline = error instanceof ApiError && error.status === 0;
    if (offline) live.set("offline", "Offline · retrying");
    transcript.showLoadError(
      offline
        ? "Couldn't load this conversation — offline, retrying."
        : `Couldn't load this conversation — ${messageOf(error)} Retrying.`,
    );
    clearTimeout(state.transcriptRetry);
    state.transcriptRetry = setTimeout(() => {
      if (state.selected === sid) void refreshSelected();
    }, 3000);
  }
}

// One row per customer, their merged transcript, unlink and delete (`#/customers`).
createCustomerView({ api });

// A link or the back button changes the fragment: open what it names.
window.addEventListener("hashchange", () => {
  const sid = conversationFromHash(location.hash);
  if (sid !== null && sid !== state.selected) void select(sid);
});

// ---- live updates ----------------------------------------------------------------------
/** The refused messages (inbound dead letters): loaded with the list, shown when any. */
async function loadRefused(): Promise<void> {
  const data = await api<{ messages: ConsoleRefusedMessage[] }>("GET", "/api/refused-messages");
  renderRefused(data.messages, {
    container: byId("refused"),
    count: byId("refused-count"),
    list: byId("refused-list"),
  });
}

async function loadConversations(): Promise<void> {
  loadRefused().catch(() => {});
  const mark = overlay.mark();
  const data = await api<{ conversations: ConsoleConversation[] }>("GET", "/api/conversations");
  state.conversations = new Map(
    data.conversations.map((c) => [c.sid, overlay.conversation(c, mark)]),
  );
  renderList();
  openPending();
}

function upsert(conversation: ConsoleConversation): void {
  state.conversations.set(conversation.sid, conversation);
  renderList();
  if (conversation.sid === state.selected) renderHead();
  openPending();
}

// After writing as a new customer, open their conversation as soon as it shows up.
function openPending(): void {
  const pending = state.pendingCustomer;
  if (pending === null) return;
  const found = [...state.conversations.values()].find((c) => c.customer === pending);
  if (found) {
    state.pendingCustomer = null;
    void select(found.sid);
  }
}

function parse<T>(event: Event): T | null {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    return null;
  }
}

function connect(): void {
  clearTimeout(state.reconnectTimer);
  state.source?.close();
  state.source = null;
  if (!token) {
    openStream("/api/stream");
    return;
  }
  // The token never goes in a URL (proxies log URLs): a one-use ticket, valid for seconds,
  // opens the stream instead.
  api<{ ticket: string }>("POST", "/api/stream-ticket").then(
    ({ ticket }) => openStream(`/api/stream?ticket=${encodeURIComponent(ticket)}`),
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) return; // the token gate is open
      live.set("offline", "Offline · retrying");
      state.reconnectTimer = setTimeout(connect, 3000);
    },
  );
}

function openStream(url: string): void {
  const source = new EventSource(url);
  state.source = source;
  source.addEventListener("ready", () => {
    live.set("live", "Live");
    // Anything that happened before this subscription (first load, or a reconnect gap)
    // reaches the page through a reload of the list and of the open transcript.
    loadConversations()
      .then(refreshSelected)
      .catch(() => {});
  });
  source.addEventListener("conversation", (event) => {
    const data = parse<{ conversation?: ConsoleConversation }>(event);
    if (!data?.conversation) return;
    overlay.typing(data.conversation.sid, data.conversation.typing);
    overlay.state(data.conversation.sid, data.conversation.state);
    upsert(data.conversation);
  });
  source.addEventListener("message", (event) => {
    const data = parse<{ conversationSid: string; message?: ConsoleMessage }>(event);
    if (!data?.message) return;
    const message = data.message;
    overlay.message(data.conversationSid, message);
    const conversation = state.conversations.get(data.conversationSid);
    // A resent older message (a status update) must not become the list's last message.
    if (conversation && (!conversation.lastMessage || message.at >= conversation.lastMessage.at)) {
      conversation.lastMessage = { role: message.role, body: message.body, at: message.at };
      if (message.role !== "customer") {
        conversation.typing = false;
        overlay.typing(data.conversationSid, false);
      }
      if (message.at > conversation.updatedAt) conversation.updatedAt = message.at;
      renderList();
    }
    if (data.conversationSid === state.selected) {
      addMessage(message);
      renderHead();
    }
  });
  source.addEventListener("typing", (event) => {
    const data = parse<{ conversationSid: string; on: boolean }>(event);
    const conversation = data && state.conversations.get(data.conversationSid);
    if (!data) return;
    overlay.typing(data.conversationSid, Boolean(data.on));
    if (!conversation) return;
    conversation.typing = Boolean(data.on);
    renderList();
    if (data.conversationSid === state.selected) renderHead();
  });
  source.addEventListener("state", (event) => {
    const data = parse<{
      conversationSid: string;
      state: ConsoleConversationState;
      reason?: string;
    }>(event);
    if (!data) return;
    overlay.state(data.conversationSid, data.state, data.reason);
    const conversation = state.conversations.get(data.conversationSid);
    if (!conversation) return;
    conversation.state = data.state;
    if (data.reason && data.state === "gone") conversation.goneReason = data.reason;
    else if (data.reason) conversation.deadLetterReason = data.reason;
    renderList();
    if (data.conversationSid === state.selected) renderHead();
  });
  source.addEventListener("refused", () => {
    loadRefused().catch(() => {});
  });
  source.addEventListener("error", () => {
    if (state.source !== source) return;
    // The browser retries an interrupted stream by itself; the badge says so at once
    // (rather than "Connecting" forever while the server is down).
    live.set("offline", "Reconnecting…");
    // A ticket is spent once: with a token, every reconnect fetches a new one.
    if (token) source.close();
    if (source.readyState !== EventSource.CLOSED) {
      void probe();
      return;
    }
    // Refused (token?) or gone for good: check with a plain request, which opens the
    // token gate on 401, and try again shortly otherwise.
    state.source = null;
    state.reconnectTimer = setTimeout(() => {
      api<PageInfo>("GET", "/api/info").then(
        (info) => {
          renderInfo(info);
          connect();
        },
        (error: unknown) => {
          if (!(error instanceof ApiError) || error.status !== 401) {
            live.set("offline", "Offline · retrying");
            state.reconnectTimer = setTimeout(connect, 3000);
          }
        },
      );
    }, 1000);
  });
}

// While the stream reconnects, one plain request tells "server down" from a hiccup.
async function probe(): Promise<void> {
  try {
    await api("GET", "/api/info");
  } catch (error) {
    if (
      error instanceof ApiError &&
      error.status === 0 &&
      state.source?.readyState !== EventSource.OPEN
    ) {
      live.set("offline", "Offline · retrying");
    }
  }
}

function start(): void {
  api<PageInfo>("GET", "/api/info")
    .then((info) => {
      renderInfo(info);
      customerForm.render();
      if (state.selected !== null) void select(state.selected);
      return loadConversations();
    })
    .then(connect, (error: unknown) => {
      if (!(error instanceof ApiError) || error.status !== 401) {
        live.set("offline", "Offline · retrying");
        state.reconnectTimer = setTimeout(start, 3000);
      }
    });
}

setInterval(renderList, 30_000);
start();
