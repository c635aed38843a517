import { describe, expect, it } from "vitest";
import { packPayloads, parseNotices, parsePublished } from "./postgres-notices.js";

describe("NOTIFY payload packing", () => {
  it("keeps every item once, in order, each pack within the budget", () => {
    const items = Array.from({ length: 500 }, (_, n) => JSON.stringify(`CH${"0".repeat(30)}${n}`));
    const packs = packPayloads(items, 1_000);
    expect(packs.flat()).toEqual(items);
    expect(packs.length).toBeGreaterThan(10);
    for (const pack of packs) expect(Buffer.byteLength(`[${pack.join(",")}]`)).toBeLessThan(1_010);
  });

  it("sends an item larger than the budget alone instead of dropping or splitting it", () => {
    const large = JSON.stringify("x".repeat(2_000));
    expect(packPayloads(['"a"', large, '"b"'], 1_000)).toEqual([['"a"'], [large], ['"b"']]);
    expect(packPayloads([])).toEqual([]);
  });

  it("packs a full 200-message batch of maximal SIDs under PostgreSQL's 8000-byte limit", () => {
    // The envelope as the sender writes it: a UUID sender and the kind.
    const envelope = JSON.stringify({ from: "f".repeat(36), kind: "turn" }).slice(0, -1);
    const sids = Array.from({ length: 200 }, (_, n) => JSON.stringify(`${n}`.padEnd(64, "é")));
    for (const pack of packPayloads(sids))
      expect(Buffer.byteLength(`${envelope},"conversationSids":[${pack.join(",")}]}`)).toBeLessThan(
        8_000,
      );
  });
});

describe("parsing another process's notices", () => {
  const self = "instance-a";

  it("reads the coalesced and the single (earlier version) forms", () => {
    expect(
      parseNotices(
        JSON.stringify({ from: "instance-b", kind: "outbox", conversationSids: ["CH1", "CH2"] }),
        self,
      ),
    ).toEqual([
      { kind: "outbox", conversationSid: "CH1" },
      { kind: "outbox", conversationSid: "CH2" },
    ]);
    expect(
      parseNotices(
        JSON.stringify({ from: "instance-b", kind: "turn", conversationSid: "CH3" }),
        self,
      ),
    ).toEqual([{ kind: "turn", conversationSid: "CH3" }]);
    expect(
      parsePublished(
        JSON.stringify({
          from: "instance-b",
          events: [
            { channel: "live", payload: "1" },
            { channel: "live", payload: "2" },
          ],
        }),
        self,
      ),
    ).toEqual([
      { channel: "live", payload: "1" },
      { channel: "live", payload: "2" },
    ]);
    expect(
      parsePublished(JSON.stringify({ from: "instance-b", channel: "live", payload: "3" }), self),
    ).toEqual([{ channel: "live", payload: "3" }]);
  });

  it("ignores its own, malformed and forged payloads, and malformed entries inside one", () => {
    const garbage = [
      "not json",
      "null",
      "[]",
      "42",
      JSON.stringify({ kind: "delete-everything", conversationSids: ["CH1"] }),
      JSON.stringify({ kind: "turn", conversationSids: "CH1" }),
      JSON.stringify({ kind: "turn" }),
      JSON.stringify({ from: self, kind: "turn", conversationSids: ["CH1"] }),
    ];
    for (const text of garbage) expect(parseNotices(text, self)).toEqual([]);
    expect(
      parseNotices(
        JSON.stringify({ kind: "turn", conversationSids: ["CH1", 5, null, "", { x: 1 }, "CH2"] }),
        self,
      ),
    ).toEqual([
      { kind: "turn", conversationSid: "CH1" },
      { kind: "turn", conversationSid: "CH2" },
    ]);
    for (const text of [
      ...garbage,
      JSON.stringify({ from: self, events: [{ channel: "a", payload: "b" }] }),
    ])
      expect(parsePublished(text, self)).toEqual([]);
    expect(
      parsePublished(
        JSON.stringify({
          events: [{ channel: "a", payload: 1 }, null, "x", { channel: "a", payload: "ok" }],
        }),
        self,
      ),
    ).toEqual([{ channel: "a", payload: "ok" }]);
  });

  it("reads an interrupt only with its conversation and an integer lease version", () => {
    const from = "instance-b";
    expect(
      parseNotices(
        JSON.stringify({ from, kind: "interrupt", conversationSid: "CH1", leaseVersion: 7 }),
        self,
      ),
    ).toEqual([{ kind: "interrupt", conversationSid: "CH1", leaseVersion: 7 }]);
    for (const malformed of [
      { from, kind: "interrupt", conversationSid: "CH1" },
      { from, kind: "interrupt", conversationSid: "CH1", leaseVersion: "7" },
      { from, kind: "interrupt", conversationSid: "CH1", leaseVersion: 1.5 },
      { from, kind: "interrupt", conversationSid: "CH1", leaseVersion: 2 ** 60 },
      { from, kind: "interrupt", conversationSid: "", leaseVersion: 7 },
      { from, kind: "interrupt", leaseVersion: 7 },
      // A lease version cannot belong to a list of conversations: never read from one.
      { from, kind: "interrupt", conversationSids: ["CH1", "CH2"], leaseVersion: 7 },
      { from: self, kind: "interrupt", conversationSid: "CH1", leaseVersion: 7 },
    ])
      expect(parseNotices(JSON.stringify(malformed), self)).toEqual([]);
  });

  it("handles a flood of entries in one payload without choking", () => {
    const sids = Array.from({ length: 50_000 }, (_, n) => `CH${n}`);
    const notices = parseNotices(JSON.stringify({ kind: "turn", conversationSids: sids }), self);
    expect(notices).toHaveLength(50_000);
  });
});
