/** The console page's stylesheet (inlined; the page loads nothing else). */
export const consoleStyle = `
:root {
  --bg: #f4f5f7; --panel: #fff; --ink: #1b1f24; --muted: #667085; --line: #e4e7ec;
  --accent: #3b5bdb; --accent-strong: #2f4ac0; --top: #14171c;
  --sms: #1971c2; --sms-bg: #e7f0fb; --wa: #0f7b4f; --wa-bg: #e3f6ec; --chat: #6f42c1; --chat-bg: #f1eafb;
  --bot: #3b5bdb; --bot-bg: #eef2ff; --human: #9a6700; --human-bg: #fff4d6; --dead: #c92a2a; --dead-bg: #fdecec;
  --radius: 10px; --strong: #344054; --soft: #f9fafb; --field: #fff; --field-line: #d0d5dd;
  --bubble: #f2f4f7; --agent-bubble: #e8edff; --human-bubble: #fff4d6; --selected: #eef2ff;
  --banner-dead: #8a1c1c; --banner-human: #7a5200; --warn-bg: #fff4d6; --warn-line: #f5d48a;
  --notice-bg: #fff1e6; --notice-ink: #8a3b00; --composer: #fcfcfd; --primary: #3b5bdb;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1217; --panel: #171b22; --ink: #e6e8eb; --muted: #98a2b3; --line: #2a303a;
    --accent: #6b8afd; --accent-strong: #8aa2ff; --top: #0a0c10;
    --sms: #74b3f0; --sms-bg: #16273a; --wa: #5fd39b; --wa-bg: #12301f; --chat: #b692f6; --chat-bg: #2a1f3d;
    --bot: #8aa2ff; --bot-bg: #1d2542; --human: #f5c451; --human-bg: #3a2e0f; --dead: #ff8787; --dead-bg: #3d1a1a;
    --strong: #d0d5dd; --soft: #1e232b; --field: #0f1217; --field-line: #3a414b;
    --bubble: #222831; --agent-bubble: #1f2a4d; --human-bubble: #3a2e0f; --selected: #1d2542;
    --banner-dead: #ffb3b3; --banner-human: #f5d48a; --warn-bg: #3a2e0f; --warn-line: #7a5d1a;
    --notice-bg: #3a2412; --notice-ink: #ffc48a; --composer: #141820; --primary: #4263eb;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; height: 100%; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  background: var(--bg); color: var(--ink); display: flex; flex-direction: column;
}
button, input, select, textarea { font: inherit; color: inherit; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.top { display: flex; align-items: center; gap: 22px; padding: 10px 20px; background: var(--top); color: #e9ecef; flex-wrap: wrap; }
.brand { font-weight: 650; font-size: 15px; letter-spacing: .2px; display: flex; align-items: center; gap: 8px; }
.brand .mark { width: 22px; height: 22px; border-radius: 6px; background: linear-gradient(135deg, #4c6ef5, #15aabf); display: inline-block; }
.brand .sub { color: #98a2b3; font-weight: 400; }
.mode { font-size: 11px; font-weight: 650; text-transform: uppercase; letter-spacing: .6px; padding: 2px 8px; border-radius: 999px; background: #2b3038; color: #ced4da; }
.mode.dev { background: #1f3a5f; color: #a5d8ff; }
.ids { display: flex; gap: 18px; margin: 0; flex-wrap: wrap; }
.ids div { display: flex; flex-direction: column; }
.ids dt { font-size: 10px; text-transform: uppercase; letter-spacing: .6px; color: #98a2b3; }
.ids dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: #f1f3f5; }
.top-right { margin-left: auto; display: flex; align-items: center; gap: 12px; }
.inspector { color: #d0ebff; text-decoration: none; font-size: 12.5px; border: 1px solid #3a414b; border-radius: 8px; padding: 4px 10px; }
.inspector:hover { border-color: #74c0fc; color: #fff; }
.live { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; padding: 3px 10px; border-radius: 999px; background: #2b3038; color: #ced4da; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #868e96; }
.live.is-live::before { background: #40c057; box-shadow: 0 0 0 3px rgba(64,192,87,.25); }
.live.is-offline::before { background: #fa5252; }
.live.is-offline { color: #ffc9c9; }
.grid { flex: 1; min-height: 0; display: grid; gap: 14px; padding: 14px; grid-template-columns: minmax(250px, 320px) minmax(380px, 1fr) minmax(290px, 350px); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); display: flex; flex-direction: column; min-height: 0; overflow: hidden; box-shadow: 0 1px 2px rgba(16,24,40,.04); }
.panel > header { display: flex; align-items: center; gap: 8px; padding: 11px 14px; border-bottom: 1px solid var(--line); min-height: 46px; }
.panel h2 { margin: 0; font-size: 13px; font-weight: 650; text-transform: uppercase; letter-spacing: .5px; color: var(--strong); }
.count { font-size: 11px; color: var(--muted); background: var(--bg); border-radius: 999px; padding: 1px 8px; }
.scroll { overflow: auto; min-height: 0; flex: 1; }
.conversation-list { list-style: none; margin: 0; padding: 0; }
.filters { display: flex; flex-direction: column; gap: 6px; padding: 10px 14px; border-bottom: 1px solid var(--line); }
.filters input[type=search] { width: 100%; padding: 6px 10px; }
.filters select { width: 100%; border: 1px solid var(--field-line); border-radius: 8px; padding: 6px 10px; background: var(--field); cursor: pointer; }
.filters select:focus-visible { outline: 3px solid rgba(59,91,219,.35); outline-offset: 1px; }
.waiting-toggle { display: flex; align-items: center; gap: 6px; font-size: 12.5px; color: var(--strong); cursor: pointer; }
.waiting-toggle .count:empty { display: none; }
.count.attention { color: var(--notice-ink); background: var(--notice-bg); }
.skip-link { position: absolute; left: 12px; top: -48px; z-index: 20; background: var(--accent); color: #fff; padding: 8px 14px; border-radius: 8px; text-decoration: none; font-weight: 600; }
.skip-link:focus { top: 10px; }
#transcript:focus { outline: none; }
.empty { color: var(--muted); padding: 22px 16px; font-size: 13px; }
.empty strong { display: block; color: var(--strong); margin-bottom: 4px; }
.empty.load-error { color: var(--dead); font-weight: 600; }
.composer.offline textarea { opacity: .7; }
.conversation { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid var(--line); background: none; padding: 11px 14px; cursor: pointer; }
.conversation:hover { background: var(--soft); }
.conversation.selected { background: var(--selected); box-shadow: inset 3px 0 0 var(--accent); }
.conversation .row { display: flex; align-items: center; gap: 6px; }
.conversation .customer { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: 1; min-width: 0; }
.conversation .when { color: var(--muted); font-size: 11.5px; white-space: nowrap; }
.conversation .row .last { flex: 1; min-width: 0; }
.conversation .last { color: var(--muted); font-size: 12.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; margin-top: 4px; }
.conversation .last .typing-text { color: var(--accent); font-style: italic; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 999px; line-height: 16px; white-space: nowrap; }
.badge.sms { color: var(--sms); background: var(--sms-bg); }
.badge.whatsapp { color: var(--wa); background: var(--wa-bg); }
.badge.chat { color: var(--chat); background: var(--chat-bg); }
.badge.state-bot { color: var(--bot); background: var(--bot-bg); }
.badge.state-human { color: var(--human); background: var(--human-bg); }
.badge.state-dead { color: var(--dead); background: var(--dead-bg); }
.badge.state-gone { color: var(--ink); background: var(--line); }
.transcript-head { display: flex; align-items: center; gap: 10px; padding: 11px 16px; border-bottom: 1px solid var(--line); flex-wrap: wrap; min-height: 56px; }
.transcript-head h3 { margin: 0; font-size: 15px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; flex: 1; min-width: 0; }
.actions { display: flex; gap: 8px; }
.button { border: 1px solid var(--field-line); background: var(--field); border-radius: 8px; padding: 6px 12px; font-weight: 600; font-size: 13px; cursor: pointer; white-space: nowrap; }
.button:hover { background: var(--soft); }
.button.primary { background: var(--primary); border-color: var(--primary); color: #fff; }
.button.primary:hover { background: var(--accent-strong); }
.button.warn { background: var(--warn-bg); border-color: var(--warn-line); color: var(--banner-human); }
.button:disabled { opacity: .5; cursor: default; }
.button:focus-visible, .conversation:focus-visible, textarea:focus-visible, input:focus-visible, .tabs label:focus-within { outline: 3px solid rgba(59,91,219,.35); outline-offset: 1px; }
.banner { margin: 12px 16px 0; padding: 10px 12px; border-radius: 8px; display: flex; align-items: center; gap: 10px; font-size: 13px; }
.banner.dead { background: var(--dead-bg); color: var(--banner-dead); }
.banner.notice { background: var(--notice-bg); color: var(--notice-ink); }
.banner.human { background: var(--human-bg); color: var(--banner-human); }
.banner .text { flex: 1; min-width: 0; }
.transcript-head, .banner { flex-shrink: 0; }
.handoff-summary { display: block; margin-top: 8px; }
.handoff-summary .summary-text { margin: 4px 0 0; white-space: pre-line; overflow-wrap: anywhere; max-height: 16em; overflow-y: auto; }
.messages { padding: 14px 16px; display: flex; flex-direction: column; gap: 10px; }
.message { max-width: 76%; min-width: 0; align-self: flex-start; }
.message.agent, .message.human { align-self: flex-end; }
.message .head { font-size: 12px; color: var(--muted); margin: 0 4px 3px; display: flex; flex-wrap: wrap; gap: 4px 6px; align-items: center; }
.message .head .badge { white-space: normal; max-width: 100%; }
.message.agent .head, .message.human .head { justify-content: flex-end; }
.message .author { color: var(--ink); font-weight: 600; }
.bubble { border-radius: 12px; padding: 8px 12px; background: var(--bubble); white-space: pre-wrap; overflow-wrap: anywhere; }
.message.agent .bubble { background: var(--agent-bubble); }
.message.human .bubble { background: var(--human-bubble); }
.message.unanswered .bubble { box-shadow: inset 3px 0 0 var(--notice-ink); }
.delivery { font-size: 11.5px; color: var(--muted); margin-top: 4px; }
.delivery.read .delivery-status, .delivery.delivered .delivery-status { color: var(--wa); }
.delivery.retrying .delivery-status { color: var(--notice-ink); font-weight: 600; }
.delivery-error { overflow-wrap: anywhere; }
.delivery.failed .delivery-status { color: var(--dead); font-weight: 600; }
.delivery-failure { margin-top: 4px; padding: 8px 10px; border-radius: 8px; background: var(--dead-bg); color: var(--banner-dead); font-size: 12.5px; max-width: 560px; }
.delivery-failure p { margin: 3px 0 0; }
.delivery-failure .action { font-weight: 600; }
.delivery-failure a { color: inherit; display: inline-block; margin-top: 4px; }
.message time { font-variant-numeric: tabular-nums; }
.badge.neutral { color: var(--muted); background: var(--soft); border: 1px solid var(--line); }
.badge.attention { color: var(--notice-ink); background: var(--notice-bg); }
.message .no-body { color: var(--muted); font-style: italic; }
.media-list { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.media { font-size: 12px; border: 1px solid var(--line); background: var(--field); border-radius: 6px; padding: 2px 8px; color: var(--strong); text-decoration: none; }
button.media { font-family: inherit; cursor: pointer; }
button.media:disabled { cursor: progress; opacity: 0.8; }
.media-thumb { display: inline-block; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; line-height: 0; background: var(--field); }
.media-thumb img { display: block; max-width: min(220px, 60vw); max-height: 220px; object-fit: contain; }
.media-thumb:focus-visible, .media:focus-visible { outline: 2px solid var(--strong); outline-offset: 2px; }
.voice-transcript { font-size: 13px; font-style: italic; margin-top: 6px; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.choice { font: inherit; font-size: 13px; border: 1px solid var(--line); background: var(--field); color: var(--strong); border-radius: 999px; padding: 3px 12px; cursor: pointer; }
.choice:disabled { cursor: default; opacity: 0.8; }
.sms-cost { font-size: 11px; opacity: 0.75; margin-top: 4px; }
.typing { display: flex; justify-content: flex-end; align-items: center; gap: 8px; color: var(--muted); font-size: 12px; padding: 0 16px 16px; }
.typing[hidden] { display: none; }
.dots { display: inline-flex; gap: 4px; background: var(--agent-bubble); border-radius: 12px; padding: 10px 12px; }
.dots span { width: 7px; height: 7px; border-radius: 50%; background: #748ffc; animation: bounce 1.2s infinite ease-in-out; }
.dots span:nth-child(2) { animation-delay: .15s; } .dots span:nth-child(3) { animation-delay: .3s; }
.mini-dots { display: inline-flex; gap: 3px; vertical-align: middle; margin-right: 4px; }
.mini-dots span { width: 5px; height: 5px; border-radius: 50%; background: var(--accent); animation: bounce 1.2s infinite ease-in-out; }
.mini-dots span:nth-child(2) { animation-delay: .15s; } .mini-dots span:nth-child(3) { animation-delay: .3s; }
@keyframes bounce { 0%, 60%, 100% { transform: translateY(0); opacity: .5; } 30% { transform: translateY(-3px); opacity: 1; } }
.composer { border-top: 1px solid var(--line); padding: 10px 12px; display: flex; gap: 8px; align-items: flex-end; background: var(--composer); }
.composer textarea { flex: 1; resize: none; border: 1px solid var(--field-line); border-radius: 8px; padding: 8px 10px; min-height: 38px; max-height: 120px; background: var(--field); }
.composer .hint { flex: 1; color: var(--muted); font-size: 12.5px; padding: 8px 2px; }
.placeholder { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; color: var(--muted); padding: 40px; text-align: center; gap: 6px; }
.placeholder strong { color: var(--strong); font-size: 15px; }
.customer-form { padding: 14px; display: flex; flex-direction: column; gap: 12px; }
.field { display: flex; flex-direction: column; gap: 5px; }
.field > span, .field legend { font-size: 12px; font-weight: 600; color: var(--strong); }
fieldset.field { border: 0; margin: 0; padding: 0; }
.tabs { display: grid; grid-template-columns: repeat(3, 1fr); background: var(--bg); border-radius: 9px; padding: 3px; gap: 3px; }
.tabs label { text-align: center; padding: 6px 4px; border-radius: 7px; cursor: pointer; font-size: 13px; font-weight: 600; color: var(--muted); }
.tabs input { position: absolute; opacity: 0; pointer-events: none; }
.tabs label:has(input:checked) { background: var(--panel); color: var(--ink); box-shadow: 0 1px 2px rgba(16,24,40,.12); }
.from-row { display: flex; gap: 6px; }
.from-row input { flex: 1; min-width: 0; }
input[type=text], input[type=search], .customer-form textarea { border: 1px solid var(--field-line); border-radius: 8px; padding: 8px 10px; background: var(--field); }
.customer-form textarea { resize: vertical; min-height: 74px; }
.suggestions { display: flex; flex-wrap: wrap; gap: 6px; }
.chip { border: 1px solid var(--line); background: var(--soft); border-radius: 999px; padding: 3px 10px; font-size: 12px; cursor: pointer; color: var(--strong); }
.chip:hover { border-color: var(--accent); background: var(--selected); }
.note { color: var(--muted); font-size: 12px; margin: 0; }
.refused { border-top: 1px solid var(--line); background: var(--soft); max-height: 45%; min-height: 0; overflow: auto; flex: none; }
.refused summary { cursor: pointer; padding: 9px 14px; font-size: 12px; font-weight: 650; color: var(--dead); display: flex; align-items: center; gap: 8px; }
.refused summary::before { content: "▸"; font-size: 10px; }
.refused[open] summary::before { content: "▾"; }
.refused .note { padding: 0 14px 8px; }
.refused-list { list-style: none; margin: 0; padding: 0 14px 10px; display: grid; gap: 6px; }
.refused-list li { background: var(--panel); border: 1px solid var(--line); border-left: 3px solid var(--dead); border-radius: 6px; padding: 6px 9px; font-size: 12px; display: grid; gap: 2px; min-width: 0; }
.refused-list .refused-head { display: flex; gap: 8px; justify-content: space-between; color: var(--strong); }
.refused-list .refused-why { color: var(--muted); overflow-wrap: anywhere; }
.refused-list .mono { font-size: 11px; color: var(--muted); overflow-wrap: anywhere; }
.status-line { font-size: 12.5px; min-height: 18px; margin: 0; }
.status-line.error { color: var(--dead); }
.button:focus-visible, .conversation:focus-visible { outline-color: var(--accent); }
.status-line.ok { color: var(--wa); }
.gate { position: fixed; inset: 0; background: rgba(20,23,28,.55); display: flex; align-items: center; justify-content: center; z-index: 10; }
.gate[hidden] { display: none; }
.gate form { background: var(--panel); border-radius: 12px; padding: 22px; width: min(420px, 92vw); display: flex; flex-direction: column; gap: 12px; box-shadow: 0 20px 50px rgba(0,0,0,.25); }
.gate h2 { margin: 0; font-size: 17px; }
.gate p { margin: 0; color: var(--muted); }
@media (max-width: 1100px) { .grid { grid-template-columns: 1fr; } .panel { min-height: 360px; } #transcript { min-height: min(640px, 85vh); } .handoff-summary .summary-text { max-height: 6.5em; } }
@media (prefers-reduced-motion: reduce) { .dots span, .mini-dots span { animation: none; } }
/* Customers across channels: an overlay over the conversation grid (full screen on a phone). */
.customers-open { background: #2b3038; border-color: #3a414b; color: #e9ecef; }
.customers-open:hover { background: #3a414b; }
.customers-view { position: fixed; inset: 52px 0 0 0; z-index: 20; background: var(--bg); display: flex; flex-direction: column; padding: 14px 20px; gap: 10px; }
.customers-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.customers-head h2 { margin: 0; font-size: 16px; }
.customers-view .status-line:empty { display: none; }
.customers-head input { flex: 1 1 240px; border: 1px solid var(--field-line); background: var(--field); border-radius: 8px; padding: 7px 10px; }
.customers-body { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(260px, 380px) 1fr; gap: 14px; }
.customer-list, .customer-detail { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); overflow-y: auto; margin: 0; padding: 0; }
.customer-list { list-style: none; }
.customer-row { padding: 10px 14px; border-bottom: 1px solid var(--line); cursor: pointer; display: grid; gap: 3px; }
.customer-row:hover, .customer-row.selected { background: var(--selected); }
.customer-names { font-size: 13px; overflow-wrap: anywhere; }
.customer-when { font-size: 11.5px; color: var(--muted); }
.badges { display: flex; gap: 4px; flex-wrap: wrap; }
.badge { font-size: 11px; font-weight: 650; padding: 1px 7px; border-radius: 999px; background: var(--soft); color: var(--strong); }
.badge-sms { background: var(--sms-bg); color: var(--sms); }
.badge-whatsapp { background: var(--wa-bg); color: var(--wa); }
.badge-chat { background: var(--chat-bg); color: var(--chat); }
.customer-detail { padding: 14px; display: flex; flex-direction: column; gap: 12px; }
.customers-back { align-self: flex-start; display: none; }
.customer-addresses { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.customer-addresses li { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.customer-addresses .source { font-size: 11.5px; color: var(--muted); }
.customer-actions { display: flex; gap: 8px; }
.button.small { padding: 3px 9px; font-size: 12px; }
.button.danger { border-color: var(--dead); color: var(--dead); }
.confirm { display: inline-flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.confirm-ask { font-size: 12.5px; color: var(--dead); }
.customer-transcript { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.customer-message { max-width: 78%; padding: 8px 11px; border-radius: 10px; background: var(--bubble); }
.customer-message.outbound { align-self: flex-end; background: var(--agent-bubble); }
.customer-message .meta { display: flex; align-items: center; gap: 6px; font-size: 11.5px; color: var(--muted); margin-bottom: 3px; }
.customer-message .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.customer-detail .empty, .customer-list .empty { color: var(--muted); padding: 12px 14px; margin: 0; }
@media (max-width: 760px) {
  .customers-view { inset: 0; padding: 10px; }
  .customers-body { grid-template-columns: 1fr; }
  .customers-view.has-selection .customer-list { display: none; }
  .customers-view:not(.has-selection) .customer-detail { display: none; }
  .customers-back { display: inline-block; }
  .customer-message { max-width: 92%; }
}
`;
