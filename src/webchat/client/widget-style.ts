/** The widget's stylesheet (inside its shadow root); `accent` is a validated hex colour. */
export function widgetStyle(accent: string): string {
  return `
:host { all: initial !important; }
* { box-sizing: border-box; }
.sbw { --accent: ${accent}; --surface: #fff; --log: #f6f7f9; --ink: #1b1f24; --muted: #667085; --line: #e8eaee; --field-line: #d0d5dd; --human: #fff8e6; --human-line: #ffe3a3; --edge: rgba(16,24,40,.08);
  font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; color: var(--ink); color-scheme: light dark; }
/* Dark follows the visitor's system setting unless the page pins a theme (data-theme). */
.sbw.theme-dark { --surface: #171b22; --log: #0f1217; --ink: #e6e8eb; --muted: #98a2b3; --line: #2a303a; --field-line: #3a414b; --human: #3a2e0f; --human-line: #7a5d1a; --edge: #343b47; }
@media (prefers-color-scheme: dark) {
  .sbw.theme-auto { --surface: #171b22; --log: #0f1217; --ink: #e6e8eb; --muted: #98a2b3; --line: #2a303a; --field-line: #3a414b; --human: #3a2e0f; --human-line: #7a5d1a; --edge: #343b47; }
}
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 58px; height: 58px; border-radius: 50%; border: 0; cursor: pointer; background: var(--accent); color: #fff; box-shadow: 0 8px 24px rgba(16,24,40,.22), 0 2px 6px rgba(16,24,40,.12); display: flex; align-items: center; justify-content: center; transition: transform .15s ease; }
.launcher:hover { transform: scale(1.06); }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid rgba(76,110,245,.45); outline-offset: 2px; }
.launcher svg { width: 28px; height: 28px; }
.launcher .icon-close, .launcher[aria-expanded='true'] .icon-chat { display: none; }
.launcher[aria-expanded='true'] .icon-close { display: block; }
.unread { position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; padding: 0 5px; border-radius: 10px; background: #e03131; color: #fff; font-size: 11px; font-weight: 700; line-height: 20px; text-align: center; box-shadow: 0 0 0 2px #fff; }
.unread[hidden] { display: none; }
.panel { position: fixed; right: 20px; bottom: 92px; z-index: 2147483000; width: 372px; height: min(580px, calc(100vh - 120px)); display: flex; flex-direction: column; background: var(--surface); border: 1px solid var(--edge); border-radius: 16px; overflow: hidden; box-shadow: 0 18px 50px rgba(16,24,40,.22), 0 3px 10px rgba(16,24,40,.10); }
.panel[hidden] { display: none; }
.head { background: var(--accent); background-image: linear-gradient(135deg, rgba(255,255,255,.14), rgba(0,0,0,.08)); color: #fff; padding: 16px 16px 14px 18px; display: flex; align-items: flex-start; gap: 12px; }
.head .titles { flex: 1; min-width: 0; }
.head h2 { margin: 0; font-size: 16px; font-weight: 650; letter-spacing: .1px; }
.head p { margin: 3px 0 0; font-size: 12.5px; opacity: .9; display: flex; align-items: center; gap: 6px; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #8ce99a; box-shadow: 0 0 0 2px rgba(255,255,255,.25); flex: none; }
.dot.offline { background: #ffd43b; }
.close { background: rgba(255,255,255,.16); border: 0; color: #fff; width: 30px; height: 30px; border-radius: 8px; cursor: pointer; font-size: 18px; line-height: 30px; }
.close:hover { background: rgba(255,255,255,.28); }
.log { flex: 1; overflow-y: auto; padding: 16px 14px 8px; background: var(--log); display: flex; flex-direction: column; gap: 8px; }
.greeting { align-self: flex-start; max-width: 85%; background: var(--surface); border: 1px solid var(--line); border-radius: 14px 14px 14px 4px; padding: 9px 12px; }
.msg { display: flex; flex-direction: column; max-width: 82%; }
.msg.visitor { align-self: flex-end; align-items: flex-end; }
.msg.agent, .msg.human { align-self: flex-start; align-items: flex-start; }
.who { font-size: 11.5px; color: var(--muted); margin: 0 6px 3px; }
.bubble { padding: 9px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
.visitor .bubble { background: var(--accent); color: #fff; border-bottom-right-radius: 4px; }
.agent .bubble { background: var(--surface); border: 1px solid var(--line); border-bottom-left-radius: 4px; }
.human .bubble { background: var(--human); border: 1px solid var(--human-line); border-bottom-left-radius: 4px; }
.msg.pending .bubble { opacity: .6; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.choice { font: inherit; font-size: 13px; padding: 5px 12px; border-radius: 999px; border: 1px solid var(--accent); background: var(--surface); color: var(--accent); cursor: pointer; }
.choice:disabled { cursor: default; opacity: .6; }
.choice.picked { background: var(--accent); color: #fff; opacity: 1; }
.choices.retired .choice:not(.picked) { border-color: var(--field-line); color: var(--muted); opacity: 1; }
.meta { font-size: 11px; color: var(--muted); margin: 3px 6px 0; }
.media { display: flex; flex-direction: column; gap: 4px; margin-top: 6px; }
.media a, .media span { font-size: 12.5px; color: inherit; text-decoration: underline; }
.typing { align-self: flex-start; background: var(--surface); border: 1px solid var(--line); border-radius: 14px 14px 14px 4px; padding: 11px 14px; display: flex; gap: 4px; }
.typing[hidden] { display: none; }
.typing span { width: 7px; height: 7px; border-radius: 50%; background: #98a2b3; animation: sbw-bounce 1.2s infinite ease-in-out; }
.typing span:nth-child(2) { animation-delay: .15s; } .typing span:nth-child(3) { animation-delay: .3s; }
@keyframes sbw-bounce { 0%, 60%, 100% { transform: translateY(0); opacity: .5; } 30% { transform: translateY(-4px); opacity: 1; } }
.notice { margin: 0 14px 8px; padding: 8px 11px; border-radius: 10px; font-size: 12.5px; background: #fff4d6; color: #7a5200; display: flex; align-items: center; gap: 8px; }
.notice[hidden] { display: none; }
.notice.error { background: #fdecec; color: #a51d1d; }
.notice button { margin-left: auto; border: 0; background: var(--accent); color: #fff; border-radius: 8px; padding: 5px 10px; font: inherit; font-weight: 600; cursor: pointer; white-space: nowrap; }
.composer { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px 12px; border-top: 1px solid var(--line); background: var(--surface); }
.composer textarea { flex: 1; resize: none; border: 1px solid var(--field-line); border-radius: 12px; padding: 9px 12px; font: inherit; color: inherit; max-height: 110px; min-height: 40px; line-height: 1.4; background: var(--surface); }
.composer textarea:focus { border-color: var(--accent); outline: none; box-shadow: 0 0 0 3px rgba(76,110,245,.15); }
.attach { width: 40px; height: 40px; border-radius: 12px; border: 1px solid var(--field-line); background: var(--surface); color: var(--muted); cursor: pointer; display: flex; align-items: center; justify-content: center; flex: none; }
.attach[hidden] { display: none; }
.attach:hover { color: var(--accent); border-color: var(--accent); }
.attach:disabled { opacity: .45; cursor: default; }
.attach svg { width: 19px; height: 19px; }
.media .photo { display: block; max-width: 220px; max-height: 220px; width: auto; height: auto; border-radius: 10px; background: rgba(0,0,0,.06); }
.media audio { display: block; width: 220px; max-width: 100%; height: 36px; }
.media .file { display: inline-flex; align-items: center; gap: 6px; text-decoration: none; padding: 6px 9px; border-radius: 8px; background: rgba(0,0,0,.07); }
.visitor .media .file { background: rgba(255,255,255,.18); }
.media .file, .media .file span { text-decoration: none; }
.media .file svg { width: 14px; height: 14px; flex: none; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
.bubble.only-media { padding: 4px; }
.bubble.only-media .media { margin-top: 0; }
.send { width: 40px; height: 40px; border-radius: 12px; border: 0; background: var(--accent); color: #fff; cursor: pointer; display: flex; align-items: center; justify-content: center; flex: none; }
.send:disabled { opacity: .45; cursor: default; }
.send svg { width: 18px; height: 18px; }
.tray { padding: 8px 12px 0; background: var(--surface); border-top: 1px solid var(--line); }
.tray[hidden] { display: none; }
.tray-row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
.tray-button { font: inherit; font-size: 12.5px; padding: 5px 11px; border-radius: 999px; border: 1px solid var(--field-line); background: var(--surface); color: var(--ink); cursor: pointer; text-decoration: none; white-space: nowrap; }
.tray-button:hover { border-color: var(--accent); color: var(--accent); }
.tray-button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.tray-button:disabled { opacity: .6; cursor: default; }
.verified { font-size: 12.5px; color: #2b8a3e; font-weight: 600; }
.tray-form { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 6px; }
.tray-form label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); flex: 1 1 150px; }
.tray-form input { font: inherit; font-size: 14px; color: var(--ink); background: var(--surface); border: 1px solid var(--field-line); border-radius: 10px; padding: 7px 10px; }
.tray-form input:focus { border-color: var(--accent); outline: none; box-shadow: 0 0 0 3px rgba(76,110,245,.15); }
.foot { text-align: center; font-size: 11px; color: var(--muted); padding: 0 0 8px; background: var(--surface); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
/* A phone: the open chat takes the whole screen and the launcher steps aside, so nothing
   covers the Send button (its own close button in the header closes it). */
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; height: 100dvh; border: 0; border-radius: 0; }
  .sbw.is-open .launcher { display: none; }
  .composer { padding-bottom: max(12px, env(safe-area-inset-bottom)); }
}
@media (prefers-reduced-motion: reduce) { .typing span { animation: none; } .launcher { transition: none; } }
`;
}
