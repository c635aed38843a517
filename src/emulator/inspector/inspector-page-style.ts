/** The inspector page's stylesheet (inlined; the page loads nothing else). */
export const inspectorStyle = `
:root {
  --bg: #f4f5f7; --panel: #fff; --ink: #1b1f24; --muted: #667085; --line: #e4e7ec;
  --accent: #3b5bdb; --top: #14171c;
  --sms: #1971c2; --sms-bg: #e7f0fb; --wa: #0f7b4f; --wa-bg: #e3f6ec; --chat: #6f42c1; --chat-bg: #f1eafb;
  --ok: #0f7b4f; --ok-bg: #e3f6ec; --warn: #9a6700; --warn-bg: #fff4d6; --bad: #c92a2a; --bad-bg: #fdecec;
  --radius: 10px; --strong: #344054; --soft: #f9fafb; --selected: #eef2ff; --raised: #fff;
  --tray: #fcfcfd; --bubble: #f2f4f7; --outbound-bubble: #e8edff; --closed: #495057;
  --closed-bg: #e9ecef; --neutral: #475467; --neutral-bg: #f2f4f7;
  color-scheme: light dark;
}
/* The system's dark mode, with the console's dark palette. */
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1217; --panel: #171b22; --ink: #e6e8eb; --muted: #98a2b3; --line: #2a303a;
    --accent: #6b8afd; --top: #0a0c10;
    --sms: #74b3f0; --sms-bg: #16273a; --wa: #5fd39b; --wa-bg: #12301f; --chat: #b692f6; --chat-bg: #2a1f3d;
    --ok: #5fd39b; --ok-bg: #12301f; --warn: #f5c451; --warn-bg: #3a2e0f; --bad: #ff8787; --bad-bg: #3d1a1a;
    --strong: #d0d5dd; --soft: #1e232b; --selected: #1d2542; --raised: #1e232b;
    --tray: #141820; --bubble: #222831; --outbound-bubble: #1f2a4d; --closed: #ced4da;
    --closed-bg: #2b3038; --neutral: #d0d5dd; --neutral-bg: #2b3038;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  background: var(--bg); color: var(--ink); display: flex; flex-direction: column;
}
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.top {
  display: flex; align-items: center; gap: 24px; padding: 10px 20px; background: var(--top); color: #e9ecef;
  flex-wrap: wrap;
}
.brand { font-weight: 650; font-size: 15px; letter-spacing: .2px; display: flex; align-items: center; gap: 8px; }
.brand .mark { width: 22px; height: 22px; border-radius: 6px; background: linear-gradient(135deg, #4c6ef5, #15aabf); display: inline-block; }
.brand .sub { color: #98a2b3; font-weight: 400; }
.ids { display: flex; gap: 18px; margin: 0; flex-wrap: wrap; }
.ids div { display: flex; flex-direction: column; }
.ids dt { font-size: 10px; text-transform: uppercase; letter-spacing: .6px; color: #98a2b3; }
.ids dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: #f1f3f5; }
.live { margin-left: auto; display: inline-flex; align-items: center; gap: 6px; font-size: 12px; padding: 3px 10px; border-radius: 999px; background: #2b3038; color: #ced4da; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #868e96; }
.live.is-live::before { background: #40c057; box-shadow: 0 0 0 3px rgba(64,192,87,.25); }
.live.is-polling::before { background: #fab005; }
.live.is-offline::before { background: #fa5252; }
.grid {
  flex: 1; min-height: 0; display: grid; gap: 14px; padding: 14px;
  grid-template-columns: minmax(240px, 300px) minmax(360px, 1fr) minmax(300px, 420px);
}
.column { display: flex; flex-direction: column; gap: 14px; min-height: 0; }
.panel {
  background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius);
  display: flex; flex-direction: column; min-height: 0; overflow: hidden;
  box-shadow: 0 1px 2px rgba(16,24,40,.04);
}
.panel.grow { flex: 1; }
.panel > header {
  display: flex; align-items: center; gap: 8px; padding: 10px 14px; border-bottom: 1px solid var(--line);
}
.panel h2 { margin: 0; font-size: 13px; font-weight: 650; text-transform: uppercase; letter-spacing: .5px; color: var(--strong); }
.count { font-size: 11px; color: var(--muted); background: var(--bg); border-radius: 999px; padding: 1px 8px; }
.scroll { overflow: auto; min-height: 0; flex: 1; }
.empty { color: var(--muted); padding: 18px 14px; font-size: 13px; }
.conversation {
  display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid var(--line); background: none;
  padding: 10px 14px; cursor: pointer; font: inherit; color: inherit;
}
.conversation:hover { background: var(--soft); }
.conversation.selected { background: var(--selected); box-shadow: inset 3px 0 0 var(--accent); }
.conversation .name { font-weight: 600; display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.conversation .meta, .sub-line { color: var(--muted); font-size: 12px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-top: 3px; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 999px; line-height: 16px; white-space: nowrap; }
.badge.sms { color: var(--sms); background: var(--sms-bg); }
.badge.whatsapp { color: var(--wa); background: var(--wa-bg); }
.badge.chat { color: var(--chat); background: var(--chat-bg); }
.badge.state-active { color: var(--ok); background: var(--ok-bg); }
.badge.state-inactive { color: var(--warn); background: var(--warn-bg); }
.badge.state-closed { color: var(--closed); background: var(--closed-bg); }
.badge.neutral { color: var(--neutral); background: var(--neutral-bg); }
.detail-head { padding: 12px 16px; border-bottom: 1px solid var(--line); }
.detail-head h3 { margin: 0; font-size: 16px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.participants { display: flex; flex-wrap: wrap; gap: 8px; padding: 10px 16px; border-bottom: 1px solid var(--line); background: var(--tray); }
.participant { border: 1px solid var(--line); border-radius: 8px; padding: 5px 9px; background: var(--raised); font-size: 12px; display: flex; gap: 6px; align-items: center; }
.participant .who { font-weight: 600; }
.messages { padding: 14px 16px; display: flex; flex-direction: column; gap: 10px; }
.message { max-width: 78%; align-self: flex-start; }
.message.outbound { align-self: flex-end; }
.bubble { border-radius: 12px; padding: 8px 12px; background: var(--bubble); white-space: pre-wrap; overflow-wrap: anywhere; }
.message.outbound .bubble { background: var(--outbound-bubble); }
.message .head { font-size: 12px; color: var(--muted); margin: 0 4px 3px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.message.outbound .head { justify-content: flex-end; }
.message .author { color: var(--ink); font-weight: 600; }
.message .no-body { color: var(--muted); font-style: italic; }
.media-list { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.media { font-size: 12px; border: 1px solid var(--line); background: var(--raised); border-radius: 6px; padding: 2px 8px; color: var(--strong); text-decoration: none; }
a.media:hover { border-color: var(--accent); }
.device { border-bottom: 1px solid var(--line); padding: 10px 14px; }
.device:last-child { border-bottom: 0; }
.device .addr { font-weight: 600; display: flex; gap: 8px; align-items: center; }
.device ol { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.device li { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 6px 9px; }
.device li .body { white-space: pre-wrap; overflow-wrap: anywhere; }
.device li .sub-line { margin-top: 2px; }
table { width: 100%; border-collapse: collapse; font-size: 12px; table-layout: fixed; }
th.col-time { width: 68px; } th.col-status { width: 88px; } th.col-tries { width: 46px; } th.col-took { width: 66px; }
th { text-align: left; font-weight: 600; color: var(--muted); padding: 7px 10px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--panel); }
td { padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
td .event { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
td .url { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--muted); }
td.time { font-variant-numeric: tabular-nums; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.status { font-weight: 650; border-radius: 6px; padding: 1px 6px; white-space: nowrap; }
.status.ok { color: var(--ok); background: var(--ok-bg); }
.status.warn { color: var(--warn); background: var(--warn-bg); }
.status.bad { color: var(--bad); background: var(--bad-bg); }
.placeholder { flex: 1; display: flex; align-items: center; justify-content: center; color: var(--muted); padding: 40px; text-align: center; }
/* Long SIDs, addresses and names wrap (or end in an ellipsis) instead of spilling out. */
.ids dd, .detail-head h3, .sub-line .mono, .participant .who, .participant .sub-line, .device .addr .mono { overflow-wrap: anywhere; min-width: 0; }
.participant { max-width: 100%; flex-wrap: wrap; }
.device .addr { flex-wrap: wrap; }
/* One column (tablets, phones): the page scrolls as a document, each panel gets a real height. */
@media (max-width: 1100px) {
  html, body { height: auto; }
  .grid { flex: none; grid-template-columns: minmax(0, 1fr); }
  .column { min-width: 0; }
  .grid > .panel:first-child { max-height: 40vh; }
  #detail { height: 88vh; height: 88dvh; min-height: 420px; }
  #detail .scroll { min-height: 240px; }
  .panel.grow { height: 60vh; min-height: 320px; }
}
@media (max-width: 600px) {
  .top { gap: 10px 16px; padding: 10px 14px; }
  .ids { gap: 8px 16px; }
  .grid { gap: 10px; padding: 10px; }
  .detail-head { padding: 10px 12px; }
  .detail-head h3 { font-size: 15px; }
  .participants { padding: 8px 12px; max-height: 30%; overflow: auto; }
  .messages { padding: 12px; }
  .message { max-width: 88%; }
  th.col-time { width: 56px; } th.col-status { width: 76px; } th.col-tries { width: 40px; } th.col-took { width: 52px; }
  th, td { padding: 6px 6px; }
}
`;
