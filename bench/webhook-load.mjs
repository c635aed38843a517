// Shared by bench/ingest.mjs and bench/instances.mjs: distinct, correctly signed onMessageAdded
// webhooks, fired by autocannon at one or more servers at once.
import autocannon from "autocannon";
import { computeTwilioSignature } from "../dist/twilio/webhook/verify-signature.js";

export const benchAuthToken = "bench-auth-token-0123456789abcdef";

/**
 * One counter per group of servers that share a mailbox (the ports of one `measure` call).
 * Servers measured in rotating windows each have their own: with one counter for all, every
 * window's messages skipped the `Index` values the other servers' windows took, so each
 * conversation a server stored had permanent gaps below every message — which a real
 * Conversations service never sends — and the server ran its gap check (and a listing) on
 * every message after the first rotation.
 */
const sequences = new Map();

/**
 * A new message every call (new MessageSid), spread over 500 conversations, each
 * conversation's `Index` contiguous within `group` (default: one group for every call).
 */
export function signedBody(url, group = "") {
  const sequence = (sequences.get(group) ?? 0) + 1;
  sequences.set(group, sequence);
  const id = sequence.toString(16).padStart(32, "0");
  const fields = {
    AccountSid: "AC00000000000000000000000000000000",
    ChatServiceSid: "IS00000000000000000000000000000000",
    EventType: "onMessageAdded",
    ConversationSid: `CH${(sequence % 500).toString(16).padStart(32, "0")}`,
    MessageSid: `IM${id}`,
    Index: String(Math.floor(sequence / 500)),
    Author: "+15551230001",
    Body: "Hi, what are your opening hours?",
    Source: "SMS",
    Attributes: "{}",
    DateCreated: new Date().toISOString(),
    RetryCount: "0",
  };
  return {
    body: new URLSearchParams(fields).toString(),
    signature: computeTwilioSignature(benchAuthToken, url, fields),
  };
}

/**
 * One measurement window: `connections` in total, split evenly over `ports` (one autocannon
 * per server, all at once, as a load balancer would spread them). Returns the sums.
 */
export async function measure(ports, connections, durationSeconds) {
  const share = Math.max(1, Math.round(connections / ports.length));
  const group = ports.join(",");
  const results = await Promise.all(
    ports.map((port) => {
      const url = `http://127.0.0.1:${port}/twilio/webhook`;
      return autocannon({
        url,
        connections: share,
        duration: durationSeconds,
        requests: [
          {
            method: "POST",
            setupRequest: (request) => {
              const { body, signature } = signedBody(url, group);
              return {
                ...request,
                body,
                headers: {
                  "content-type": "application/x-www-form-urlencoded",
                  "x-twilio-signature": signature,
                },
              };
            },
          },
        ],
      });
    }),
  );
  return {
    accepted: results.reduce((sum, result) => sum + result["2xx"], 0),
    rejected: results.reduce(
      (sum, result) => sum + result.non2xx + result.errors + result.timeouts,
      0,
    ),
    duration: Math.max(...results.map((result) => result.duration || durationSeconds)),
    latencyP50: Math.max(...results.map((result) => result.latency.p50)),
    latencyP99: Math.max(...results.map((result) => result.latency.p99)),
  };
}
