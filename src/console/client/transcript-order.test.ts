import { describe, expect, it } from "vitest";
import type { ConsoleMessage } from "../console-deps.js";
import { mergeMessage, position } from "./transcript-order.js";

const message = (fields: Partial<ConsoleMessage>): ConsoleMessage => ({
  role: "customer",
  author: "+15551230001",
  body: "hi",
  media: [],
  at: "2026-12-06T10:00:00.000Z",
  ...fields,
});

describe("mergeMessage", () => {
  it("places a reply right after the message it answers, whatever order they arrive in", () => {
    const question = message({ index: 0, body: "Open today?" });
    const next = message({ index: 1, body: "And Sunday?", at: "2026-12-06T10:02:00.000Z" });
    const reply = message({
      role: "agent",
      id: "r1",
      afterIndex: 0,
      body: "Yes",
      at: "2026-12-06T10:01:00.000Z",
    });
    let transcript = mergeMessage([], next);
    transcript = mergeMessage(transcript, reply);
    transcript = mergeMessage(transcript, question);
    expect(transcript.map((entry) => entry.body)).toEqual(["Open today?", "Yes", "And Sunday?"]);
  });

  it("replaces an update in place (same index, or same id for a reply) instead of adding it", () => {
    const reply = message({ role: "agent", id: "r1", afterIndex: 0, status: "queued" });
    const question = message({ index: 0 });
    const transcript = mergeMessage(mergeMessage([question], reply), { ...reply, status: "sent" });
    expect(transcript).toHaveLength(2);
    expect(transcript[1]?.status).toBe("sent");
    const edited = mergeMessage(transcript, { ...question, body: "edited" });
    expect(edited.map((entry) => entry.body)).toEqual(["edited", "hi"]);
  });

  it("orders several replies to one message by time, and unplaced messages last", () => {
    const question = message({ index: 3 });
    const second = message({
      role: "agent",
      id: "b",
      afterIndex: 3,
      at: "2026-12-06T10:00:02.000Z",
    });
    const first = message({
      role: "agent",
      id: "a",
      afterIndex: 3,
      at: "2026-12-06T10:00:01.000Z",
    });
    const loose = message({ role: "agent", id: "c" });
    const transcript = [loose, second, first, question].reduce(
      mergeMessage,
      [] as ConsoleMessage[],
    );
    expect(transcript.map((entry) => entry.id ?? entry.index)).toEqual([3, "a", "b", "c"]);
    expect(position(loose)).toBe(Number.POSITIVE_INFINITY);
  });

  it("does not change the array it was given", () => {
    const original = [message({ index: 0 })];
    mergeMessage(original, message({ index: 1 }));
    expect(original).toHaveLength(1);
  });
});
