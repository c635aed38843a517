/**
 * The web chat widget, served at `GET /webchat.js` (bundled from here into
 * `dist/client/webchat.js`). One `<script src=".../webchat.js">` tag on any page adds a
 * chat bubble at the bottom right: it defines `<switchboard-webchat>` and adds one,
 * copying the script tag's `data-*` settings (`data-title`, `data-subtitle`,
 * `data-greeting`, `data-accent`, `data-open`, `data-theme`, and `data-identity`: the
 * application's `signVisitorIdentity` string, sent once) and pointing it at the
 * script's own origin. A page may also write the element itself, with `data-server`.
 */
import { SwitchboardWebchatElement, webchatTagName } from "./webchat-element.js";

const settings = ["title", "subtitle", "greeting", "accent", "open", "theme", "identity"];

(() => {
  if (!customElements.get(webchatTagName)) {
    customElements.define(webchatTagName, SwitchboardWebchatElement);
  }
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement) || !script.src) return;
  const origin = new URL(script.src, location.href).origin;
  // One widget per switchboard, however many times the script is included.
  const host = window as unknown as { __switchboardWebchat?: Record<string, boolean> };
  host.__switchboardWebchat ??= {};
  const registry = host.__switchboardWebchat;
  if (registry[origin]) return;
  registry[origin] = true;

  const widget = document.createElement(webchatTagName);
  widget.setAttribute("data-server", origin);
  for (const name of settings) {
    const value = script.getAttribute(`data-${name}`);
    if (value !== null) widget.setAttribute(`data-${name}`, value);
  }
  const mount = () => document.body.append(widget);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
