/**
 * The widget's static markup. Nothing the visitor or the agent writes is ever put in
 * here: their text goes in through `textContent` afterwards.
 */
export const widgetMarkup =
  '<section class="panel" role="dialog" aria-modal="false" aria-labelledby="sbw-title" hidden>' +
  '<header class="head"><div class="titles"><h2 id="sbw-title"></h2>' +
  '<p><span class="dot" aria-hidden="true"></span><span class="subtitle"></span></p></div>' +
  '<button type="button" class="close" aria-label="Close chat">\u00d7</button></header>' +
  '<div class="log" role="log" aria-live="polite" aria-label="Conversation">' +
  '<div class="greeting"></div>' +
  '<div class="typing" role="status" aria-label="The agent is typing" hidden><span></span><span></span><span></span></div>' +
  "</div>" +
  '<div class="notice" role="alert" hidden><span class="notice-text"></span></div>' +
  '<form class="composer"><label class="sr" for="sbw-input">Message</label>' +
  '<button type="button" class="attach" aria-label="Attach a file" hidden>' +
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l9.2-9.2a3.7 3.7 0 0 1 5.2 5.2l-9.2 9.2a1.8 1.8 0 0 1-2.6-2.6l8.5-8.5"/></svg>' +
  "</button>" +
  '<input type="file" class="file" tabindex="-1" aria-hidden="true" hidden>' +
  '<textarea id="sbw-input" rows="1" maxlength="2000" placeholder="Write a message\u2026" aria-label="Message"></textarea>' +
  '<button type="submit" class="send" aria-label="Send message">' +
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M5 12h14M13 6l6 6-6 6"/></svg>' +
  "</button></form>" +
  '<div class="foot">Powered by switchboard</div>' +
  "</section>" +
  '<button type="button" class="launcher" aria-label="Open chat" aria-expanded="false">' +
  '<svg class="icon-chat" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-5A8 8 0 1 1 21 12z"/></svg>' +
  '<svg class="icon-close" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true"><path d="M6 9l6 6 6-6"/></svg>' +
  '<span class="unread" aria-hidden="true" hidden></span>' +
  "</button>";
