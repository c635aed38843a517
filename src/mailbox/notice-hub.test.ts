import { describe, expect, it } from "vitest";
import type { WorkNotice } from "./mailbox-store.js";
import { createNoticeHub } from "./notice-hub.js";

const turn = (conversationSid: string): WorkNotice =>
  ({ kind: "turn", conversationSid }) as unknown as WorkNotice;

describe("createNoticeHub emitLater", () => {
  it("emits every delayed notice, none before its delay, those asked together at once", async () => {
    const hub = createNoticeHub();
    // Notices emitted by one timer arrive within one task: numbered by task.
    const emitted: { notice: WorkNotice; at: number; task: number }[] = [];
    let task = 0;
    let inTask = false;
    hub.onWork((notice) => {
      if (!inTask) {
        inTask = true;
        task += 1;
        queueMicrotask(() => {
          inTask = false;
        });
      }
      emitted.push({ notice, at: performance.now(), task });
    });
    const asked = new Map<WorkNotice, number>();
    const ask = (notice: WorkNotice, delayMs: number) => {
      asked.set(notice, performance.now() + delayMs);
      hub.emitLater(notice, delayMs);
    };
    // One group commit's messages: the same delay, the same moment.
    const batch = ["CH1", "CH2", "CH3"].map(turn);
    for (const notice of batch) ask(notice, 40);
    // Another delay, and a later notice that must not ride an earlier timer.
    const other = turn("CH4");
    ask(other, 20);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const late = turn("CH5");
    ask(late, 40);
    await new Promise((resolve) => setTimeout(resolve, 120));

    expect(emitted.map(({ notice }) => notice)).toHaveLength(5);
    for (const { notice, at } of emitted) expect(at).toBeGreaterThanOrEqual(asked.get(notice) ?? 0);
    const tasks = batch.map((notice) => emitted.find((entry) => entry.notice === notice)?.task);
    expect(new Set(tasks).size).toBe(1);
    expect(new Set(emitted.map((entry) => entry.task)).size).toBe(3);
    hub.clear();
  });

  it("emits nothing after clear", async () => {
    const hub = createNoticeHub();
    const emitted: WorkNotice[] = [];
    hub.onWork((notice) => emitted.push(notice));
    hub.emitLater(turn("CH1"), 10);
    hub.emitLater(turn("CH2"), 10);
    hub.clear();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(emitted).toEqual([]);
  });
});
