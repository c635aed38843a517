import type { InboundMessage, MailboxStore, OutboundReply } from "../../mailbox/mailbox-store.js";

/** A clock tests move by hand, so settle windows, leases and backoff need no sleeping. */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

/** Starts at a fixed instant (2026-01-01T00:00:00Z) so runs are reproducible. */
export function createManualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
  };
}

let sequence = 0;

/** A unique, Twilio-shaped SID with the given two-letter prefix. */
export function fakeSid(prefix: string): string {
  sequence += 1;
  const suffix = `${Date.now().toString(16)}${sequence.toString(16).padStart(8, "0")}`;
  return `${prefix}${suffix.padStart(32, "0").slice(-32)}`;
}

/** A well-formed customer SMS message; override any field. */
export function inboundMessage(overrides: Partial<InboundMessage> = {}): InboundMessage {
  const index = overrides.index ?? 0;
  return {
    conversationSid: "CH00000000000000000000000000000001",
    messageSid: fakeSid("IM"),
    index,
    author: "+15551230001",
    body: `message ${index}`,
    media: [],
    attributes: {},
    channel: "sms",
    source: "SMS",
    dateCreated: Date.UTC(2026, 0, 1) + index,
    receivedAt: Date.UTC(2026, 0, 1) + index,
    role: "customer",
    customerAddress: "+15551230001",
    proxyAddress: "+15017250604",
    ...overrides,
  };
}

/** A one-line text reply. */
export function textReply(body: string): OutboundReply {
  return { body };
}

/** Claims once and completes every lease with one reply naming its messages' indexes. */
export async function answerOnce(store: MailboxStore, workerId = "worker-a"): Promise<number[][]> {
  const leases = await store.claim(workerId, 100, 30_000);
  const turns: number[][] = [];
  for (const lease of leases) {
    const indexes = lease.messages.map((message) => message.index);
    turns.push(indexes);
    await store.complete(lease, [textReply(`answer to ${indexes.join(",")}`)]);
  }
  return turns;
}
