import type { MountedFace } from "../http/router.js";

/** Where `switchboard dev` serves a page with the widget on it. */
export const webchatDemoPath = "/webchat/demo";

/**
 * The demo page's icon, inline: a speech bubble, so the browser asks for no /favicon.ico
 * (which nothing serves, and which would log a 404 on every load).
 */
const faviconDataUrl = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#3b5bdb"/><path d="M8 10h16v10H14l-5 4v-4H8z" fill="#fff"/></svg>',
)}`;

/**
 * A plain page with the web chat widget, so `switchboard dev` can be tried as a visitor
 * without writing any HTML. Same origin as the API; the widget works the same from any
 * other site.
 */
export function webchatDemoPage(): MountedFace {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Web chat demo · switchboard</title>
<link rel="icon" href="${faviconDataUrl}">
<meta name="color-scheme" content="light dark">
<style>
body{font:16px/1.55 system-ui,sans-serif;margin:0;color:#1d2433;background:#fff}
main{max-width:40rem;padding:3rem 1.5rem}
code{background:#f1f3f7;padding:.1rem .3rem;border-radius:4px;overflow-wrap:anywhere}
a{color:#3b5bdb}
.aside{color:#667085;font-size:.9rem}
/* The open widget is 372 px wide, 20 px from the right edge: keep the text to its left. */
@media (min-width:900px){main{margin-left:clamp(1.5rem,8vw,8rem);margin-right:440px}}
@media (prefers-color-scheme:dark){body{color:#e6e8eb;background:#0f1217}code{background:#222831}a{color:#8aa2ff}.aside{color:#98a2b3}}
</style>
</head>
<body>
<main>
<h1>Web chat demo</h1>
<p>This page embeds the switchboard widget with one line. Ask it something, for example
"When are you open?", and watch the conversation in the <a href="/">console</a>.</p>
<p>On your own site: <code>&lt;script src="{{origin}}/webchat.js"&gt;&lt;/script&gt;</code></p>
<p class="aside">The chat opens at the bottom right; on a phone it takes the whole screen, and its
own × closes it.</p>
</main>
<script src="/webchat.js" data-open="true"></script>
</body>
</html>
`;
  return async (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path !== webchatDemoPath) return false;
    if (request.method !== "GET" && request.method !== "HEAD") {
      request.resume();
      response.writeHead(405, { allow: "GET, HEAD" });
      response.end();
      return true;
    }
    const origin = `http://${request.headers.host ?? "127.0.0.1"}`;
    const body = html.replace("{{origin}}", escapeHtml(origin));
    response.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    });
    response.end(request.method === "HEAD" ? undefined : body);
    return true;
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
