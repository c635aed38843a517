import type { ConsoleConversation } from "../console-deps.js";
import { waitingLabel } from "./conversation-filter.js";
import { dots, el } from "./dom.js";
import { withoutEmphasisMarks } from "./emphasis.js";
import { channelNames, known, roleNames, stateNames } from "./labels.js";
import { nextListPosition } from "./list-navigation.js";
import { ago } from "./time-format.js";

export interface ListViewOptions {
  /** The `<ul>` the rows go in. */
  list: HTMLUListElement;
  /** Opens a conversation (a click, or Enter on a row). */
  open(sid: string): void;
}

export interface ListRender {
  conversations: readonly ConsoleConversation[];
  selected: string | null;
  /** What the empty list says (no conversations at all, or none matching the filter). */
  empty: { title: string; hint: string };
}

export function channelBadge(channel: string): HTMLSpanElement {
  const key = known(channelNames, channel, "chat");
  return el("span", `badge ${key}`, channelNames[key]);
}

export function stateBadge(state: string): HTMLSpanElement {
  const key = known(stateNames, state, "bot");
  return el("span", `badge state-${key}`, stateNames[key]);
}

/**
 * The conversation list: a real `<ul>` whose rows are buttons with a roving tabindex —
 * the list is one tab stop; arrow keys, Home and End move inside it; Enter or a click
 * opens the row.
 */
export function createListView(options: ListViewOptions): { render(view: ListRender): void } {
  const { list } = options;
  const rows = () => Array.from(list.querySelectorAll<HTMLButtonElement>("button.conversation"));

  list.addEventListener("keydown", (event) => {
    const all = rows();
    const current = all.indexOf(document.activeElement as HTMLButtonElement);
    if (current === -1) return;
    const next = nextListPosition(event.key, current, all.length);
    if (next === null) return;
    event.preventDefault();
    moveFocus(all, next);
  });

  function render(view: ListRender): void {
    const focusedSid = list.contains(document.activeElement)
      ? document.activeElement?.getAttribute("data-sid")
      : null;
    const previousStop = list
      .querySelector('button.conversation[tabindex="0"]')
      ?.getAttribute("data-sid");
    list.textContent = "";
    if (view.conversations.length === 0) {
      const empty = el("li", "empty");
      empty.append(el("strong", "", view.empty.title), document.createTextNode(view.empty.hint));
      list.append(empty);
      return;
    }
    // The tab stop stays where the operator left it, else on the open row, else the first.
    const sids = view.conversations.map((conversation) => conversation.sid);
    const stop =
      [focusedSid, previousStop, view.selected].find(
        (sid): sid is string => typeof sid === "string" && sids.includes(sid),
      ) ?? sids[0];
    for (const conversation of view.conversations) {
      const item = el("li");
      const row = rowFor(conversation, conversation.sid === view.selected);
      row.tabIndex = conversation.sid === stop ? 0 : -1;
      row.addEventListener("click", () => options.open(conversation.sid));
      item.append(row);
      list.append(item);
      if (conversation.sid === focusedSid) row.focus();
    }
  }

  return { render };
}

function moveFocus(all: HTMLButtonElement[], index: number): void {
  for (const [position, row] of all.entries()) row.tabIndex = position === index ? 0 : -1;
  all[index]?.focus();
}

function rowFor(conversation: ConsoleConversation, selected: boolean): HTMLButtonElement {
  const row = el("button", `conversation${selected ? " selected" : ""}`);
  row.type = "button";
  row.setAttribute("data-sid", conversation.sid);
  if (selected) row.setAttribute("aria-current", "true");
  const top = el("span", "row");
  top.append(
    el("span", "customer mono", conversation.customer),
    channelBadge(conversation.channel),
    stateBadge(conversation.state),
  );
  const last = el("span", "last");
  if (conversation.typing) {
    last.append(dots("mini-dots"), el("span", "typing-text", "Agent is typing…"));
  } else if (conversation.lastMessage) {
    const message = conversation.lastMessage;
    const body = message.body || "(attachment)";
    const role = known(roleNames, message.role, "customer");
    last.textContent =
      role === "customer" ? body : `${roleNames[role]}: ${withoutEmphasisMarks(body)}`;
  } else {
    last.textContent = "No messages yet";
  }
  const bottom = el("span", "row");
  bottom.append(
    last,
    el("span", "when", waitingLabel(conversation) ?? ago(conversation.updatedAt)),
  );
  row.append(top, bottom);
  return row;
}
