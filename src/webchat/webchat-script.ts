/**
 * The web chat widget, served at `GET /webchat.js`. One `<script src=".../webchat.js">`
 * tag on any page adds a chat bubble at the bottom right.
 *
 * Self-contained on purpose: no framework, no external assets, everything inside an open
 * shadow root so the host page's CSS cannot restyle it (and its CSS cannot leak out). It
 * finds the switchboard from its own `src`, keeps the visitor token in `localStorage`
 * under that origin's key, sends with `fetch` (no cookies) and listens with `EventSource`,
 * resuming from the last message index after any disconnect. Every piece of text goes in
 * through `textContent`; links are made only for http(s) media URLs.
 *
 * Optional attributes on the script tag: `data-title`, `data-subtitle`, `data-greeting`,
 * `data-accent` (a hex colour), `data-open="true"` (open on load).
 */
export const webchatScript = String.raw`(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src, location.href).origin;
  var registry = (window.__switchboardWebchat = window.__switchboardWebchat || {});
  if (registry[origin]) return;
  registry[origin] = true;

  function attribute(name, fallback) {
    var value = script.getAttribute("data-" + name);
    return value && value.trim() ? value.trim() : fallback;
  }
  var title = attribute("title", "Chat with us");
  var subtitle = attribute("subtitle", "We typically reply in a few seconds");
  var greeting = attribute("greeting", "Hi there! Ask us anything and we will get right back to you.");
  var accent = attribute("accent", "#4c6ef5");
  if (!/^#[0-9a-fA-F]{3,8}$/.test(accent)) accent = "#4c6ef5";
  var storageKey = "switchboard-webchat:" + origin;

  var state = {
    token: null,
    lastIndex: -1,
    seen: new Set(),
    source: null,
    sessionPromise: null,
    closed: false,
    open: false,
    unread: 0,
    reconnectDelay: 1000,
    reconnectTimer: null,
    typingTimer: null
  };

  function load() {
    try { return localStorage.getItem(storageKey); } catch (error) { return null; }
  }
  function save(token) {
    try {
      if (token) localStorage.setItem(storageKey, token);
      else localStorage.removeItem(storageKey);
    } catch (error) { /* storage may be blocked; the chat still works for this page view */ }
  }
  state.token = load();
  var loadedAt = Date.now();

  // ---- DOM -------------------------------------------------------------------------
  // A custom element name, so host-page rules for div or button never match the host.
  var host = document.createElement("switchboard-webchat");
  var root = host.attachShadow({ mode: "open" });
  var css = [
    ":host { all: initial !important; }",
    "* { box-sizing: border-box; }",
    ".sbw { --accent: " + accent + "; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; color: #1b1f24; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 58px; height: 58px; border-radius: 50%; border: 0; cursor: pointer; background: var(--accent); color: #fff; box-shadow: 0 8px 24px rgba(16,24,40,.22), 0 2px 6px rgba(16,24,40,.12); display: flex; align-items: center; justify-content: center; transition: transform .15s ease; }",
    ".launcher:hover { transform: scale(1.06); }",
    ".launcher:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid rgba(76,110,245,.45); outline-offset: 2px; }",
    ".launcher svg { width: 28px; height: 28px; }",
    ".launcher .icon-close, .launcher[aria-expanded='true'] .icon-chat { display: none; }",
    ".launcher[aria-expanded='true'] .icon-close { display: block; }",
    ".unread { position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; padding: 0 5px; border-radius: 10px; background: #e03131; color: #fff; font-size: 11px; font-weight: 700; line-height: 20px; text-align: center; box-shadow: 0 0 0 2px #fff; }",
    ".unread[hidden] { display: none; }",
    ".panel { position: fixed; right: 20px; bottom: 92px; z-index: 2147483000; width: 372px; height: min(580px, calc(100vh - 120px)); display: flex; flex-direction: column; background: #fff; border-radius: 16px; overflow: hidden; box-shadow: 0 18px 50px rgba(16,24,40,.22), 0 3px 10px rgba(16,24,40,.10); }",
    ".panel[hidden] { display: none; }",
    ".head { background: var(--accent); background-image: linear-gradient(135deg, rgba(255,255,255,.14), rgba(0,0,0,.08)); color: #fff; padding: 16px 16px 14px 18px; display: flex; align-items: flex-start; gap: 12px; }",
    ".head .titles { flex: 1; min-width: 0; }",
    ".head h2 { margin: 0; font-size: 16px; font-weight: 650; letter-spacing: .1px; }",
    ".head p { margin: 3px 0 0; font-size: 12.5px; opacity: .9; display: flex; align-items: center; gap: 6px; }",
    ".dot { width: 8px; height: 8px; border-radius: 50%; background: #8ce99a; box-shadow: 0 0 0 2px rgba(255,255,255,.25); flex: none; }",
    ".dot.offline { background: #ffd43b; }",
    ".close { background: rgba(255,255,255,.16); border: 0; color: #fff; width: 30px; height: 30px; border-radius: 8px; cursor: pointer; font-size: 18px; line-height: 30px; }",
    ".close:hover { background: rgba(255,255,255,.28); }",
    ".log { flex: 1; overflow-y: auto; padding: 16px 14px 8px; background: #f6f7f9; display: flex; flex-direction: column; gap: 8px; }",
    ".greeting { align-self: flex-start; max-width: 85%; background: #fff; border: 1px solid #e8eaee; border-radius: 14px 14px 14px 4px; padding: 9px 12px; color: #344054; }",
    ".msg { display: flex; flex-direction: column; max-width: 82%; }",
    ".msg.visitor { align-self: flex-end; align-items: flex-end; }",
    ".msg.agent, .msg.human { align-self: flex-start; align-items: flex-start; }",
    ".who { font-size: 11.5px; color: #667085; margin: 0 6px 3px; }",
    ".bubble { padding: 9px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".visitor .bubble { background: var(--accent); color: #fff; border-bottom-right-radius: 4px; }",
    ".agent .bubble { background: #fff; border: 1px solid #e8eaee; border-bottom-left-radius: 4px; }",
    ".human .bubble { background: #fff8e6; border: 1px solid #ffe3a3; border-bottom-left-radius: 4px; }",
    ".msg.pending .bubble { opacity: .6; }",
    ".meta { font-size: 11px; color: #98a2b3; margin: 3px 6px 0; }",
    ".media { display: flex; flex-direction: column; gap: 4px; margin-top: 6px; }",
    ".media a, .media span { font-size: 12.5px; color: inherit; text-decoration: underline; }",
    ".typing { align-self: flex-start; background: #fff; border: 1px solid #e8eaee; border-radius: 14px 14px 14px 4px; padding: 11px 14px; display: flex; gap: 4px; }",
    ".typing[hidden] { display: none; }",
    ".typing span { width: 7px; height: 7px; border-radius: 50%; background: #98a2b3; animation: sbw-bounce 1.2s infinite ease-in-out; }",
    ".typing span:nth-child(2) { animation-delay: .15s; } .typing span:nth-child(3) { animation-delay: .3s; }",
    "@keyframes sbw-bounce { 0%, 60%, 100% { transform: translateY(0); opacity: .5; } 30% { transform: translateY(-4px); opacity: 1; } }",
    ".notice { margin: 0 14px 8px; padding: 8px 11px; border-radius: 10px; font-size: 12.5px; background: #fff4d6; color: #7a5200; display: flex; align-items: center; gap: 8px; }",
    ".notice[hidden] { display: none; }",
    ".notice.error { background: #fdecec; color: #a51d1d; }",
    ".notice button { margin-left: auto; border: 0; background: var(--accent); color: #fff; border-radius: 8px; padding: 5px 10px; font: inherit; font-weight: 600; cursor: pointer; white-space: nowrap; }",
    ".composer { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px 12px; border-top: 1px solid #eceef2; background: #fff; }",
    ".composer textarea { flex: 1; resize: none; border: 1px solid #d0d5dd; border-radius: 12px; padding: 9px 12px; font: inherit; color: inherit; max-height: 110px; min-height: 40px; line-height: 1.4; background: #fff; }",
    ".composer textarea:focus { border-color: var(--accent); outline: none; box-shadow: 0 0 0 3px rgba(76,110,245,.15); }",
    ".send { width: 40px; height: 40px; border-radius: 12px; border: 0; background: var(--accent); color: #fff; cursor: pointer; display: flex; align-items: center; justify-content: center; flex: none; }",
    ".send:disabled { opacity: .45; cursor: default; }",
    ".send svg { width: 18px; height: 18px; }",
    ".foot { text-align: center; font-size: 11px; color: #98a2b3; padding: 0 0 8px; background: #fff; }",
    ".sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    "@media (max-width: 480px) { .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; border-radius: 0; } }",
    "@media (prefers-reduced-motion: reduce) { .typing span { animation: none; } .launcher { transition: none; } }"
  ].join("\n");

  var wrapper = document.createElement("div");
  wrapper.className = "sbw";
  // Static markup only: nothing the visitor or the agent writes is ever put in innerHTML.
  wrapper.innerHTML =
    '<section class="panel" role="dialog" aria-modal="false" aria-labelledby="sbw-title" hidden>' +
      '<header class="head"><div class="titles"><h2 id="sbw-title"></h2>' +
      '<p><span class="dot" aria-hidden="true"></span><span class="subtitle"></span></p></div>' +
      '<button type="button" class="close" aria-label="Close chat">\u00d7</button></header>' +
      '<div class="log" role="log" aria-live="polite" aria-label="Conversation">' +
        '<div class="greeting"></div>' +
        '<div class="typing" role="status" aria-label="The agent is typing" hidden><span></span><span></span><span></span></div>' +
      '</div>' +
      '<div class="notice" role="alert" hidden><span class="notice-text"></span></div>' +
      '<form class="composer"><label class="sr" for="sbw-input">Message</label>' +
        '<textarea id="sbw-input" rows="1" maxlength="2000" placeholder="Write a message\u2026" aria-label="Message"></textarea>' +
        '<button type="submit" class="send" aria-label="Send message">' +
          '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M5 12h14M13 6l6 6-6 6"/></svg>' +
        '</button></form>' +
      '<div class="foot">Powered by switchboard</div>' +
    '</section>' +
    '<button type="button" class="launcher" aria-label="Open chat" aria-expanded="false">' +
      '<svg class="icon-chat" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-5A8 8 0 1 1 21 12z"/></svg>' +
      '<svg class="icon-close" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true"><path d="M6 9l6 6 6-6"/></svg>' +
      '<span class="unread" aria-hidden="true" hidden></span>' +
    '</button>';
  // A constructed stylesheet is not an inline style as far as the host page's
  // Content-Security-Policy is concerned, so the widget keeps its looks on strict pages.
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }
  root.appendChild(wrapper);

  function find(selector) { return wrapper.querySelector(selector); }
  var panel = find(".panel");
  var launcher = find(".launcher");
  var unreadBadge = find(".unread");
  var log = find(".log");
  var typing = find(".typing");
  var notice = find(".notice");
  var noticeText = find(".notice-text");
  var form = find(".composer");
  var input = find("textarea");
  var sendButton = find(".send");
  var dot = find(".dot");
  find("#sbw-title").textContent = title;
  find(".subtitle").textContent = subtitle;
  find(".greeting").textContent = greeting;

  // ---- rendering ---------------------------------------------------------------------
  function timeOf(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // The agent writes Markdown for chat: its **bold** is shown bold, built from text nodes
  // (never parsed as HTML, so a reply cannot inject markup).
  function appendEmphasis(parent, text) {
    var parts = text.split(/\*\*([^*\n]+)\*\*/);
    for (var i = 0; i < parts.length; i += 1) {
      if (parts[i] === "") continue;
      if (i % 2 === 1) {
        var strong = document.createElement("strong");
        strong.textContent = parts[i];
        parent.appendChild(strong);
      } else {
        parent.appendChild(document.createTextNode(parts[i]));
      }
    }
  }

  function buildMessage(message, pending) {
    var role = message.role === "visitor" || message.role === "human" ? message.role : "agent";
    var item = document.createElement("div");
    item.className = "msg " + role + (pending ? " pending" : "");
    if (typeof message.index === "number") item.setAttribute("data-index", String(message.index));
    if (role === "human") {
      var who = document.createElement("div");
      who.className = "who";
      who.textContent = (message.author || "Support") + " \u00b7 team";
      item.appendChild(who);
    }
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    if (role === "visitor") bubble.textContent = message.body || "";
    else appendEmphasis(bubble, message.body || "");
    var media = Array.isArray(message.media) ? message.media : [];
    if (media.length > 0) {
      var list = document.createElement("div");
      list.className = "media";
      media.forEach(function (entry) {
        var label = (entry && (entry.filename || entry.contentType)) || "attachment";
        var url = entry && typeof entry.url === "string" ? entry.url : "";
        var node;
        if (/^https?:\/\//i.test(url)) {
          node = document.createElement("a");
          node.href = url;
          node.target = "_blank";
          node.rel = "noopener noreferrer";
        } else {
          node = document.createElement("span");
        }
        node.textContent = label;
        list.appendChild(node);
      });
      bubble.appendChild(list);
    }
    item.appendChild(bubble);
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = pending ? "Sending\u2026" : timeOf(message.dateCreated);
    item.appendChild(meta);
    return item;
  }

  // Messages are kept in index order whatever order they arrive in; pending ones last.
  function insertMessage(item, index) {
    var nodes = log.querySelectorAll(".msg");
    for (var i = 0; i < nodes.length; i++) {
      var other = nodes[i].getAttribute("data-index");
      if (nodes[i].classList.contains("pending") || (other !== null && Number(other) > index)) {
        log.insertBefore(item, nodes[i]);
        return;
      }
    }
    log.insertBefore(item, typing);
  }

  function addMessage(message) {
    if (!message || typeof message.index !== "number") return;
    if (message.index > state.lastIndex) state.lastIndex = message.index;
    if (state.seen.has(message.index)) {
      // Our own message, already shown as sent: settle its time from the server.
      var mine = log.querySelector('.msg[data-index="' + message.index + '"] .meta');
      if (mine) mine.textContent = timeOf(message.dateCreated);
      return;
    }
    state.seen.add(message.index);
    insertMessage(buildMessage(message, false), message.index);
    if (message.role !== "visitor") {
      setTyping(false);
      // Only what arrives after this page loaded counts as unread, not the old history.
      if (!state.open && Date.parse(message.dateCreated) >= loadedAt) {
        state.unread += 1;
        unreadBadge.textContent = String(state.unread);
        unreadBadge.hidden = false;
        launcher.setAttribute("aria-label", "Open chat, " + state.unread + " unread");
      }
    }
    scrollDown();
  }

  function setTyping(on) {
    clearTimeout(state.typingTimer);
    typing.hidden = !on;
    if (on) {
      log.appendChild(typing);
      scrollDown();
      // A lost "off" must not leave the dots forever.
      state.typingTimer = setTimeout(function () { typing.hidden = true; }, 30000);
    }
  }

  function showNotice(text, kind, action) {
    noticeText.textContent = text;
    notice.className = "notice" + (kind === "error" ? " error" : "");
    var old = notice.querySelector("button");
    if (old) old.remove();
    if (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      notice.appendChild(button);
    }
    notice.hidden = false;
  }
  function hideNotice() { notice.hidden = true; }

  function setClosed(closed) {
    state.closed = closed;
    input.disabled = closed;
    sendButton.disabled = closed;
    if (closed) {
      showNotice("This conversation has ended.", "info", { label: "Start a new chat", run: restart });
    } else if (!notice.classList.contains("error")) {
      hideNotice();
    }
  }

  function setOnline(online) {
    dot.className = online ? "dot" : "dot offline";
  }

  // ---- network -----------------------------------------------------------------------
  function call(method, path, body, token) {
    var headers = { "content-type": "application/json" };
    if (token) headers.authorization = "Bearer " + token;
    return fetch(origin + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      mode: "cors"
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (error) { data = null; }
        return { status: response.status, data: data, retryAfter: Number(response.headers.get("retry-after")) || 0 };
      });
    });
  }

  function session() {
    if (state.sessionPromise) return state.sessionPromise;
    var attempt = function (token) {
      return call("POST", "/webchat/session", token ? { token: token } : {}).then(function (result) {
        if (result.status === 401 && token) {
          // Forged, expired or from a rotated secret: start over as a new visitor.
          save(null);
          return attempt(null);
        }
        if ((result.status !== 200 && result.status !== 201) || !result.data) {
          var error = new Error((result.data && result.data.error && result.data.error.message) || "The chat is unavailable right now.");
          error.retryAfter = result.retryAfter;
          throw error;
        }
        if (!result.data.resumed) resetTranscript();
        state.token = result.data.token;
        save(state.token);
        return result.data;
      });
    };
    state.sessionPromise = attempt(state.token).then(
      function (data) { state.sessionPromise = null; return data; },
      function (error) { state.sessionPromise = null; throw error; }
    );
    return state.sessionPromise;
  }

  function resetTranscript() {
    state.lastIndex = -1;
    state.seen = new Set();
    var nodes = log.querySelectorAll(".msg");
    for (var i = 0; i < nodes.length; i++) nodes[i].remove();
    setTyping(false);
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    if (state.source) state.source.close();
    var source = new EventSource(origin + "/webchat/stream?token=" + encodeURIComponent(state.token) + "&after=" + state.lastIndex);
    state.source = source;
    source.addEventListener("open", function () {
      state.reconnectDelay = 1000;
      setOnline(true);
      if (!state.closed && notice.classList.contains("error")) hideNotice();
    });
    source.addEventListener("message", function (event) {
      try { addMessage(JSON.parse(event.data)); } catch (error) { /* ignore a malformed event */ }
    });
    source.addEventListener("typing", function (event) {
      try { setTyping(Boolean(JSON.parse(event.data).on)); } catch (error) { /* ignore */ }
    });
    source.addEventListener("state", function (event) {
      try { setClosed(Boolean(JSON.parse(event.data).closed)); } catch (error) { /* ignore */ }
    });
    source.addEventListener("error", function () {
      setOnline(false);
      if (source.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
      // Refused outright (expired token, too many tabs, server restart): renew the session
      // and reopen from the last index we hold, backing off up to 30 s.
      if (state.source !== source) return;
      state.source = null;
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    var delay = state.reconnectDelay;
    state.reconnectDelay = Math.min(delay * 2, 30000);
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(function () {
      session().then(connect, scheduleReconnect);
    }, delay);
  }

  var ready = null;
  function ensureStarted() {
    if (!ready) {
      ready = session().then(connect);
      ready.catch(function (error) {
        ready = null;
        showNotice(error.message, "error", { label: "Retry", run: function () { hideNotice(); ensureStarted(); } });
      });
    }
    return ready;
  }

  function restart() {
    hideNotice();
    if (state.source) { state.source.close(); state.source = null; }
    ready = session().then(function () { setClosed(false); connect(); });
    ready.catch(function (error) { ready = null; showNotice(error.message, "error"); });
  }

  function send(text) {
    var pending = buildMessage({ role: "visitor", body: text }, true);
    insertMessage(pending, Infinity);
    scrollDown();
    var attempt = function (retried) {
      return call("POST", "/webchat/messages", { text: text }, state.token).then(function (result) {
        if (result.status === 202 && result.data) {
          var index = result.data.index;
          if (state.seen.has(index)) {
            pending.remove();
          } else {
            state.seen.add(index);
            pending.classList.remove("pending");
            pending.setAttribute("data-index", String(index));
            pending.querySelector(".meta").textContent = timeOf(new Date().toISOString());
            pending.remove();
            insertMessage(pending, index);
          }
          hideNotice();
          return;
        }
        if (result.status === 401 && !retried) {
          return session().then(function () { connect(); return attempt(true); });
        }
        pending.remove();
        if (!input.value) input.value = text;
        if (result.status === 409) { setClosed(true); return; }
        var message = (result.data && result.data.error && result.data.error.message) || "Your message could not be sent.";
        if (result.status === 429 && result.retryAfter) {
          message = "You are sending messages quickly; try again in " + result.retryAfter + " s.";
        }
        showNotice(message, "error");
      });
    };
    attempt(false).catch(function () {
      pending.remove();
      if (!input.value) input.value = text;
      showNotice("You seem to be offline; your message was not sent.", "error");
    });
  }

  // ---- interaction -------------------------------------------------------------------
  function openPanel() {
    state.open = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", "Close chat");
    state.unread = 0;
    unreadBadge.hidden = true;
    ensureStarted();
    scrollDown();
    input.focus();
  }
  function closePanel() {
    state.open = false;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", "Open chat");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (state.open) closePanel(); else openPanel(); });
  find(".close").addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") closePanel(); });
  input.addEventListener("input", function () {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 110) + "px";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || state.closed) return;
    input.value = "";
    input.style.height = "auto";
    ensureStarted().then(function () { send(text); }, function () { if (!input.value) input.value = text; });
  });

  function mount() {
    document.body.appendChild(host);
    // A returning visitor sees replies that arrived while they were away.
    if (attribute("open", "") === "true") openPanel();
    else if (state.token) ensureStarted();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
`;
