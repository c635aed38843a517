import { describe, expect, it } from "vitest";
import { type MailboxStore, maxPublishBytes } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import {
  createLiveFanOut,
  type LiveEvent,
  liveEventsChannel,
  parseLiveEvents,
} from "./live-events.js";
import { SwitchboardEvents } from "./switchboard-events.js";

/**
 * A publish/subscribe bus in memory standing for the shared database: what every instance's
 * mailbox would deliver. `failNext` makes the next publications reject (a lost database).
 */
function memoryBus() {
  const listeners = new Map<string, Set<(payload: string) => void>>();
  const published: string[] = [];
  let failNext = 0;
  const store = () =>
    ({
      async publish(channel: string, payload: string) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (failNext > 0) {
          failNext -= 1;
          throw new Error("database unreachable");
        }
        published.push(payload);
        for (const listener of listeners.get(channel) ?? []) listener(payload);
      },
      subscribe(channel: string, listener: (payload: string) => void) {
        const set = listeners.get(channel) ?? new Set();
        listeners.set(channel, set);
        set.add(listener);
        return () => set.delete(listener);
      },
    }) as unknown as MailboxStore;
  return {
    store,
    published,
    failPublications(count: number) {
      failNext = count;
    },
    deliverRaw(payload: string) {
      for (const listener of listeners.get(liveEventsChannel) ?? []) listener(payload);
    },
  };
}

const quiet: TwilioLogger = { debug() {}, info() {}, warn() {}, error() {} };
const conversationSid = `CH${"a".repeat(32)}`;

describe("live fan-out", () => {
  it("carries one instance's events to another, in order, packed under the size limit", async () => {
    const bus = memoryBus();
    const [eventsA, eventsB] = [new SwitchboardEvents(), new SwitchboardEvents()];
    const a = createLiveFanOut({
      mailbox: bus.store(),
      events: eventsA,
      instance: "a",
      logger: quiet,
    });
    const b = createLiveFanOut({
      mailbox: bus.store(),
      events: eventsB,
      instance: "b",
      logger: quiet,
    });
    const seenOnB: LiveEvent[] = [];
    b.subscribe((event) => seenOnB.push(event));

    for (let n = 0; n < 300; n++)
      eventsA.emit("message.ingested", {
        conversationSid,
        messageSid: `IM${String(n).padStart(32, "0")}`,
        role: "customer",
        via: "webhook",
      });
    // A long error text is cut, not dropped.
    eventsA.emit("dead-letter", { conversationSid, turnId: "IMx", reason: "x".repeat(50_000) });
    // Events not meant for screens stay local.
    eventsA.emit("error", { where: "test", error: new Error("local only") });
    await a.close();

    expect(seenOnB).toHaveLength(301);
    expect(
      seenOnB.slice(0, 300).map((event) => (event.event as { messageSid: string }).messageSid),
    ).toEqual(Array.from({ length: 300 }, (_, n) => `IM${String(n).padStart(32, "0")}`));
    expect(seenOnB.every((event) => event.instance === "a")).toBe(true);
    const deadLetter = seenOnB[300]!;
    expect(deadLetter.name).toBe("dead-letter");
    expect((deadLetter.event as { reason: string }).reason.length).toBeLessThan(1000);
    // Packed: far fewer publications than events, each within the limit.
    expect(bus.published.length).toBeLessThan(60);
    for (const payload of bus.published)
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(maxPublishBytes);
    await b.close();
  });

  it("keeps going after a failed publication (those events are lost, later ones arrive)", async () => {
    const bus = memoryBus();
    const events = new SwitchboardEvents();
    const fanOut = createLiveFanOut({ mailbox: bus.store(), events, instance: "a", logger: quiet });
    const seen: LiveEvent[] = [];
    fanOut.subscribe((event) => seen.push(event));
    bus.failPublications(1);
    events.emit("typing", { conversationSid, on: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    events.emit("typing", { conversationSid, on: false });
    await fanOut.close();
    expect(seen.map((event) => event.event)).toEqual([{ conversationSid, on: false }]);
  });

  it("delivers locally when the mailbox has no publish/subscribe (SQLite)", async () => {
    const events = new SwitchboardEvents();
    const fanOut = createLiveFanOut({
      mailbox: {} as MailboxStore,
      events,
      instance: "solo",
      logger: quiet,
    });
    const seen: LiveEvent[] = [];
    const unsubscribe = fanOut.subscribe((event) => seen.push(event));
    fanOut.subscribe(() => {
      throw new Error("a face's bug");
    });
    events.emit("handoff.released", { conversationSid });
    unsubscribe();
    events.emit("handoff.released", { conversationSid });
    expect(seen).toEqual([
      { name: "handoff.released", event: { conversationSid }, instance: "solo" },
    ]);
    await fanOut.close();
  });

  it("drops malformed and forged publications", async () => {
    const bus = memoryBus();
    const fanOut = createLiveFanOut({
      mailbox: bus.store(),
      events: new SwitchboardEvents(),
      instance: "a",
      logger: quiet,
    });
    const seen: LiveEvent[] = [];
    fanOut.subscribe((event) => seen.push(event));
    const valid = { name: "typing", event: { conversationSid, on: true }, instance: "b" };
    for (const payload of [
      "not json",
      "{}",
      JSON.stringify(valid),
      JSON.stringify([{ ...valid, name: "error" }]),
      JSON.stringify([{ ...valid, name: "__proto__" }]),
      JSON.stringify([{ ...valid, instance: 7 }]),
      JSON.stringify([{ ...valid, event: null }]),
      JSON.stringify([{ ...valid, event: { on: true } }]),
      JSON.stringify([null, 1, "x"]),
    ])
      bus.deliverRaw(payload);
    expect(seen).toEqual([]);
    bus.deliverRaw(
      JSON.stringify([
        valid,
        { ...valid, name: "catch-up", event: { conversations: 1, ingested: 2 } },
      ]),
    );
    expect(seen.map((event) => event.name)).toEqual(["typing", "catch-up"]);
    expect(parseLiveEvents("[")).toEqual([]);
    await fanOut.close();
  });
});
