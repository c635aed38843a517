// Probes every door of a live `switchboard serve` on loopback, the way an attacker (or a
// broken client) would, and prints one table: probe, count, outcome (statuses seen), time.
// Usage: npm run build && node bench/probe-doors.mjs
// It starts an emulator in this process and `serve` as a child process on SQLite in a temp
// folder (nothing leaves the machine), then runs the probes one after another. Counts are
// small on purpose: this checks outcomes, not throughput (see forged-webhook.mjs for cost).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../dist/emulator/index.js";
import { computeTwilioSignature } from "../dist/twilio/webhook/verify-signature.js";
import { signedWebhookRequest } from "../dist/twilio/webhook/webhook-fixtures.js";

const cli = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const emulator = await startEmulator({ webhookRetries: 0 });
const folder = mkdtempSync(join(tmpdir(), "switchboard-probe-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const consoleToken = randomBytes(24).toString("base64url");
const metricsToken = randomBytes(24).toString("base64url");
const child = spawn(
  process.execPath,
  [cli, "serve", "--port", String(port), "--host", "127.0.0.1"],
  {
    cwd: folder,
    env: {
      PATH: process.env.PATH,
      TWILIO_ACCOUNT_SID: emulator.accountSid,
      TWILIO_AUTH_TOKEN: emulator.authToken,
      TWILIO_CONVERSATIONS_SERVICE_SID: emulator.serviceSid,
      SWITCHBOARD_TWILIO_EMULATOR_URL: emulator.url,
      SWITCHBOARD_PUBLIC_URL: base,
      SWITCHBOARD_CONSOLE_TOKEN: consoleToken,
      SWITCHBOARD_METRICS_TOKEN: metricsToken,
      LOG_LEVEL: "error",
    },
    stdio: ["ignore", "pipe", "pipe"],
  },
);
let printed = "";
child.stdout.on("data", (chunk) => (printed += chunk));
child.stderr.on("data", (chunk) => (printed += chunk));
for (let waited = 0; !/Press Ctrl\+C/.test(printed); waited += 50) {
  if (waited > 20_000 || child.exitCode !== null)
    throw new Error(`serve did not start:\n${printed}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const webhookUrl = `${base}/twilio/webhook`;

const rows = [];
/** Runs `count` attempts of `attempt` (each resolves to a status) and records the outcome. */
async function probe(name, count, attempt, expected) {
  const statuses = new Map();
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const status = await attempt(index);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  const ms = performance.now() - started;
  const outcome = [...statuses].map(([status, n]) => `${n}×${status}`).join(" ");
  rows.push({ name, count, outcome, ms, ok: expected(statuses) });
}
const status = async (response) => {
  await response.body?.cancel().catch(() => {});
  return response.status;
};
const consoleHeaders = { authorization: `Bearer ${consoleToken}` };
const postJson = (path, body, headers = {}) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const only = (code) => (statuses) => statuses.size === 1 && statuses.has(code);
const atLeast = (code, n) => (statuses) => (statuses.get(code) ?? 0) >= n;

// ---- webhook ------------------------------------------------------------------------
const service = emulator.twilioClient().conversations.v1.services(emulator.serviceSid);
const conversation = await service.conversations.create({});
await service.conversations(conversation.sid).participants.create({
  "messagingBinding.address": "+15556109911",
  "messagingBinding.proxyAddress": emulator.numbers.sms,
});
const message = await service
  .conversations(conversation.sid)
  .messages.create({ author: "+15556109911", body: "hello" });
const messageFields = {
  AccountSid: emulator.accountSid,
  ChatServiceSid: emulator.serviceSid,
  ConversationSid: conversation.sid,
  MessageSid: message.sid,
  Index: String(message.index),
  Author: "+15556109911",
  Body: "hello",
  Source: "SMS",
  DateCreated: message.dateCreated.toISOString(),
};
const sendSigned = (fields, authToken = emulator.authToken) => {
  const request = signedWebhookRequest({ url: webhookUrl, authToken, fields });
  return fetch(request.url, request).then(status);
};

await probe(
  "forged webhook (wrong key)",
  200,
  () => sendSigned(messageFields, "not-the-auth-token-0000"),
  only(403),
);
const bigBody = Array.from({ length: 120_000 }, (_, index) => `k${index}=v`).join("&");
await probe(
  "unsigned 0.8 MB, 120k-key webhook",
  20,
  () =>
    fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: bigBody,
    }).then(status, () => "reset"),
  (statuses) => [...statuses.keys()].every((code) => code === 403 || code === "reset"),
);
const oversized = { ...messageFields, Body: "x".repeat(70_000) };
await probe(
  "signed but over 64 KB webhook",
  10,
  () =>
    fetch(webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": computeTwilioSignature(emulator.authToken, webhookUrl, oversized),
      },
      body: new URLSearchParams(oversized).toString(),
    }).then(status, () => "reset"),
  (statuses) => [...statuses.keys()].every((code) => code === 413 || code === "reset"),
);
const unstorable = {
  ...messageFields,
  Attributes: JSON.stringify({ note: "a".repeat(17_000) }),
};
await probe(
  "signed, never storable (17 KB attributes)",
  5,
  () => sendSigned(unstorable),
  only(422),
);
const refusedList = await fetch(`${base}/api/refused-messages`, { headers: consoleHeaders });
const refused = (await refusedList.json()).messages;
await probe(
  "  …listed in the console's refused messages",
  1,
  async () => (refused.length === 1 && refused[0].messageSid === message.sid ? 200 : "missing"),
  only(200),
);
await probe(
  "signed, well-formed webhook (control)",
  3,
  () => sendSigned({ ...messageFields, MessageSid: `IM${randomBytes(16).toString("hex")}` }),
  only(200),
);

// ---- console ------------------------------------------------------------------------
await probe(
  "console stream with ?token= (no ticket)",
  10,
  () => fetch(`${base}/api/stream?token=${consoleToken}`).then(status),
  only(401),
);
const ticketAnswer = await postJson("/api/stream-ticket", {}, consoleHeaders);
const { ticket } = await ticketAnswer.json();
const held = new AbortController();
await probe(
  "console stream ticket reuse",
  10,
  () => fetch(`${base}/api/stream?ticket=${ticket}`, { signal: held.signal }).then((r) => r.status),
  (statuses) => statuses.get(200) === 1 && statuses.get(401) === 9,
);
held.abort();
// Last of the console probes: it throttles this client, the right token included, for a minute.
await probe(
  "console token guessing",
  30,
  (index) =>
    fetch(`${base}/api/info`, { headers: { authorization: `Bearer guess-${index}` } }).then(status),
  (statuses) => (statuses.get(401) ?? 0) <= 10 && atLeast(429, 20)(statuses),
);
await probe(
  "/metrics without its token",
  10,
  () => fetch(`${base}/metrics`).then(status),
  only(401),
);

// ---- web chat -----------------------------------------------------------------------
await probe(
  "web chat session flood (one client)",
  40,
  () => postJson("/webchat/session", {}).then(status),
  (statuses) => atLeast(429, 1)(statuses),
);
// The session budget refills over a minute; wait for a fresh visitor's session.
let visitor;
for (let waited = 0; visitor === undefined; waited += 1000) {
  const answer = await postJson("/webchat/session", {});
  if (answer.status === 201) visitor = await answer.json();
  else await answer.body?.cancel();
  if (waited > 70_000) throw new Error("no web chat session after the flood");
  if (visitor === undefined) await new Promise((resolve) => setTimeout(resolve, 1000));
}
const bearer = { authorization: `Bearer ${visitor.token}` };
await probe(
  "web chat stream with the visitor token in the URL",
  10,
  () => fetch(`${base}/webchat/stream?token=${visitor.token}`).then(status),
  only(401),
);
const opened = [];
await probe(
  "web chat stream flood (one visitor)",
  20,
  async () => {
    const issued = await postJson("/webchat/stream-ticket", {}, bearer);
    if (issued.status !== 201) return status(issued);
    const { ticket: one } = await issued.json();
    const controller = new AbortController();
    opened.push(controller);
    return fetch(`${base}/webchat/stream?ticket=${one}`, { signal: controller.signal }).then(
      (r) => r.status,
    );
  },
  atLeast(429, 1),
);
for (const controller of opened) controller.abort();
await probe(
  "forged stream tickets",
  20,
  () =>
    fetch(`${base}/webchat/stream?ticket=${randomBytes(24).toString("base64url")}`).then(status),
  only(401),
);
const revoke = await postJson(`/api/visitors/${visitor.identity}/revoke`, {}, consoleHeaders);
await revoke.body?.cancel();
await probe(
  "revoked visitor keeps writing",
  10,
  () => postJson("/webchat/messages", { text: "still here?" }, bearer).then(status),
  only(401),
);

// /healthz still answers after all of the above.
await probe("/healthz afterwards", 5, () => fetch(`${base}/healthz`).then(status), only(200));

child.kill("SIGTERM");
await new Promise((resolve) => child.once("exit", resolve));
await emulator.close();
rmSync(folder, { recursive: true, force: true });

const width = Math.max(...rows.map((row) => row.name.length));
console.log(`${"probe".padEnd(width)}  count  outcome                 time      as expected`);
for (const row of rows)
  console.log(
    `${row.name.padEnd(width)}  ${String(row.count).padStart(5)}  ${row.outcome.padEnd(22)}  ${`${row.ms.toFixed(0)} ms`.padStart(8)}  ${row.ok ? "yes" : "NO"}`,
  );
process.exitCode = rows.every((row) => row.ok) ? 0 : 1;
