// What a forged webhook costs the server, beside /healthz in the same run.
// Usage: npm run build && node bench/forged-webhook.mjs [rounds]
// Server-side time is measured from the request reaching the router to its response
// finishing. Client and server share this process (the client is a raw socket writer), so
// the "during a flood" figure includes the client's own writing of 5 × 0.8 MB; compare it
// with the /healthz line above, measured the same way in the same run. Figures on a busy
// machine are noisy: read the medians.
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { createRouter, listenHttp } from "../dist/http/index.js";
import { createNodeWebhookHandler } from "../dist/twilio/webhook/handlers/node-handler.js";

const rounds = Number(process.argv[2] ?? 50);
const timings = new Map();
const record = (label, ms) => {
  if (!timings.has(label)) timings.set(label, []);
  timings.get(label).push(ms);
};

const webhook = createNodeWebhookHandler({ authToken: "bench-token", env: {}, onEvent: () => {} });
const timed = (label, handler) => (request, response) => {
  const started = performance.now();
  response.on("finish", () => record(label(request), performance.now() - started));
  return handler(request, response);
};
const server = await listenHttp(
  timed(
    (request) => request.headers["x-bench"] ?? "healthz",
    createRouter({
      webhook: { path: "/twilio/webhook", handler: webhook },
      health: () => ({ ok: true }),
    }),
  ),
);
const { port } = server;

/** Sends a whole request on a fresh socket and resolves when the status line arrives. */
function send(head, body) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => resolve());
    socket.once("data", () => {
      socket.destroy();
      resolve();
    });
    socket.write(head);
    if (body !== undefined) socket.write(body, () => {});
  });
}

const bigBody = Array.from({ length: 120_000 }, (_, index) => `k${index}=v`).join("&"); // ~0.8 MB
const manyKeys = Array.from({ length: 5_000 }, (_, index) => `k${index}=v`).join("&"); // ~40 KB
const post = (label, body, signature) =>
  `POST /twilio/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bench: ${label}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${signature === undefined ? "" : `X-Twilio-Signature: ${signature}\r\n`}Connection: close\r\n\r\n`;
const digestShaped = `${"A".repeat(27)}=`;

for (let round = 0; round < rounds; round += 1) {
  await send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  await send(post("unsigned 0.8 MB, 120k keys", bigBody), bigBody);
  await send(post("digest-shaped 0.8 MB, 120k keys", bigBody, digestShaped), bigBody);
  await send(post("digest-shaped 40 KB, 5k keys", manyKeys, digestShaped), manyKeys);
  await send(
    post("forged signature, small body", "EventType=onMessageAdded", digestShaped),
    "EventType=onMessageAdded",
  );
}

// /healthz while forged uploads arrive at the same time.
const during = [];
for (let round = 0; round < rounds; round += 1) {
  const flood = Array.from({ length: 5 }, () => send(post("flood", bigBody), bigBody));
  const started = performance.now();
  await send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  during.push(performance.now() - started);
  await Promise.all(flood);
}
await server.close();

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
console.log(`forged webhooks vs /healthz, ${rounds} rounds, server-side ms (median / p95 / max)`);
for (const [label, values] of timings) {
  if (label === "flood") continue;
  console.log(
    `  ${label.padEnd(36)} ${quantile(values, 0.5).toFixed(3)} / ${quantile(values, 0.95).toFixed(3)} / ${Math.max(...values).toFixed(3)}`,
  );
}
console.log(
  `  /healthz round trip during a 5-upload flood (client ms) ${quantile(during, 0.5).toFixed(3)} / ${quantile(during, 0.95).toFixed(3)}`,
);
