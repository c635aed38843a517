// Over 400 lines on purpose: the inspector page's one script wires its panels to the live stream;
// the field readers are in their own modules.
/**
 * The inspector page's script, bundled into `dist/client/inspector.js` and inlined in the
 * page under a CSP hash. It reads its settings from the JSON in `#inspector-config`, loads
 * `{base}/state`, then follows `{base}/stream` (SSE `state` events), falling back to
 * polling when the stream is unavailable.
 *
 * Every value from the state is untrusted (message bodies come from customers): the page
 * builds DOM nodes and sets `textContent`, never `innerHTML`, and links only http(s) or
 * same-origin URLs.
 */
import type {
  InspectorConversation,
  InspectorDeviceMessage,
  InspectorState,
  RestJson,
} from "../inspector-state.js";
import { type Child, h } from "./h.js";
import {
  addressChannel,
  binding,
  type Channel,
  deliveryStatus,
  duration,
  list,
  participantChannel,
  participantName,
  plural,
  safeUrl,
  statusClass,
  text,
  time,
} from "./rest-fields.js";

const byId = (id: string): HTMLElement => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`The inspector page has no #${id}`);
  return node;
};
const config = JSON.parse(byId("inspector-config").textContent ?? "{}") as {
  basePath: string;
  pollMs: number;
};
const base = config.basePath;
let state: InspectorState | null = null;
let selected: string | null = null;
let pollTimer: ReturnType<typeof setInterval> | undefined;

const channelNames: Record<Channel, string> = { sms: "SMS", whatsapp: "WhatsApp", chat: "Chat" };
const channelBadge = (channel: Channel) =>
  h("span", { class: `badge ${channel}` }, channelNames[channel] ?? channel);
function stateBadge(value: unknown): HTMLElement {
  const name = text(value) || "active";
  return h("span", { class: `badge state-${name.replace(/[^a-z]/g, "")}` }, name);
}

function lastActivity(entry: InspectorConversation): string {
  const messages = list<RestJson>(entry.messages);
  const last = messages[messages.length - 1];
  return text(
    last?.date_created || entry.conversation.date_updated || entry.conversation.date_created,
  );
}

function mediaChips(media: unknown): Child {
  const items = list<Record<string, unknown>>(media);
  if (items.length === 0) return null;
  return h(
    "div",
    { class: "media-list" },
    items.map((item) => {
      const label =
        text(item.filename || item.sid || "media") +
        (item.content_type ? ` · ${text(item.content_type)}` : "");
      const href = safeUrl(item.url, location.href);
      return href
        ? h("a", { class: "media", href, target: "_blank", rel: "noopener noreferrer" }, label)
        : h("span", { class: "media" }, label);
    }),
  );
}

function renderHeader(current: InspectorState): void {
  byId("account-sid").textContent = text(current.accountSid) || "—";
  byId("service-sid").textContent = text(current.serviceSid) || "—";
  const numbers = (current.numbers ?? {}) as Partial<Record<"sms" | "whatsapp", string | string[]>>;
  byId("sms-number").textContent = ([] as string[]).concat(numbers.sms || "—").join(", ");
  byId("whatsapp-number").textContent = ([] as string[]).concat(numbers.whatsapp || "—").join(", ");
}

function renderConversations(current: InspectorState): InspectorConversation[] {
  const entries = list<InspectorConversation>(current.conversations).filter(
    (entry) => entry?.conversation,
  );
  entries.sort((a, b) => lastActivity(b).localeCompare(lastActivity(a)));
  if (!entries.some((entry) => entry.conversation.sid === selected)) {
    selected = entries[0]?.conversation.sid ?? null;
  }
  byId("conversation-count").textContent = String(entries.length);
  const container = byId("conversations");
  container.replaceChildren();
  if (entries.length === 0) {
    container.append(
      h(
        "div",
        { class: "empty" },
        "No conversations yet. Send a message from a device to start one.",
      ),
    );
    return entries;
  }
  for (const entry of entries) {
    const conversation = entry.conversation;
    const channels = new Set(list<RestJson>(entry.participants).map(participantChannel));
    container.append(
      h(
        "button",
        {
          class: `conversation${conversation.sid === selected ? " selected" : ""}`,
          "data-sid": conversation.sid,
          onclick: () => {
            selected = conversation.sid;
            render();
            // One column (phones): bring the opened conversation's transcript into view.
            if (matchMedia("(max-width: 1100px)").matches) {
              byId("detail").scrollIntoView({ block: "start" });
            }
          },
        },
        h(
          "span",
          { class: "name" },
          text(conversation.friendly_name || conversation.unique_name || conversation.sid),
        ),
        h(
          "span",
          { class: "meta" },
          stateBadge(conversation.state),
          [...channels].sort().map(channelBadge),
          h(
            "span",
            null,
            `${plural(list(entry.messages).length, "message")} · ${plural(list(entry.participants).length, "participant")}`,
          ),
        ),
      ),
    );
  }
  return entries;
}

function deliveryBadge(delivery: unknown): Child {
  const status = deliveryStatus(delivery);
  if (!status) return null;
  return h("span", { class: `badge ${status.failed ? "state-closed" : "neutral"}` }, status.label);
}

function renderDetail(entries: InspectorConversation[]): void {
  const container = byId("detail");
  const previous = container.querySelector(".scroll");
  const stick =
    !previous || previous.scrollHeight - previous.scrollTop - previous.clientHeight < 40;
  const keep = previous ? previous.scrollTop : 0;
  container.replaceChildren();
  const entry = entries.find((item) => item.conversation.sid === selected);
  if (!entry) {
    container.append(
      h(
        "div",
        { class: "placeholder" },
        entries.length === 0
          ? "Participants and messages appear here once a conversation starts."
          : "Select a conversation to see its participants and messages.",
      ),
    );
    return;
  }
  const conversation = entry.conversation;
  const participants = list<RestJson>(entry.participants);
  const bySid = new Map(participants.map((participant) => [participant.sid, participant]));
  container.append(
    h(
      "div",
      { class: "detail-head" },
      h(
        "h3",
        null,
        text(conversation.friendly_name || conversation.unique_name || conversation.sid),
        stateBadge(conversation.state),
      ),
      h(
        "div",
        { class: "sub-line" },
        h("span", { class: "mono" }, text(conversation.sid)),
        conversation.unique_name
          ? h("span", null, `unique name: ${text(conversation.unique_name)}`)
          : null,
      ),
    ),
  );
  container.append(
    h(
      "div",
      { class: "participants" },
      participants.length === 0
        ? h("span", { class: "sub-line" }, "No participants.")
        : participants.map((participant) => {
            const found = binding(participant);
            return h(
              "span",
              { class: "participant", title: text(participant.sid) },
              channelBadge(participantChannel(participant)),
              h("span", { class: "who" }, participantName(participant)),
              found?.proxy_address
                ? h("span", { class: "sub-line" }, `via ${text(found.proxy_address)}`)
                : null,
            );
          }),
    ),
  );
  const messages = list<RestJson>(entry.messages);
  const scroll = h("div", { class: "scroll" });
  const body = h("div", { class: "messages" });
  if (messages.length === 0) body.append(h("div", { class: "empty" }, "No messages yet."));
  for (const message of messages) {
    const author = bySid.get(text(message.participant_sid));
    const inbound = Boolean(author && binding(author));
    body.append(
      h(
        "div",
        { class: `message ${inbound ? "inbound" : "outbound"}`, "data-sid": text(message.sid) },
        h(
          "div",
          { class: "head" },
          h("span", { class: "author" }, text(message.author || "system")),
          author ? channelBadge(participantChannel(author)) : null,
          h("span", null, `#${text(message.index)}`),
          h("span", null, time(message.date_created)),
          message.content_sid
            ? h("span", { class: "badge neutral", title: text(message.content_sid) }, "template")
            : null,
          deliveryBadge(message.delivery),
        ),
        h(
          "div",
          { class: "bubble" },
          message.body === null || message.body === undefined || message.body === ""
            ? h(
                "span",
                { class: "no-body" },
                list(message.media).length > 0 ? "(media)" : "(no body)",
              )
            : text(message.body),
          mediaChips(message.media),
        ),
      ),
    );
  }
  scroll.append(body);
  container.append(scroll);
  scroll.scrollTop = stick ? scroll.scrollHeight : keep;
}

function renderDevices(current: InspectorState): void {
  const devices = current.devices && typeof current.devices === "object" ? current.devices : {};
  const addresses = Object.keys(devices).sort();
  byId("device-count").textContent = String(addresses.length);
  const container = byId("devices");
  container.replaceChildren();
  if (addresses.length === 0) {
    container.append(h("div", { class: "empty" }, "No device has received anything yet."));
    return;
  }
  for (const address of addresses) {
    const all = list<InspectorDeviceMessage>(devices[address]);
    const inbox = all.slice(-20);
    container.append(
      h(
        "div",
        { class: "device", "data-address": address },
        h(
          "div",
          { class: "addr" },
          channelBadge(addressChannel(address)),
          h("span", { class: "mono" }, address),
          h("span", { class: "count" }, String(all.length)),
        ),
        inbox.length === 0
          ? null
          : h(
              "ol",
              null,
              inbox.map((item) =>
                h(
                  "li",
                  null,
                  h(
                    "div",
                    { class: "body" },
                    item.body === null || item.body === undefined
                      ? h("span", { class: "no-body" }, "(media)")
                      : text(item.body),
                  ),
                  mediaChips(item.media),
                  h(
                    "div",
                    { class: "sub-line" },
                    h("span", null, `from ${text(item.from)}`),
                    h("span", null, time(item.dateCreated)),
                    h(
                      "span",
                      {
                        class: `badge ${item.status === "failed" || item.status === "undelivered" ? "state-closed" : "neutral"}`,
                      },
                      text(item.status),
                    ),
                  ),
                ),
              ),
            ),
      ),
    );
  }
}

function renderWebhooks(current: InspectorState): void {
  const all = list<InspectorState["webhooks"][number]>(current.webhooks);
  const rows = all.slice(-200).reverse();
  byId("webhook-count").textContent = String(all.length);
  const body = byId("webhook-rows");
  body.replaceChildren();
  if (rows.length === 0) {
    body.append(h("tr", null, h("td", { colspan: "5", class: "empty" }, "No webhooks sent yet.")));
    return;
  }
  for (const row of rows) {
    body.append(
      h(
        "tr",
        null,
        h("td", { class: "time" }, time(row.at)),
        h(
          "td",
          { title: `${text(row.event)} → ${text(row.url)}` },
          h("div", { class: "event" }, text(row.event)),
          h("div", { class: "url" }, text(row.url)),
        ),
        h(
          "td",
          null,
          h(
            "span",
            { class: `status ${statusClass(row.status)}` },
            typeof row.status === "number" ? String(row.status) : "no answer",
          ),
        ),
        h("td", { class: "num" }, text(row.attempts)),
        h("td", { class: "num" }, duration(row.ms)),
      ),
    );
  }
}

function render(next?: InspectorState): void {
  if (next) state = next;
  if (!state) return;
  renderHeader(state);
  renderDetail(renderConversations(state));
  renderDevices(state);
  renderWebhooks(state);
}

function setMode(mode: "live" | "polling" | "offline", label: string): void {
  const element = byId("live");
  element.className = `live is-${mode}`;
  element.textContent = label;
}

async function refresh(): Promise<void> {
  try {
    const response = await fetch(`${base}/state`, { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render((await response.json()) as InspectorState);
    if (pollTimer) setMode("polling", "Polling");
  } catch {
    setMode("offline", "Offline");
  }
}

function startPolling(): void {
  if (pollTimer) return;
  setMode("polling", "Polling");
  pollTimer = setInterval(() => void refresh(), config.pollMs);
}

function startStream(): void {
  if (typeof EventSource === "undefined") {
    startPolling();
    return;
  }
  const source = new EventSource(`${base}/stream`);
  let failures = 0;
  source.addEventListener("open", () => {
    failures = 0;
    setMode("live", "Live");
  });
  source.addEventListener("state", (event) => {
    let next: InspectorState | null = null;
    try {
      next = JSON.parse((event as MessageEvent<string>).data) as InspectorState;
    } catch {
      next = null;
    }
    setMode("live", "Live");
    if (next && Array.isArray(next.conversations)) render(next);
    else void refresh();
  });
  source.addEventListener("error", () => {
    failures += 1;
    // CLOSED means the server refused the stream (404, wrong type): poll instead.
    if (source.readyState === EventSource.CLOSED || failures >= 3) {
      source.close();
      startPolling();
    } else {
      setMode("polling", "Reconnecting");
    }
  });
}

void refresh().then(startStream);
