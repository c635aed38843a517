import type { ConsoleRefusedMessage } from "../console-deps.js";
import { el } from "./dom.js";
import { ago, fullTime } from "./time-format.js";

/**
 * Renders the refused messages (inbound dead letters) into the console's `<details>`:
 * hidden while there are none. Every value goes in as text.
 */
export function renderRefused(
  messages: readonly ConsoleRefusedMessage[],
  parts: { container: HTMLElement; count: HTMLElement; list: HTMLElement },
  now: Date = new Date(),
): void {
  parts.container.hidden = messages.length === 0;
  parts.count.textContent = messages.length > 0 ? String(messages.length) : "";
  parts.list.replaceChildren(
    ...messages.map((message) => {
      const item = el("li");
      const head = el("div", "refused-head");
      head.append(
        el("strong", undefined, message.author),
        el("span", undefined, ago(message.at, now)),
      );
      head.title = fullTime(message.at);
      const why = el(
        "span",
        "refused-why",
        // The store's reason usually names the field already ("body: is longer than…").
        `${message.reason.startsWith(`${message.field}:`) ? "" : `${message.field}: `}${message.reason} · ${message.bodyLength.toLocaleString()} characters`,
      );
      const ids = el("span", "mono", `${message.conversationSid} · ${message.messageSid}`);
      item.append(head, why, ids);
      return item;
    }),
  );
}
