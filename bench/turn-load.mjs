// Shared by the turn benchmarks: starts bench/turn-server.mjs children and sends them signed
// onMessageAdded webhooks, timing each message from just before its POST to the moment the
// server's provider accepted its reply (both read from this machine's clock, Date.now).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { computeTwilioSignature } from "../dist/twilio/webhook/verify-signature.js";

const here = dirname(fileURLToPath(import.meta.url));
export const authToken = "bench-auth-token-0123456789abcdef";

/** Every reply seen by any server, by inbound MessageSid: epoch ms accepted. */
export const replies = new Map();
const sentAt = new Map();
/** Inbound MessageSid → resolves when its reply is seen (closed-loop sends). */
const replyWaiters = new Map();

/** Starts one server; resolves once it listens. */
export function startServer(store, where, { agentMs = 0, sendMs = 0 } = {}) {
  const child = spawn(
    process.execPath,
    [
      "--expose-gc",
      join(here, "turn-server.mjs"),
      store,
      where,
      authToken,
      String(agentMs),
      String(sendMs),
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const waiters = [];
  const metricWaiters = [];
  const queryWaiters = [];
  const claimWaiters = [];
  const server = {
    child,
    port: 0,
    exited: new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal))),
    /** RSS and heap after a full GC, bytes. */
    stats() {
      child.stdin.write("stats\n");
      return new Promise((resolve) => waiters.push(resolve));
    },
    /** Milliseconds one /metrics render took. */
    metrics() {
      child.stdin.write("metrics\n");
      return new Promise((resolve) => metricWaiters.push(resolve));
    },
    /** With BENCH_COUNT_QUERIES=1: replies sent and statements run, by their first words. */
    queries() {
      child.stdin.write("queries\n");
      return new Promise((resolve) => queryWaiters.push(resolve));
    },
    /** Replies sent, and claims made / found empty, for turns and for sends. */
    claims() {
      child.stdin.write("claims\n");
      return new Promise((resolve) => claimWaiters.push(resolve));
    },
    async stop() {
      child.kill("SIGTERM");
      await server.exited;
    },
  };
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    void server.exited.then((signal) => reject(new Error(`turn server exited (${signal})`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const [kind, a, b] = line.split(" ");
      if (kind === "reply") {
        if (!replies.has(a)) replies.set(a, Number(b));
        replyWaiters.get(a)?.();
        replyWaiters.delete(a);
      } else if (kind === "stats")
        waiters.shift()?.({
          rss: Number(a),
          heap: Number(b),
          parts: JSON.parse(line.split(" ").slice(3).join(" ") || "{}"),
        });
      else if (kind === "metrics") metricWaiters.shift()?.(Number(a));
      else if (kind === "claims") claimWaiters.shift()?.(JSON.parse(line.slice(7)));
      else if (kind === "queries") queryWaiters.shift()?.(JSON.parse(line.slice(8)));
      else if (kind === "port") {
        server.port = Number(a);
        resolve(server);
      }
    });
  });
}

let sequence = 0;
const nextIndex = new Map();

/** A conversation SID for number `n`. */
export const conversationSid = (n) => `CH${n.toString(16).padStart(32, "0")}`;

/**
 * Posts the next message of conversation `n` to `port`; resolves with the HTTP status (0 when
 * the connection failed). The message's send time is kept for `latencies`.
 */
export async function sendMessage(port, n, { messageSid, index } = {}) {
  sequence += 1;
  const conversation = conversationSid(n);
  const at = index ?? nextIndex.get(conversation) ?? 0;
  if (index === undefined) nextIndex.set(conversation, at + 1);
  const sid =
    messageSid ??
    `IM${process.pid.toString(16)}${sequence.toString(16).padStart(26, "0")}`.padEnd(34, "0");
  const url = `http://127.0.0.1:${port}/twilio/webhook`;
  const fields = {
    AccountSid: "AC00000000000000000000000000000000",
    ChatServiceSid: "IS00000000000000000000000000000000",
    EventType: "onMessageAdded",
    ConversationSid: conversation,
    MessageSid: sid,
    Index: String(at),
    // One customer per conversation, as in real traffic. (All conversations from one number
    // made every turn read the customer's memory across up to 20 other conversations.)
    Author: `+1555${String(n % 10_000_000).padStart(7, "0")}`,
    Body: "Hi, what are your opening hours?",
    Source: "SMS",
    Attributes: "{}",
    DateCreated: new Date().toISOString(),
    RetryCount: "0",
  };
  if (!sentAt.has(sid)) sentAt.set(sid, Date.now());
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": computeTwilioSignature(authToken, url, fields),
      },
      body: new URLSearchParams(fields).toString(),
    });
    await response.arrayBuffer();
    return { status: response.status, sid, conversation: n, index: at };
  } catch {
    return { status: 0, sid, conversation: n, index: at };
  }
}

/** Waits until every SID in `sids` has a reply, or `timeoutMs` passed; the unanswered. */
export async function drained(sids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = sids.filter((sid) => !replies.has(sid));
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Latency (ms) of each answered SID in `sids`: sorted ascending. */
export function latencies(sids) {
  return sids
    .filter((sid) => replies.has(sid))
    .map((sid) => replies.get(sid) - sentAt.get(sid))
    .sort((a, b) => a - b);
}

/** The q-quantile of sorted numbers. */
export const quantile = (sorted, q) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Sends `rate` messages per second for `seconds` (open loop: sends do not wait for answers),
 * message i to conversation `pick(i)`. Resolves with the SIDs sent and any non-200s.
 */
export async function openLoop(port, rate, seconds, pick) {
  const total = Math.round(rate * seconds);
  const started = Date.now();
  const sends = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(sendMessage(port, pick(i)));
  }
  const results = await Promise.all(sends);
  return {
    sids: results.map((result) => result.sid),
    refused: results.filter((result) => result.status !== 200).length,
  };
}

/**
 * Closed loop: `count` messages, message i to conversation `pick(i)`, with at most `inFlight`
 * unanswered at a time (each slot sends, then waits for that message's reply, or `timeoutMs`),
 * so the sender never outruns the server and a fill measures a size, not a backlog. Resolves
 * with the SIDs sent, non-200s, and the SIDs whose reply did not come.
 */
export async function closedLoop(port, count, inFlight, pick, timeoutMs = 30_000) {
  const sids = [];
  const missing = [];
  let refused = 0;
  let next = 0;
  const slot = async () => {
    while (next < count) {
      const i = next++;
      const sent = await sendMessage(port, pick(i));
      sids.push(sent.sid);
      if (sent.status !== 200) refused += 1;
      if (replies.has(sent.sid)) continue;
      const answered = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        replyWaiters.set(sent.sid, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!answered) {
        replyWaiters.delete(sent.sid);
        missing.push(sent.sid);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, slot));
  return { sids, refused, missing };
}
