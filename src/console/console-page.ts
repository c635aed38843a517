import { createHash } from "node:crypto";
import { readClientBundle } from "../read-client-bundle.js";
import { consoleStyle } from "./console-page-style.js";
import { faviconDataUrl } from "./favicon.js";

/** The console page and the Content-Security-Policy to serve it with. */
export interface ConsolePage {
  html: string;
  /**
   * Lets only this page's own inline script and style run (by hash) and connect only back
   * to the console: a second wall behind the page's escaping, since every message body
   * and customer address it shows is untrusted.
   */
  contentSecurityPolicy: string;
  /** The script's source map (served at `consoleSourceMapPath`, for the browser's tools). */
  sourceMap: string;
}

const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Where the console serves its script's source map. */
export const consoleSourceMapPath = "/console.js.map";

/**
 * Builds the self-contained console page: inline CSS, and the bundled script
 * (`dist/client/console.js`, built from `src/console/client/`) inlined under its hash.
 * Throws when the bundle has not been built.
 */
export function renderConsolePage(): ConsolePage {
  const bundle = readClientBundle("console", consoleSourceMapPath);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>switchboard console</title>
<link rel="icon" type="image/svg+xml" href="${faviconDataUrl}">
<style>${consoleStyle}</style>
</head>
<body>
<a class="skip-link" href="#transcript">Skip to the conversation</a>
<header class="top">
  <div class="brand"><span class="mark"></span>switchboard <span class="sub">console</span></div>
  <span class="mode" id="mode">…</span>
  <dl class="ids">
    <div><dt>SMS number</dt><dd id="sms-number">—</dd></div>
    <div><dt>WhatsApp sender</dt><dd id="whatsapp-number">—</dd></div>
  </dl>
  <div class="top-right">
    <a class="inspector" id="inspector-link" target="_blank" rel="noopener noreferrer" hidden>Emulator inspector ↗</a>
    <span id="live" class="live" role="status">Connecting</span>
  </div>
</header>
<main class="grid">
  <section class="panel" aria-labelledby="conversations-title">
    <header><h2 id="conversations-title">Conversations</h2><span class="count" id="conversation-count">0</span></header>
    <div class="filters">
      <input type="search" id="search" placeholder="Search customers and messages" aria-label="Search conversations" autocomplete="off" spellcheck="false">
      <select id="list-order" aria-label="Order"><option value="activity">Newest activity</option><option value="waiting">Longest waiting</option></select>
      <label class="waiting-toggle"><input type="checkbox" id="waiting-only">Waiting for a person <span class="count attention" id="waiting-count"></span></label>
    </div>
    <ul class="scroll conversation-list" id="conversations" aria-labelledby="conversations-title"><li class="empty">Loading…</li></ul>
    <details class="refused" id="refused" hidden>
      <summary>Refused messages <span class="count attention" id="refused-count"></span></summary>
      <p class="note">Sent by a customer and signed by Twilio, but they can never be stored (too large or malformed), so the agent never saw them. Reach the customer another way.</p>
      <ul class="refused-list" id="refused-list"></ul>
    </details>
  </section>
  <section class="panel" id="transcript" aria-label="Transcript" tabindex="-1">
    <div class="placeholder"><strong>No conversation selected</strong>Pick a conversation, or write as a customer (Be a customer) to start one.</div>
  </section>
  <section class="panel" aria-labelledby="customer-title">
    <header><h2 id="customer-title">Be a customer</h2></header>
    <form class="customer-form" id="customer-form">
      <fieldset class="field">
        <legend>Channel</legend>
        <div class="tabs">
          <label><input type="radio" name="channel" value="sms" checked>SMS</label>
          <label><input type="radio" name="channel" value="whatsapp">WhatsApp</label>
          <label><input type="radio" name="channel" value="chat">Web chat</label>
        </div>
      </fieldset>
      <label class="field"><span id="from-label">From (your test phone number)</span>
        <span class="from-row"><input type="text" id="customer-from" class="mono" autocomplete="off" spellcheck="false" aria-labelledby="from-label">
        <button type="button" class="button" id="new-customer" title="Use a new random customer">New</button></span>
      </label>
      <label class="field"><span>Message</span>
        <textarea id="customer-text" maxlength="2000" placeholder="Ask the agent something…"></textarea>
      </label>
      <div class="suggestions" id="suggestions">
        <button type="button" class="chip">What are your opening hours?</button>
        <button type="button" class="chip">How do I return an item?</button>
        <button type="button" class="chip">Can I talk to a person?</button>
      </div>
      <button type="submit" class="button primary" id="customer-send">Send as customer</button>
      <p class="status-line" id="customer-status" role="status"></p>
      <p class="note" id="customer-note">Your message travels like a real customer's: through the emulator, a signed webhook and the mailbox to the agent.</p>
    </form>
  </section>
</main>
<div class="gate" id="gate" hidden>
  <form id="gate-form">
    <h2>This console is protected</h2>
    <p>Paste the console token printed in the server's log when it started.</p>
    <input type="text" id="gate-token" class="mono" autocomplete="off" spellcheck="false" aria-label="Console token">
    <p class="status-line error" id="gate-status" role="status"></p>
    <button type="submit" class="button primary">Open the console</button>
  </form>
</div>
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
      `style-src ${hashOf(consoleStyle)}`,
      "connect-src 'self'",
      // blob: — attachments the page fetched with the token (see media-view.ts).
      "img-src 'self' data: blob:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
  };
}
