/**
 * The inspector page's script (inlined). It reads its settings from the JSON in
 * `#inspector-config`, loads `{base}/state`, then follows `{base}/stream` (SSE `state`
 * events), falling back to polling when the stream is unavailable.
 *
 * Every value from the state is untrusted (message bodies come from customers): the page
 * builds DOM nodes and sets `textContent`, never `innerHTML`, and links only http(s) or
 * same-origin URLs. Plain ES2020 with no backticks, so it can live in this template string.
 */
export const inspectorScript = `
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("inspector-config").textContent);
  var base = config.basePath;
  var state = null;
  var selected = null;
  var pollTimer = null;

  function h(tag, props) {
    var element = document.createElement(tag);
    var key;
    for (key in props || {}) {
      var value = props[key];
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") element.className = value;
      else if (key === "onclick") element.addEventListener("click", value);
      else element.setAttribute(key, String(value));
    }
    for (var index = 2; index < arguments.length; index++) append(element, arguments[index]);
    return element;
  }
  function append(element, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (item) { append(element, item); }); return; }
    element.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  function plural(count, noun) { return count + " " + noun + (count === 1 ? "" : "s"); }
  function text(value) { return value === undefined || value === null ? "" : String(value); }
  function list(value) { return Array.isArray(value) ? value : []; }

  function safeUrl(raw) {
    if (typeof raw !== "string" || raw === "") return null;
    try {
      var url = new URL(raw, location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) { return null; }
  }
  function time(value) {
    if (!value) return "";
    var date = new Date(value);
    if (isNaN(date.getTime())) return text(value);
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }
  function binding(participant) {
    var value = participant.messaging_binding;
    if (typeof value === "string") { try { value = JSON.parse(value); } catch (error) { value = null; } }
    return value && typeof value === "object" ? value : null;
  }
  function addressChannel(address) {
    var value = text(address);
    if (value.indexOf("whatsapp:") === 0) return "whatsapp";
    if (value.charAt(0) === "+" || value.indexOf("sms:") === 0) return "sms";
    return "chat";
  }
  function participantChannel(participant) {
    var found = binding(participant);
    if (!found) return "chat";
    if (text(found.type) === "whatsapp") return "whatsapp";
    if (text(found.type) === "sms") return "sms";
    return addressChannel(found.address || found.proxy_address);
  }
  var channelNames = { sms: "SMS", whatsapp: "WhatsApp", chat: "Chat" };
  function channelBadge(channel) {
    return h("span", { class: "badge " + channel }, channelNames[channel] || channel);
  }
  function stateBadge(value) {
    var name = text(value) || "active";
    return h("span", { class: "badge state-" + name.replace(/[^a-z]/g, "") }, name);
  }
  function participantName(participant) {
    var found = binding(participant);
    if (participant.identity) return text(participant.identity);
    if (found && found.address) return text(found.address);
    return text(participant.sid);
  }
  function lastActivity(entry) {
    var messages = list(entry.messages);
    var last = messages[messages.length - 1];
    return text((last && last.date_created) || entry.conversation.date_updated || entry.conversation.date_created);
  }
  function mediaChips(media) {
    var items = list(media);
    if (items.length === 0) return null;
    return h("div", { class: "media-list" }, items.map(function (item) {
      var label = text(item.filename || item.sid || "media") + (item.content_type ? " · " + item.content_type : "");
      var href = safeUrl(item.url);
      return href
        ? h("a", { class: "media", href: href, target: "_blank", rel: "noopener noreferrer" }, label)
        : h("span", { class: "media" }, label);
    }));
  }

  function renderHeader() {
    document.getElementById("account-sid").textContent = text(state.accountSid) || "—";
    document.getElementById("service-sid").textContent = text(state.serviceSid) || "—";
    var numbers = state.numbers || {};
    document.getElementById("sms-number").textContent = [].concat(numbers.sms || "—").join(", ");
    document.getElementById("whatsapp-number").textContent = [].concat(numbers.whatsapp || "—").join(", ");
  }

  function renderConversations() {
    var entries = list(state.conversations).filter(function (entry) { return entry && entry.conversation; });
    entries.sort(function (a, b) { return lastActivity(b).localeCompare(lastActivity(a)); });
    if (!entries.some(function (entry) { return entry.conversation.sid === selected; }))
      selected = entries.length > 0 ? entries[0].conversation.sid : null;
    document.getElementById("conversation-count").textContent = String(entries.length);
    var container = document.getElementById("conversations");
    container.replaceChildren();
    if (entries.length === 0) {
      container.appendChild(h("div", { class: "empty" }, "No conversations yet. Send a message from a device to start one."));
      return entries;
    }
    entries.forEach(function (entry) {
      var conversation = entry.conversation;
      var channels = {};
      list(entry.participants).forEach(function (participant) { channels[participantChannel(participant)] = true; });
      container.appendChild(h("button", {
        class: "conversation" + (conversation.sid === selected ? " selected" : ""),
        "data-sid": conversation.sid,
        onclick: function () { selected = conversation.sid; render(); },
      },
        h("span", { class: "name" }, text(conversation.friendly_name || conversation.unique_name || conversation.sid)),
        h("span", { class: "meta" },
          stateBadge(conversation.state),
          Object.keys(channels).sort().map(channelBadge),
          h("span", null, plural(list(entry.messages).length, "message") + " · " + plural(list(entry.participants).length, "participant")))));
    });
    return entries;
  }

  // A message's delivery summary holds "all" | "some" | "none" per status; show the
  // furthest status any recipient reached, and failures first.
  function deliveryBadge(delivery) {
    if (!delivery) return null;
    var reached = function (name) { return delivery[name] && delivery[name] !== "none"; };
    if (reached("failed")) return h("span", { class: "badge state-closed" }, "failed");
    if (reached("undelivered")) return h("span", { class: "badge state-closed" }, "undelivered");
    var names = ["read", "delivered", "sent"];
    for (var index = 0; index < names.length; index++)
      if (reached(names[index])) return h("span", { class: "badge neutral" }, names[index]);
    return null;
  }

  function renderDetail(entries) {
    var container = document.getElementById("detail");
    var previous = container.querySelector(".scroll");
    var stick = !previous || previous.scrollHeight - previous.scrollTop - previous.clientHeight < 40;
    var keep = previous ? previous.scrollTop : 0;
    container.replaceChildren();
    var entry = entries.filter(function (item) { return item.conversation.sid === selected; })[0];
    if (!entry) {
      container.appendChild(h("div", { class: "placeholder" }, entries.length === 0
        ? "Participants and messages appear here once a conversation starts."
        : "Select a conversation to see its participants and messages."));
      return;
    }
    var conversation = entry.conversation;
    var participants = list(entry.participants);
    var bySid = {};
    participants.forEach(function (participant) { bySid[participant.sid] = participant; });
    container.appendChild(h("div", { class: "detail-head" },
      h("h3", null, text(conversation.friendly_name || conversation.unique_name || conversation.sid), stateBadge(conversation.state)),
      h("div", { class: "sub-line" }, h("span", { class: "mono" }, text(conversation.sid)),
        conversation.unique_name ? h("span", null, "unique name: " + text(conversation.unique_name)) : null)));
    container.appendChild(h("div", { class: "participants" },
      participants.length === 0 ? h("span", { class: "sub-line" }, "No participants.") : participants.map(function (participant) {
        var found = binding(participant);
        return h("span", { class: "participant", title: text(participant.sid) },
          channelBadge(participantChannel(participant)),
          h("span", { class: "who" }, participantName(participant)),
          found && found.proxy_address ? h("span", { class: "sub-line" }, "via " + text(found.proxy_address)) : null);
      })));
    var messages = list(entry.messages);
    var scroll = h("div", { class: "scroll" });
    var body = h("div", { class: "messages" });
    if (messages.length === 0) body.appendChild(h("div", { class: "empty" }, "No messages yet."));
    messages.forEach(function (message) {
      var author = bySid[message.participant_sid];
      var inbound = !!(author && binding(author));
      var delivery = message.delivery && typeof message.delivery === "object" ? message.delivery : null;
      body.appendChild(h("div", { class: "message " + (inbound ? "inbound" : "outbound"), "data-sid": text(message.sid) },
        h("div", { class: "head" },
          h("span", { class: "author" }, text(message.author || "system")),
          author ? channelBadge(participantChannel(author)) : null,
          h("span", null, "#" + text(message.index)),
          h("span", null, time(message.date_created)),
          message.content_sid ? h("span", { class: "badge neutral", title: text(message.content_sid) }, "template") : null,
          deliveryBadge(delivery)),
        h("div", { class: "bubble" },
          message.body === null || message.body === undefined || message.body === ""
            ? h("span", { class: "no-body" }, list(message.media).length > 0 ? "(media)" : "(no body)")
            : text(message.body),
          mediaChips(message.media))));
    });
    scroll.appendChild(body);
    container.appendChild(scroll);
    scroll.scrollTop = stick ? scroll.scrollHeight : keep;
  }

  function renderDevices() {
    var devices = state.devices && typeof state.devices === "object" ? state.devices : {};
    var addresses = Object.keys(devices).sort();
    document.getElementById("device-count").textContent = String(addresses.length);
    var container = document.getElementById("devices");
    container.replaceChildren();
    if (addresses.length === 0) {
      container.appendChild(h("div", { class: "empty" }, "No device has received anything yet."));
      return;
    }
    addresses.forEach(function (address) {
      var inbox = list(devices[address]).slice(-20);
      container.appendChild(h("div", { class: "device", "data-address": address },
        h("div", { class: "addr" }, channelBadge(addressChannel(address)), h("span", { class: "mono" }, address),
          h("span", { class: "count" }, String(list(devices[address]).length))),
        inbox.length === 0 ? null : h("ol", null, inbox.map(function (item) {
          return h("li", null,
            h("div", { class: "body" }, item.body === null || item.body === undefined ? h("span", { class: "no-body" }, "(media)") : text(item.body)),
            mediaChips(item.media),
            h("div", { class: "sub-line" }, h("span", null, "from " + text(item.from)), h("span", null, time(item.dateCreated)),
              h("span", { class: "badge " + (item.status === "failed" || item.status === "undelivered" ? "state-closed" : "neutral") }, text(item.status))));
        }))));
    });
  }

  function duration(ms) {
    if (typeof ms !== "number" || !isFinite(ms)) return "";
    return ms >= 1000 ? (ms / 1000).toFixed(1) + " s" : Math.round(ms) + " ms";
  }
  function statusClass(status) {
    if (typeof status !== "number") return "bad";
    if (status >= 200 && status < 300) return "ok";
    if (status < 500) return "warn";
    return "bad";
  }
  function renderWebhooks() {
    var rows = list(state.webhooks).slice(-200).reverse();
    document.getElementById("webhook-count").textContent = String(list(state.webhooks).length);
    var body = document.getElementById("webhook-rows");
    body.replaceChildren();
    if (rows.length === 0) {
      body.appendChild(h("tr", null, h("td", { colspan: "5", class: "empty" }, "No webhooks sent yet.")));
      return;
    }
    rows.forEach(function (row) {
      body.appendChild(h("tr", null,
        h("td", { class: "time" }, time(row.at)),
        h("td", { title: text(row.event) + " → " + text(row.url) }, h("div", { class: "event" }, text(row.event)), h("div", { class: "url" }, text(row.url))),
        h("td", null, h("span", { class: "status " + statusClass(row.status) }, typeof row.status === "number" ? String(row.status) : "no answer")),
        h("td", { class: "num" }, text(row.attempts)),
        h("td", { class: "num" }, duration(row.ms))));
    });
  }

  function render(next) {
    if (next) state = next;
    if (!state) return;
    renderHeader();
    renderDetail(renderConversations());
    renderDevices();
    renderWebhooks();
  }

  function setMode(mode, label) {
    var element = document.getElementById("live");
    element.className = "live is-" + mode;
    element.textContent = label;
  }
  function refresh() {
    return fetch(base + "/state", { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (next) {
        render(next);
        if (pollTimer) setMode("polling", "Polling");
      })
      .catch(function () { setMode("offline", "Offline"); });
  }
  function startPolling() {
    if (pollTimer) return;
    setMode("polling", "Polling");
    pollTimer = setInterval(refresh, config.pollMs);
  }
  function startStream() {
    if (typeof EventSource === "undefined") { startPolling(); return; }
    var source = new EventSource(base + "/stream");
    var failures = 0;
    source.addEventListener("open", function () { failures = 0; setMode("live", "Live"); });
    source.addEventListener("state", function (event) {
      var next = null;
      try { next = JSON.parse(event.data); } catch (error) { next = null; }
      setMode("live", "Live");
      if (next && Array.isArray(next.conversations)) render(next); else refresh();
    });
    source.addEventListener("error", function () {
      failures += 1;
      // CLOSED means the server refused the stream (404, wrong type): poll instead.
      if (source.readyState === EventSource.CLOSED || failures >= 3) { source.close(); startPolling(); }
      else setMode("polling", "Reconnecting");
    });
  }

  refresh().then(startStream);
})();
`;
