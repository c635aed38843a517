/**
 * The console page's script (inlined and allowed by hash). Plain DOM, no framework. Every
 * value from the API goes in through `textContent`, and links are made only for http(s)
 * URLs. The console token, when needed, is read once from `?token=` (then removed from the
 * address bar) or typed into the gate, and kept in memory only.
 */
export const consoleScript = String.raw`(function () {
  "use strict";
  var token = null;
  (function takeTokenFromAddress() {
    var params = new URLSearchParams(location.search);
    if (params.has("token")) {
      token = params.get("token");
      params.delete("token");
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
  })();

  var state = {
    info: null,
    conversations: new Map(),
    selected: null,
    messages: [],
    source: null,
    pendingCustomer: null,
    reconnectTimer: null
  };
  var froms = { sms: randomPhone(), whatsapp: "whatsapp:" + randomPhone(), chat: randomVisitor() };

  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function randomDigits(count) {
    var digits = "";
    var values = crypto.getRandomValues(new Uint8Array(count));
    for (var i = 0; i < count; i++) digits += String(values[i] % 10);
    return digits;
  }
  function randomPhone() { return "+1555" + randomDigits(7); }
  function randomVisitor() {
    var values = crypto.getRandomValues(new Uint8Array(4));
    return "visitor-" + Array.prototype.map.call(values, function (v) { return v.toString(16).padStart(2, "0"); }).join("");
  }

  var channelNames = { sms: "SMS", whatsapp: "WhatsApp", chat: "Web chat" };
  var stateNames = { bot: "Bot", human: "Human", dead: "Dead letter" };
  var roleNames = { customer: "Customer", agent: "Agent", human: "You" };

  function channelBadge(channel) {
    var known = channelNames[channel] ? channel : "chat";
    return el("span", "badge " + known, channelNames[known]);
  }
  function stateBadge(value) {
    var known = stateNames[value] ? value : "bot";
    return el("span", "badge state-" + known, stateNames[known]);
  }
  function clock(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function ago(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    var seconds = Math.max(0, (Date.now() - date.getTime()) / 1000);
    if (seconds < 45) return "now";
    if (seconds < 3600) return Math.round(seconds / 60) + " min";
    if (seconds < 86400) return Math.round(seconds / 3600) + " h";
    return date.toLocaleDateString();
  }
  function isHttpUrl(value) { return typeof value === "string" && /^https?:\/\//i.test(value); }

  // ---- API ---------------------------------------------------------------------------
  function api(method, path, body) {
    var headers = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = "Bearer " + token;
    return fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (error) { data = null; }
        if (response.status === 401) showGate(token ? "That token was not accepted." : "");
        if (!response.ok) {
          var failure = new Error((data && data.error && data.error.message) || "Request failed (" + response.status + ").");
          failure.status = response.status;
          throw failure;
        }
        return data;
      });
    });
  }

  // ---- token gate --------------------------------------------------------------------
  function showGate(message) {
    $("gate").hidden = false;
    $("gate-status").textContent = message || "";
    $("gate-token").focus();
    setLive("offline");
    if (state.source) { state.source.close(); state.source = null; }
  }
  $("gate-form").addEventListener("submit", function (event) {
    event.preventDefault();
    token = $("gate-token").value.trim() || null;
    $("gate").hidden = true;
    start();
  });

  // ---- header ------------------------------------------------------------------------
  function setLive(mode) {
    var live = $("live");
    live.className = "live" + (mode === "live" ? " is-live" : mode === "offline" ? " is-offline" : "");
    live.textContent = mode === "live" ? "Live" : mode === "offline" ? "Offline" : "Connecting";
  }
  function renderInfo(info) {
    state.info = info;
    var mode = $("mode");
    mode.textContent = info.mode === "dev" ? "dev · emulator" : "serve";
    mode.className = "mode " + (info.mode === "dev" ? "dev" : "serve");
    $("sms-number").textContent = (info.numbers && info.numbers.sms) || "—";
    $("whatsapp-number").textContent = (info.numbers && info.numbers.whatsapp) || "—";
    var link = $("inspector-link");
    if (isHttpUrl(info.inspectorUrl)) { link.href = info.inspectorUrl; link.hidden = false; }
    else { link.removeAttribute("href"); link.hidden = true; }
    var enabled = Boolean(info.canSendAsCustomer);
    var form = $("customer-form");
    Array.prototype.forEach.call(form.querySelectorAll("input, textarea, button"), function (node) { node.disabled = !enabled; });
    $("customer-note").textContent = enabled
      ? "Your message travels like a real customer's: through the emulator, a signed webhook and the mailbox to the agent."
      : "Writing as a customer needs dev mode (the emulator). In serve mode, real customers write to your Twilio numbers.";
  }

  // ---- conversation list ---------------------------------------------------------------
  function sortedConversations() {
    return Array.from(state.conversations.values()).sort(function (a, b) {
      return a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0;
    });
  }
  function renderList() {
    var list = $("conversations");
    var focused = document.activeElement && document.activeElement.getAttribute("data-sid");
    var conversations = sortedConversations();
    $("conversation-count").textContent = String(conversations.length);
    list.textContent = "";
    if (conversations.length === 0) {
      var empty = el("div", "empty");
      empty.appendChild(el("strong", "", "No conversations yet"));
      empty.appendChild(document.createTextNode(state.info && state.info.canSendAsCustomer
        ? "Write as a customer on the right to start one."
        : "They appear here as soon as a customer writes."));
      list.appendChild(empty);
      return;
    }
    conversations.forEach(function (conversation) {
      var item = el("button", "conversation" + (conversation.sid === state.selected ? " selected" : ""));
      item.type = "button";
      item.setAttribute("role", "listitem");
      item.setAttribute("data-sid", conversation.sid);
      item.setAttribute("aria-current", conversation.sid === state.selected ? "true" : "false");
      var row = el("div", "row");
      row.appendChild(el("span", "customer mono", conversation.customer));
      row.appendChild(channelBadge(conversation.channel));
      row.appendChild(stateBadge(conversation.state));
      item.appendChild(row);
      var last = el("div", "last");
      if (conversation.typing) {
        var dots = el("span", "mini-dots");
        dots.setAttribute("aria-hidden", "true");
        dots.appendChild(el("span")); dots.appendChild(el("span")); dots.appendChild(el("span"));
        last.appendChild(dots);
        last.appendChild(el("span", "typing-text", "Agent is typing…"));
      } else if (conversation.lastMessage) {
        var who = conversation.lastMessage.role === "customer" ? "" : roleNames[conversation.lastMessage.role] + ": ";
        var body = conversation.lastMessage.body || "(attachment)";
        last.textContent = who + (conversation.lastMessage.role === "customer" ? body : withoutEmphasisMarks(body));
      } else {
        last.textContent = "No messages yet";
      }
      var lastRow = el("div", "row");
      lastRow.appendChild(last);
      lastRow.appendChild(el("span", "when", ago(conversation.updatedAt)));
      item.appendChild(lastRow);
      item.addEventListener("click", function () { select(conversation.sid); });
      list.appendChild(item);
      if (focused === conversation.sid) item.focus();
    });
  }

  // ---- transcript --------------------------------------------------------------------
  var view = null;
  function buildTranscript() {
    var panel = $("transcript");
    panel.textContent = "";
    var head = el("div", "transcript-head");
    var title = el("h3");
    var actions = el("div", "actions");
    head.appendChild(title);
    head.appendChild(actions);
    var banner = el("div", "banner");
    banner.hidden = true;
    var scroll = el("div", "scroll");
    var messages = el("div", "messages");
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    messages.setAttribute("aria-label", "Messages");
    var typing = el("div", "typing");
    typing.setAttribute("role", "status");
    typing.setAttribute("aria-label", "The agent is typing");
    var dots = el("span", "dots");
    dots.appendChild(el("span")); dots.appendChild(el("span")); dots.appendChild(el("span"));
    typing.appendChild(el("span", "", "Agent is typing"));
    typing.appendChild(dots);
    typing.hidden = true;
    scroll.appendChild(messages);
    scroll.appendChild(typing);
    var composer = el("form", "composer");
    composer.setAttribute("aria-label", "Reply as a person");
    panel.appendChild(head);
    panel.appendChild(banner);
    panel.appendChild(scroll);
    panel.appendChild(composer);
    view = { title: title, actions: actions, banner: banner, scroll: scroll, messages: messages, typing: typing, composer: composer, composerMode: null };
    composer.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = composer.querySelector("textarea");
      if (!input) return;
      var text = input.value.trim();
      if (!text) return;
      var sid = state.selected;
      act(api("POST", "/api/conversations/" + encodeURIComponent(sid) + "/reply", { text: text }).then(function () {
        if (state.selected === sid) input.value = "";
      }));
    });
  }

  function actionButton(label, className, run) {
    var button = el("button", "button " + className, label);
    button.type = "button";
    button.addEventListener("click", function () {
      button.disabled = true;
      act(run()).then(function () { button.disabled = false; });
    });
    return button;
  }

  // Runs an operator action, shows a failure in the banner, then reloads the transcript so
  // the view matches the server whatever events arrived.
  function act(promise) {
    return promise.then(function () { return refreshSelected(); }, function (error) {
      showBanner("dead", error.message);
    });
  }

  function showBanner(kind, text, buttons) {
    if (!view) return;
    view.banner.textContent = "";
    view.banner.className = "banner " + kind;
    view.banner.appendChild(el("span", "text", text));
    (buttons || []).forEach(function (button) { view.banner.appendChild(button); });
    view.banner.hidden = false;
  }

  function renderHead() {
    var conversation = state.conversations.get(state.selected);
    if (!view || !conversation) return;
    view.title.textContent = "";
    view.title.appendChild(el("span", "mono", conversation.customer));
    view.title.appendChild(channelBadge(conversation.channel));
    view.title.appendChild(stateBadge(conversation.state));
    view.actions.textContent = "";
    var sid = conversation.sid;
    var path = "/api/conversations/" + encodeURIComponent(sid);
    if (conversation.state === "human") {
      view.actions.appendChild(actionButton("Hand back to bot", "", function () { return api("POST", path + "/handoff", { on: false }); }));
    } else {
      view.actions.appendChild(actionButton("Take over", "warn", function () { return api("POST", path + "/handoff", { on: true }); }));
    }
    if (conversation.state === "dead") {
      showBanner("dead", "Dead-lettered: " + (conversation.deadLetterReason || "the agent's turn kept failing") + ". The bot is waiting for you.", [
        actionButton("Retry", "primary", function () { return api("POST", path + "/retry", {}); }),
        actionButton("Skip", "", function () { return api("POST", path + "/skip", {}); })
      ]);
    } else if (conversation.state === "human") {
      showBanner("human", "You have this conversation; the bot stays quiet until you hand it back.");
    } else {
      view.banner.hidden = true;
    }
    view.typing.hidden = !conversation.typing;
    renderComposer(conversation.state === "human");
  }

  function renderComposer(human) {
    var mode = human ? "human" : "bot";
    if (view.composerMode === mode) return;
    view.composerMode = mode;
    view.composer.textContent = "";
    if (human) {
      var input = el("textarea");
      input.rows = 1;
      input.maxLength = 2000;
      input.placeholder = "Reply as a person…";
      input.setAttribute("aria-label", "Reply as a person");
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          view.composer.requestSubmit();
        }
      });
      var send = el("button", "button primary", "Send reply");
      send.type = "submit";
      view.composer.appendChild(input);
      view.composer.appendChild(send);
    } else {
      view.composer.appendChild(el("span", "hint", "Take over to reply as a person; the bot pauses while you do."));
    }
  }

  // The agent (and an operator) write chat Markdown, as the web chat widget shows it:
  // **bold** and *italics* (or _italics_) become strong/em elements built from text nodes,
  // never parsed as HTML, so a message cannot inject markup. Customers' text stays as typed.
  function appendEmphasis(parent, text) {
    var pattern = /\*\*([^*\n]+)\*\*|\*([^*\s][^*\n]*?)\*|\b_([^_\s][^_\n]*?)_\b/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) parent.appendChild(el("strong", "", match[1]));
      else parent.appendChild(el("em", "", match[2] !== undefined ? match[2] : match[3]));
      last = pattern.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // The one-line preview in the list shows the words of the agent's Markdown, not its marks.
  function withoutEmphasisMarks(text) {
    var plain = document.createElement("span");
    appendEmphasis(plain, text);
    return plain.textContent;
  }

  function messageNode(message) {
    var role = roleNames[message.role] ? message.role : "customer";
    var item = el("div", "message " + role);
    if (typeof message.index === "number") item.setAttribute("data-index", String(message.index));
    var head = el("div", "head");
    var author = role === "customer" ? message.author : role === "human" ? (message.author || "Operator") + " · person" : "Agent";
    head.appendChild(el("span", "author", author));
    head.appendChild(el("span", "", clock(message.at)));
    if (message.status) head.appendChild(el("span", "badge neutral", message.status));
    item.appendChild(head);
    var bubble = el("div", "bubble");
    if (message.body && role !== "customer") appendEmphasis(bubble, message.body);
    else if (message.body) bubble.textContent = message.body;
    else bubble.appendChild(el("span", "no-body", "(no text)"));
    var media = Array.isArray(message.media) ? message.media : [];
    if (media.length > 0) {
      var list = el("div", "media-list");
      media.forEach(function (entry) {
        var label = (entry && (entry.filename || entry.contentType)) || "attachment";
        var node;
        if (entry && isHttpUrl(entry.url)) {
          node = el("a", "media", label);
          node.href = entry.url;
          node.target = "_blank";
          node.rel = "noopener noreferrer";
        } else {
          node = el("span", "media", label);
        }
        list.appendChild(node);
      });
      bubble.appendChild(list);
    }
    item.appendChild(bubble);
    return item;
  }

  function renderMessages() {
    if (!view) return;
    var nearBottom = view.scroll.scrollHeight - view.scroll.scrollTop - view.scroll.clientHeight < 80;
    view.messages.textContent = "";
    if (state.messages.length === 0) view.messages.appendChild(el("div", "empty", "No messages yet."));
    state.messages.forEach(function (message) { view.messages.appendChild(messageNode(message)); });
    if (nearBottom) view.scroll.scrollTop = view.scroll.scrollHeight;
  }

  // Where a message sits: its index, or (the agent's replies) just after the message it
  // answers; ties (several replies to one message) go by time.
  function position(message) {
    if (typeof message.index === "number") return message.index;
    if (typeof message.afterIndex === "number") return message.afterIndex + 0.5;
    return Infinity;
  }
  function sameMessage(a, b) {
    if (typeof a.index === "number") return a.index === b.index;
    return typeof a.id === "string" && a.id === b.id;
  }
  function addMessage(message) {
    for (var i = 0; i < state.messages.length; i++) {
      if (sameMessage(message, state.messages[i])) { state.messages[i] = message; renderMessages(); return; }
    }
    state.messages.push(message);
    state.messages.sort(function (a, b) {
      var left = position(a);
      var right = position(b);
      if (left !== right) return left < right ? -1 : 1;
      return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
    });
    renderMessages();
  }

  function select(sid) {
    state.selected = sid;
    state.messages = [];
    buildTranscript();
    renderList();
    renderHead();
    renderMessages();
    return refreshSelected();
  }

  function refreshSelected() {
    var sid = state.selected;
    if (!sid) return Promise.resolve();
    return api("GET", "/api/conversations/" + encodeURIComponent(sid)).then(function (transcript) {
      if (state.selected !== sid || !transcript) return;
      state.conversations.set(sid, transcript.conversation);
      state.messages = transcript.messages.slice();
      renderList();
      renderHead();
      renderMessages();
      view.scroll.scrollTop = view.scroll.scrollHeight;
    }, function (error) {
      if (error.status === 404) showBanner("dead", "This conversation no longer exists.");
    });
  }

  // ---- live updates ------------------------------------------------------------------
  function loadConversations() {
    return api("GET", "/api/conversations").then(function (data) {
      state.conversations = new Map();
      data.conversations.forEach(function (conversation) { state.conversations.set(conversation.sid, conversation); });
      renderList();
      if (state.selected) refreshSelected();
      openPending();
    });
  }

  function upsert(conversation) {
    state.conversations.set(conversation.sid, conversation);
    renderList();
    if (conversation.sid === state.selected) renderHead();
    openPending();
  }

  // After writing as a new customer, open their conversation as soon as it shows up.
  function openPending() {
    if (!state.pendingCustomer) return;
    state.conversations.forEach(function (conversation) {
      if (state.pendingCustomer && conversation.customer === state.pendingCustomer) {
        state.pendingCustomer = null;
        select(conversation.sid);
      }
    });
  }

  function parse(event) { try { return JSON.parse(event.data); } catch (error) { return null; } }

  function connect() {
    clearTimeout(state.reconnectTimer);
    if (state.source) state.source.close();
    var source = new EventSource("/api/stream" + (token ? "?token=" + encodeURIComponent(token) : ""));
    state.source = source;
    source.addEventListener("ready", function () {
      setLive("live");
      // Anything that happened before this subscription (first load, or a reconnect gap)
      // reaches the page through a reload of the list and of the open transcript.
      loadConversations().then(refreshSelected).catch(function () {});
    });
    source.addEventListener("conversation", function (event) {
      var data = parse(event);
      if (data && data.conversation) upsert(data.conversation);
    });
    source.addEventListener("message", function (event) {
      var data = parse(event);
      if (!data || !data.message) return;
      var conversation = state.conversations.get(data.conversationSid);
      // A resent older message (a status update) must not become the list's last message.
      if (conversation && (!conversation.lastMessage || data.message.at >= conversation.lastMessage.at)) {
        conversation.lastMessage = { role: data.message.role, body: data.message.body, at: data.message.at };
        if (data.message.role !== "customer") conversation.typing = false;
        if (data.message.at > conversation.updatedAt) conversation.updatedAt = data.message.at;
        renderList();
      }
      if (data.conversationSid === state.selected) {
        addMessage(data.message);
        if (conversation) renderHead();
      }
    });
    source.addEventListener("typing", function (event) {
      var data = parse(event);
      var conversation = data && state.conversations.get(data.conversationSid);
      if (!conversation) return;
      conversation.typing = Boolean(data.on);
      renderList();
      if (data.conversationSid === state.selected) renderHead();
    });
    source.addEventListener("state", function (event) {
      var data = parse(event);
      var conversation = data && state.conversations.get(data.conversationSid);
      if (!conversation) return;
      conversation.state = data.state;
      if (data.reason) conversation.deadLetterReason = data.reason;
      renderList();
      if (data.conversationSid === state.selected) renderHead();
    });
    source.addEventListener("error", function () {
      setLive("connecting");
      if (source.readyState !== EventSource.CLOSED || state.source !== source) return;
      // Refused (token?) or the server went away: check with a plain request, which opens
      // the token gate on 401, and try again shortly otherwise.
      state.source = null;
      setLive("offline");
      state.reconnectTimer = setTimeout(function () {
        api("GET", "/api/info").then(function (info) { renderInfo(info); connect(); }, function (error) {
          if (error.status !== 401) state.reconnectTimer = setTimeout(connect, 3000);
        });
      }, 1000);
    });
  }

  function start() {
    api("GET", "/api/info").then(function (info) {
      renderInfo(info);
      renderCustomerForm();
      return loadConversations();
    }).then(connect, function (error) {
      if (error.status !== 401) {
        setLive("offline");
        state.reconnectTimer = setTimeout(start, 3000);
      }
    });
  }

  // ---- be a customer -----------------------------------------------------------------
  function channel() {
    var checked = document.querySelector('input[name="channel"]:checked');
    return checked ? checked.value : "sms";
  }
  function renderCustomerForm() {
    var current = channel();
    $("customer-from").value = froms[current];
    $("from-label").textContent = current === "chat" ? "Visitor identity" : current === "whatsapp" ? "From (your test WhatsApp number)" : "From (your test phone number)";
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[name="channel"]'), function (radio) {
    radio.addEventListener("change", renderCustomerForm);
  });
  $("customer-from").addEventListener("input", function () { froms[channel()] = $("customer-from").value; });
  $("new-customer").addEventListener("click", function () {
    var current = channel();
    froms[current] = current === "chat" ? randomVisitor() : current === "whatsapp" ? "whatsapp:" + randomPhone() : randomPhone();
    renderCustomerForm();
  });
  Array.prototype.forEach.call(document.querySelectorAll("#suggestions .chip"), function (chip) {
    chip.addEventListener("click", function () { $("customer-text").value = chip.textContent; $("customer-text").focus(); });
  });
  $("customer-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("customer-form").requestSubmit();
    }
  });
  $("customer-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("customer-text").value.trim();
    var status = $("customer-status");
    if (!text) { status.className = "status-line error"; status.textContent = "Write a message first."; return; }
    var button = $("customer-send");
    button.disabled = true;
    status.className = "status-line";
    status.textContent = "Sending…";
    api("POST", "/api/customers/send", { channel: channel(), from: $("customer-from").value.trim(), text: text }).then(function (sent) {
      $("customer-text").value = "";
      status.className = "status-line ok";
      status.textContent = "Sent. The agent's answer appears in the transcript.";
      var existing = null;
      state.conversations.forEach(function (conversation) { if (conversation.customer === sent.from) existing = conversation.sid; });
      var target = sent.conversationSid || existing;
      if (target && state.conversations.has(target)) select(target);
      else state.pendingCustomer = sent.from;
    }, function (error) {
      status.className = "status-line error";
      status.textContent = error.message;
    }).then(function () { button.disabled = false; });
  });

  setInterval(renderList, 30000);
  start();
})();
`;
