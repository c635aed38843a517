import { describe, expect, it } from "vitest";
import { abortableSleep, createInProcessPacer } from "./request-pacer.js";
import { pacingOf } from "./resilient-request-client.js";

/** A clock that only moves when the pacer sleeps, so waits are exact and instant. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: async (milliseconds: number) => {
      sleeps.push(milliseconds);
      now += milliseconds;
    },
    advance: (milliseconds: number) => {
      now += milliseconds;
    },
  };
}

describe("createInProcessPacer", () => {
  it("lets 30 actions per second through per conversation, then waits for the window", async () => {
    const time = fakeTime();
    const pacer = createInProcessPacer({ now: time.now, sleep: time.sleep });
    for (let index = 0; index < 30; index += 1)
      await pacer.acquire({ scope: "conversation", key: "CH1" });
    expect(time.sleeps).toEqual([]);
    // Another conversation has its own window.
    await pacer.acquire({ scope: "conversation", key: "CH2" });
    expect(time.sleeps).toEqual([]);

    time.advance(400);
    await pacer.acquire({ scope: "conversation", key: "CH1" });
    // The oldest of the 30 leaves the one-second window 600 ms later.
    expect(time.sleeps).toEqual([600]);
  });

  it("has no sender budget unless one is configured", async () => {
    const time = fakeTime();
    const unlimited = createInProcessPacer({ now: time.now, sleep: time.sleep });
    for (let index = 0; index < 100; index += 1)
      await unlimited.acquire({ scope: "sender", key: "+1555" });
    expect(time.sleeps).toEqual([]);

    const budgeted = createInProcessPacer({
      senderMessagesPerSecond: 1,
      now: time.now,
      sleep: time.sleep,
    });
    await budgeted.acquire({ scope: "sender", key: "+1555" });
    await budgeted.acquire({ scope: "sender", key: "+1555" });
    expect(time.sleeps).toEqual([1000]);
  });

  it("paces conversation creates per service", async () => {
    const time = fakeTime();
    const pacer = createInProcessPacer({
      serviceActionsPerSecond: 2,
      now: time.now,
      sleep: time.sleep,
    });
    for (let index = 0; index < 3; index += 1)
      await pacer.acquire({ scope: "service", key: "IS1" });
    expect(time.sleeps).toEqual([1000]);
  });

  it("stops waiting when the signal aborts, and rejects bad limits", async () => {
    const pacer = createInProcessPacer({ conversationActionsPerSecond: 1 });
    await pacer.acquire({ scope: "conversation", key: "CH1" });
    const controller = new AbortController();
    const waiting = pacer.acquire({ scope: "conversation", key: "CH1" }, controller.signal);
    controller.abort(new Error("gave up"));
    await expect(waiting).rejects.toThrow("gave up");
    expect(() => createInProcessPacer({ conversationActionsPerSecond: -1 })).toThrow(RangeError);
    await expect(abortableSleep(10, AbortSignal.abort(new Error("already")))).rejects.toThrow(
      "already",
    );
  });
});

describe("pacingOf", () => {
  const base = "https://conversations.twilio.com/v1/Services/IS1";
  it("classifies writes by the limit they count against", () => {
    expect(pacingOf("POST", `${base}/Conversations`)).toEqual({ scope: "service", key: "IS1" });
    expect(pacingOf("DELETE", `${base}/Conversations/CH1`)).toEqual({
      scope: "service",
      key: "IS1",
    });
    expect(pacingOf("POST", `${base}/Conversations/CH1`)).toEqual({
      scope: "conversation",
      key: "CH1",
    });
    expect(pacingOf("POST", `${base}/Conversations/CH1/Messages`)).toEqual({
      scope: "conversation",
      key: "CH1",
    });
    expect(pacingOf("DELETE", `${base}/Conversations/CH1/Participants/MB1`)).toEqual({
      scope: "conversation",
      key: "CH1",
    });
    expect(pacingOf("POST", `${base}/Conversations/my%20name/Messages`)).toEqual({
      scope: "conversation",
      key: "my name",
    });
  });

  it("leaves reads, media uploads and unreadable URLs unpaced", () => {
    expect(pacingOf("GET", `${base}/Conversations/CH1/Messages`)).toBeUndefined();
    expect(pacingOf("POST", "https://mcs.us1.twilio.com/v1/Services/IS1/Media")).toBeUndefined();
    expect(pacingOf("POST", "not a url")).toBeUndefined();
  });
});
