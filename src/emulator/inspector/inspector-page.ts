import { createHash } from "node:crypto";
import { readClientBundle } from "../../read-client-bundle.js";
import { inspectorStyle } from "./inspector-page-style.js";

export interface InspectorPageOptions {
  /** Where the inspector is mounted; `state` and `stream` live under it. Default `/_emulator`. */
  basePath?: string;
  /** Polling interval when the SSE stream is unavailable, in milliseconds. Default 2000. */
  pollMs?: number;
}

export interface InspectorPage {
  html: string;
  /**
   * A Content-Security-Policy that lets only this page's own inline script and style run
   * (by hash) and connect back to the emulator: a second wall behind the page's escaping,
   * since message bodies are untrusted.
   */
  contentSecurityPolicy: string;
  /** The script's source map, served at `{base}/inspector.js.map`. */
  sourceMap: string;
}

const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/**
 * Builds the self-contained inspector page: inline CSS, and the bundled script
 * (`dist/client/inspector.js`, built from `client/`) inlined under its hash. Throws when
 * the bundle has not been built.
 */
export function renderInspectorPage(options: InspectorPageOptions = {}): InspectorPage {
  // Relative to the page (`{base}/`), so the map follows the inspector wherever it is mounted.
  const bundle = readClientBundle("inspector", "inspector.js.map");
  const basePath = (options.basePath ?? "/_emulator").replace(/\/+$/, "");
  const pollMs = options.pollMs ?? 2000;
  // JSON inside <script> must not be able to close the element.
  const config = JSON.stringify({ basePath, pollMs }).replaceAll("<", "\\u003c");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>switchboard emulator · inspector</title>
<link rel="icon" href="data:,">
<style>${inspectorStyle}</style>
</head>
<body>
<header class="top">
  <div class="brand"><span class="mark"></span>switchboard <span class="sub">emulator inspector</span></div>
  <dl class="ids">
    <div><dt>Account</dt><dd id="account-sid">—</dd></div>
    <div><dt>Service</dt><dd id="service-sid">—</dd></div>
    <div><dt>SMS number</dt><dd id="sms-number">—</dd></div>
    <div><dt>WhatsApp sender</dt><dd id="whatsapp-number">—</dd></div>
  </dl>
  <span id="live" class="live">Connecting</span>
</header>
<main class="grid">
  <section class="panel">
    <header><h2>Conversations</h2><span class="count" id="conversation-count">0</span></header>
    <div class="scroll" id="conversations"><div class="empty">Loading…</div></div>
  </section>
  <section class="panel" id="detail"><div class="placeholder">Loading…</div></section>
  <div class="column">
    <section class="panel grow">
      <header><h2>Device inboxes</h2><span class="count" id="device-count">0</span></header>
      <div class="scroll" id="devices"></div>
    </section>
    <section class="panel grow">
      <header><h2>Webhook log</h2><span class="count" id="webhook-count">0</span></header>
      <div class="scroll">
        <table>
          <thead><tr><th class="col-time">Time</th><th>Event · URL</th><th class="col-status">Status</th><th class="col-tries num">Tries</th><th class="col-took num">Took</th></tr></thead>
          <tbody id="webhook-rows"></tbody>
        </table>
      </div>
    </section>
  </div>
</main>
<script type="application/json" id="inspector-config">${config}</script>
<script>${bundle.script}</script>
</body>
</html>
`;
  return {
    html,
    sourceMap: bundle.map,
    contentSecurityPolicy: [
      "default-src 'none'",
      `script-src ${bundle.hash}`,
      `style-src ${hash(inspectorStyle)}`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
  };
}
