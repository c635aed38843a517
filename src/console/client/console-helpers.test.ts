// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import type { ConsoleConversation, ConsoleMessage } from "../console-deps.js";
import { takeTokenFromAddress } from "./address-token.js";
import { filterConversations, sortConversations, waitsForPerson } from "./conversation-filter.js";
import { conversationFromHash, hashForConversation } from "./conversation-route.js";
import { statusLabel } from "./labels.js";
import { nextListPosition } from "./list-navigation.js";
import { ago, messageTime } from "./time-format.js";
import { unansweredDuringHold } from "./unanswered.js";

const sid = `CH${"a".repeat(32)}`;

const conversation = (fields: Partial<ConsoleConversation>): ConsoleConversation => ({
  sid,
  channel: "sms",
  customer: "+15551230001",
  state: "bot",
  lastMessage: null,
  updatedAt: "2026-12-06T10:00:00.000Z",
  typing: false,
  ...fields,
});

describe("the console token in the address", () => {
  it("is taken once from ?token= and removed from the address bar, keeping the rest", () => {
    const replaced: string[] = [];
    const token = takeTokenFromAddress(
      { search: "?token=abc123&view=x", pathname: "/", hash: `#/conversations/${sid}` },
      { replaceState: (_data, _unused, url) => replaced.push(String(url)) },
    );
    expect(token).toBe("abc123");
    expect(replaced).toEqual([`/?view=x#/conversations/${sid}`]);
  });

  it("is taken from #token= (never sent to the server) and removed with its fragment", () => {
    const replaced: string[] = [];
    const token = takeTokenFromAddress(
      { search: "?view=x", pathname: "/", hash: "#token=abc%2F123" },
      { replaceState: (_data, _unused, url) => replaced.push(String(url)) },
    );
    expect(token).toBe("abc/123");
    expect(replaced).toEqual(["/?view=x"]);
  });

  it("leaves an address without a token alone", () => {
    const replaced: string[] = [];
    const token = takeTokenFromAddress(
      { search: "", pathname: "/", hash: "" },
      { replaceState: (_data, _unused, url) => replaced.push(String(url)) },
    );
    expect(token).toBeNull();
    expect(replaced).toEqual([]);
  });
});

describe("the conversation in the address", () => {
  it("round-trips a SID through the fragment and refuses anything else", () => {
    expect(conversationFromHash(hashForConversation(sid))).toBe(sid);
    expect(hashForConversation(null)).toBe("");
    expect(conversationFromHash("#/conversations/CH123")).toBeNull();
    expect(conversationFromHash(`#/conversations/${sid}/../x`)).toBeNull();
    expect(conversationFromHash("")).toBeNull();
  });
});

describe("search and the 'waiting for a person' filter", () => {
  const list = [
    conversation({ sid: "CH1", customer: "+15551230001", updatedAt: "2026-12-06T10:00:00Z" }),
    conversation({
      sid: "CH2",
      channel: "whatsapp",
      customer: "whatsapp:+15551230002",
      state: "human",
      updatedAt: "2026-12-06T11:00:00Z",
      lastMessage: { role: "customer", body: "Where is my Refund?", at: "2026-12-06T11:00:00Z" },
    }),
    conversation({
      sid: "CH3",
      channel: "chat",
      customer: "visitor-7c1e",
      state: "dead",
      updatedAt: "2026-12-06T09:00:00Z",
    }),
  ];

  it("finds words in the address, channel name and last message, in any case", () => {
    const find = (query: string) =>
      filterConversations(list, { query, waitingOnly: false }).map((entry) => entry.sid);
    expect(find("refund")).toEqual(["CH2"]);
    expect(find("web chat")).toEqual(["CH3"]);
    expect(find("555123000")).toEqual(["CH1", "CH2"]);
    expect(find("whatsapp refund")).toEqual(["CH2"]);
    expect(find("whatsapp hours")).toEqual([]);
    expect(find("  ")).toEqual(["CH1", "CH2", "CH3"]);
  });

  it("keeps only conversations a person must act on: taken over or dead-lettered", () => {
    expect(
      filterConversations(list, { query: "", waitingOnly: true }).map((entry) => entry.sid),
    ).toEqual(["CH2", "CH3"]);
    expect(list.map(waitsForPerson)).toEqual([false, true, true]);
  });

  it("sorts newest activity first", () => {
    expect(sortConversations(list).map((entry) => entry.sid)).toEqual(["CH2", "CH1", "CH3"]);
  });
});

describe("messages that arrived while a person held the conversation", () => {
  const message = (role: ConsoleMessage["role"], status?: string): ConsoleMessage => ({
    role,
    author: role,
    body: role,
    media: [],
    at: "2026-12-06T10:00:00Z",
    ...(status === undefined ? {} : { status }),
  });

  it("are unanswered until a person replies after them", () => {
    const held = message("customer", "handoff");
    expect(unansweredDuringHold([message("customer"), message("agent"), held])).toEqual([held]);
    expect(unansweredDuringHold([held, message("human")])).toEqual([]);
    const later = message("customer", "handoff");
    expect(unansweredDuringHold([held, message("human"), later])).toEqual([later]);
    expect(unansweredDuringHold([message("customer", "pending")])).toEqual([]);
  });

  it("are labelled in an operator's words, not the mailbox's", () => {
    expect(statusLabel("handoff")).not.toMatch(/handoff/i);
    expect(statusLabel("handoff")).toMatch(/person/);
    expect(statusLabel("failed")).toBe("Not delivered");
    expect(statusLabel("something-new")).toBe("Something-new");
  });
});

describe("keyboard movement in the list", () => {
  it("moves with arrows, Home and End, and stays inside the list", () => {
    expect(nextListPosition("ArrowDown", 0, 3)).toBe(1);
    expect(nextListPosition("ArrowDown", 2, 3)).toBe(2);
    expect(nextListPosition("ArrowUp", 0, 3)).toBe(0);
    expect(nextListPosition("End", 0, 3)).toBe(2);
    expect(nextListPosition("Home", 2, 3)).toBe(0);
    expect(nextListPosition("Tab", 1, 3)).toBeNull();
    expect(nextListPosition("ArrowDown", 0, 0)).toBeNull();
  });
});

describe("times", () => {
  const now = new Date(2026, 11, 6, 15, 30);
  it("shows the day unless the message is from today", () => {
    expect(messageTime(new Date(2026, 11, 6, 9, 5).toISOString(), now, "en-GB")).toBe("09:05");
    expect(messageTime(new Date(2026, 11, 5, 9, 5).toISOString(), now, "en-GB")).toBe(
      "Yesterday 09:05",
    );
    expect(messageTime(new Date(2026, 10, 28, 9, 5).toISOString(), now, "en-GB")).toBe(
      "28 Nov 09:05",
    );
    expect(messageTime(new Date(2025, 10, 28, 9, 5).toISOString(), now, "en-GB")).toBe(
      "28 Nov 2025 09:05",
    );
    expect(messageTime("not a date", now)).toBe("");
  });

  it("says how long ago for the list", () => {
    expect(ago(new Date(now.getTime() - 10_000).toISOString(), now)).toBe("now");
    expect(ago(new Date(now.getTime() - 5 * 60_000).toISOString(), now)).toBe("5 min");
    expect(ago(new Date(now.getTime() - 3 * 3_600_000).toISOString(), now)).toBe("3 h");
  });
});
