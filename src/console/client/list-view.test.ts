// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import type { ConsoleConversation } from "../console-deps.js";
import { createListView } from "./list-view.js";

const row = (sid: string, customer: string): ConsoleConversation => ({
  sid,
  channel: "sms",
  customer,
  state: "bot",
  lastMessage: { role: "agent", body: "**Open** today", at: "2026-12-06T10:00:00Z" },
  updatedAt: "2026-12-06T10:00:00Z",
  typing: false,
});

const empty = { title: "No conversations yet", hint: "Write as a customer." };

describe("the conversation list", () => {
  let list: HTMLUListElement;
  let opened: string[];
  let view: ReturnType<typeof createListView>;
  beforeEach(() => {
    document.body.innerHTML = '<ul id="conversations"></ul>';
    list = document.querySelector("ul")!;
    opened = [];
    view = createListView({ list, open: (sid) => opened.push(sid) });
    view.render({
      conversations: [
        row("CH1", "+15550000001"),
        row("CH2", "+15550000002"),
        row("CH3", "+15550000003"),
      ],
      selected: "CH2",
      empty,
    });
  });

  const buttons = () =>
    Array.from(list.querySelectorAll<HTMLButtonElement>("li > button.conversation"));

  it("is a real list with one tab stop, on the open conversation", () => {
    expect(list.children).toHaveLength(3);
    expect([...list.children].every((child) => child.tagName === "LI")).toBe(true);
    expect(buttons().map((button) => button.tabIndex)).toEqual([-1, 0, -1]);
    expect(buttons()[1]?.getAttribute("aria-current")).toBe("true");
    expect(buttons()[0]?.textContent).toContain("Agent: Open today");
  });

  it("moves focus with the arrow keys and opens the focused row with a click or Enter", () => {
    buttons()[1]!.focus();
    buttons()[1]!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    expect(document.activeElement).toBe(buttons()[2]);
    expect(buttons().map((button) => button.tabIndex)).toEqual([-1, -1, 0]);
    buttons()[2]!.dispatchEvent(new KeyboardEvent("keydown", { key: "Home", bubbles: true }));
    expect(document.activeElement).toBe(buttons()[0]);
    buttons()[0]!.click();
    expect(opened).toEqual(["CH1"]);
  });

  it("keeps focus and the tab stop on the same conversation across a re-render", () => {
    buttons()[2]!.focus();
    buttons()[2]!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp", bubbles: true }));
    view.render({
      conversations: [
        row("CH3", "+15550000003"),
        row("CH1", "+15550000001"),
        row("CH2", "+15550000002"),
      ],
      selected: "CH2",
      empty,
    });
    expect((document.activeElement as HTMLElement).getAttribute("data-sid")).toBe("CH2");
    expect(buttons().map((button) => button.tabIndex)).toEqual([-1, -1, 0]);
  });

  it("says why it is empty", () => {
    view.render({ conversations: [], selected: null, empty });
    expect(list.querySelector("li.empty")?.textContent).toBe(
      "No conversations yetWrite as a customer.",
    );
  });
});
