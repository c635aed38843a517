import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumForTests } from "../chromium.test-support.js";
import { InMemoryWebchat } from "./in-memory-webchat.test-support.js";
import { serveHandler } from "./serve-handler.test-support.js";
import { createWebchatApi } from "./webchat-api.js";

const hostile = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>";

const chrome = chromiumForTests();
const { cleanups } = chrome;

const hostStyle = `
  body { margin: 0; font-family: Georgia, serif; background: #faf7f2; color: #2d2a26; }
  header { background: #2d2a26; color: #faf7f2; padding: 18px 40px; font-size: 22px; letter-spacing: 1px; }
  main { padding: 40px; max-width: 760px; }
  h1 { font-size: 34px; margin: 0 0 12px; }
  .card { background: #fff; border: 1px solid #e6dfd3; border-radius: 6px; padding: 20px; margin-top: 20px; }
  /* Hostile rules: the widget must look the same regardless. */
  button { background: yellow !important; border: 5px solid red !important; }
  body * { font-family: "Comic Sans MS", cursive !important; }
  div { padding: 30px; }
`;

/** A shop page on its own port (so the widget runs cross-origin) with rude global CSS. */
async function serveHostPage(scriptUrl: string, csp?: string): Promise<string> {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northwind Outfitters</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
${csp === undefined ? `<style>${hostStyle}</style>` : ""}</head>
<body>
<header>NORTHWIND OUTFITTERS</header>
<main>
  <h1>Trail Runner 2 — waterproof</h1>
  <p>Lightweight, grippy and ready for mud. Free shipping over $50.</p>
  <section class="card"><strong>$129.00</strong> · In stock · Ships in 1–2 days</section>
</main>
<script src="${scriptUrl}"></script>
</body></html>`;
  const server = createServer((_request, response) => {
    response.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      ...(csp === undefined ? {} : { "content-security-policy": csp }),
    });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function setUp(
  options: { strictHostCsp?: boolean; phone?: boolean; colorScheme?: "light" | "dark" } = {},
) {
  const deps = new InMemoryWebchat();
  const api = await serveHandler(
    createWebchatApi(deps, {
      secret: "widget-test-secret-0123456789abcdefghijkl",
      retryMs: 200,
      heartbeatMs: 60_000,
    }),
  );
  cleanups.push(() => api.close());
  // A strict host policy: no inline styles or scripts, only the switchboard's origin.
  const hostUrl = await serveHostPage(
    `${api.url}/webchat.js`,
    options.strictHostCsp
      ? `default-src 'none'; script-src ${api.url}; connect-src ${api.url}; style-src 'self'`
      : undefined,
  );
  const context = await chrome.browser.newContext({
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    ...(options.phone ? { isMobile: true, hasTouch: true } : {}),
    colorScheme: options.colorScheme ?? "light",
  });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (entry) => {
    if (entry.type() === "error") problems.push(`console: ${entry.text()}`);
  });
  await page.goto(hostUrl);
  return { deps, api, page, problems, hostUrl };
}

const onlySid = (deps: InMemoryWebchat) => [...deps.conversations.keys()].at(-1)!;

async function indices(page: Page): Promise<number[]> {
  return page
    .locator(".msg")
    .evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute("data-index"))));
}

describe("web chat widget in Chromium", () => {
  it("chats cross-origin: send, typing dots, reply, reconnect and reload without duplicates", async () => {
    const { deps, api, page, problems } = await setUp();
    const launcher = page.getByRole("button", { name: "Open chat" });
    await launcher.click();
    const input = page.getByRole("textbox", { name: "Message" });
    await input.waitFor();
    await expect.poll(() => deps.conversations.size).toBe(1);
    const conversationSid = onlySid(deps);

    await input.fill("Do you ship to Canada?");
    await input.press("Enter");
    await page.locator('.msg.visitor[data-index="0"]:not(.pending)').waitFor();
    expect(deps.sends.map((send) => send.text)).toEqual(["Do you ship to Canada?"]);
    expect(deps.sends[0]?.identity).toBe(deps.conversations.get(conversationSid)?.identity);

    // The agent works: typing dots first, then the answer replaces them.
    deps.typing(conversationSid, true);
    const typing = page.getByRole("status", { name: "The agent is typing" });
    await typing.waitFor({ state: "visible" });
    deps.reply(conversationSid, "Yes! We ship to every province; it takes 3–5 business days.");
    await page.locator(".msg.agent .bubble", { hasText: "every province" }).waitFor();
    await typing.waitFor({ state: "hidden" });

    // A person from the team answers, labelled as such.
    deps.reply(
      conversationSid,
      "Hi, Maya here — I added free express shipping to your order.",
      "human",
      "Maya",
    );
    await page.locator(".msg.human .who", { hasText: "Maya · team" }).waitFor();

    // The host page's rude CSS does not reach inside the widget.
    const looks = await page.locator(".send").evaluate((button) => {
      const style = getComputedStyle(button);
      return { background: style.backgroundColor, font: style.fontFamily };
    });
    expect(looks.background).toBe("rgb(76, 110, 245)");
    expect(looks.font).not.toContain("Comic");

    // The connection drops; a reply lands meanwhile; the widget resumes from its last index.
    api.dropConnections();
    deps.reply(conversationSid, "Anything else I can help with?");
    await page.locator(".msg.agent .bubble", { hasText: "Anything else" }).waitFor();
    deps.typing(conversationSid, true);
    await typing.waitFor({ state: "visible" });
    await expect(indices(page)).resolves.toEqual([0, 1, 2, 3]);
    await page.screenshot({ path: "/tmp/webchat.png" });
    deps.typing(conversationSid, false);

    // A reload resumes the same conversation from the stored token, without duplicates.
    await page.reload();
    await page.getByRole("button", { name: "Open chat" }).click();
    await page.locator(".msg.agent .bubble", { hasText: "Anything else" }).waitFor();
    await expect(indices(page)).resolves.toEqual([0, 1, 2, 3]);
    expect(deps.conversations.size).toBe(1);

    await expect(
      page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).resolves.toBeUndefined();
    // Dropped streams make Chromium log a network error; nothing else may.
    expect(problems.filter((problem) => !problem.includes("ERR_"))).toEqual([]);
  });

  it("shows a closed conversation and starts a new one on request", async () => {
    const { deps, page } = await setUp();
    await page.getByRole("button", { name: "Open chat" }).click();
    await expect.poll(() => deps.conversations.size).toBe(1);
    const first = onlySid(deps);
    deps.reply(first, hostile);
    await page.locator(".msg.agent").waitFor();
    // Hostile text stays text.
    await expect(page.locator(".msg.agent .bubble").textContent()).resolves.toBe(hostile);
    await expect(page.locator("switchboard-webchat img").count()).resolves.toBe(0);
    await expect(
      page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).resolves.toBeUndefined();
    deps.close(first);
    await page.getByRole("alert").filter({ hasText: "This conversation has ended." }).waitFor();
    await expect(page.getByRole("textbox", { name: "Message" }).isDisabled()).resolves.toBe(true);

    await page.getByRole("button", { name: "Start a new chat" }).click();
    await expect.poll(() => deps.conversations.size).toBe(2);
    const second = onlySid(deps);
    expect(deps.conversations.get(second)?.identity).toBe(deps.conversations.get(first)?.identity);
    const input = page.getByRole("textbox", { name: "Message" });
    await expect.poll(() => input.isDisabled()).toBe(false);
    await expect(page.locator(".msg").count()).resolves.toBe(0);
    await input.fill("Hello again");
    await input.press("Enter");
    await page.locator('.msg.visitor[data-index="0"]:not(.pending)').waitFor();
    expect(deps.sends.at(-1)).toMatchObject({ conversationSid: second, text: "Hello again" });
  });

  it("moves a visitor whose conversation Twilio forgot to a fresh one without asking", async () => {
    const { deps, page, problems } = await setUp();
    await page.getByRole("button", { name: "Open chat" }).click();
    await expect.poll(() => deps.conversations.size).toBe(1);
    const first = onlySid(deps);
    const identity = deps.conversations.get(first)?.identity;
    const input = page.getByRole("textbox", { name: "Message" });
    await input.fill("Do you ship to Canada?");
    await input.press("Enter");
    await page.locator('.msg.visitor[data-index="0"]:not(.pending)').waitFor();

    // Deleted in the Twilio console (or lost by the dev emulator) while the page is open.
    deps.forget(first);
    await input.fill("Hello?");
    await input.press("Enter");
    await expect.poll(() => deps.sends.at(-1)?.text).toBe("Hello?");
    const second = deps.sends.at(-1)!.conversationSid;
    expect(second).not.toBe(first);
    expect(deps.conversations.get(second)?.identity).toBe(identity);
    await page
      .locator('.msg.visitor[data-index="0"]:not(.pending)', { hasText: "Hello?" })
      .waitFor();
    // No error for the visitor to act on, and the text box still works.
    await expect(page.getByRole("alert").count()).resolves.toBe(0);
    await expect(input.isDisabled()).resolves.toBe(false);
    deps.reply(second, "Yes, we ship everywhere.");
    await page.locator(".msg.agent .bubble", { hasText: "ship everywhere" }).waitFor();
    expect(
      problems.filter((problem) => !problem.includes("ERR_") && !problem.includes("409")),
    ).toEqual([]);
  });

  it("works under a strict host CSP and tells a flooding visitor to slow down", async () => {
    const { deps, page, problems } = await setUp({ strictHostCsp: true });
    await page.getByRole("button", { name: "Open chat" }).click();
    await expect.poll(() => deps.conversations.size).toBe(1);
    const input = page.getByRole("textbox", { name: "Message" });
    for (let count = 1; count <= 5; count += 1) {
      await input.fill(`message ${count}`);
      await input.press("Enter");
      await page.locator(`.msg.visitor[data-index="${count - 1}"]:not(.pending)`).waitFor();
    }
    await input.fill("one too many");
    await input.press("Enter");
    await page.getByRole("alert").filter({ hasText: "sending messages quickly" }).waitFor();
    await expect(input.inputValue()).resolves.toBe("one too many");
    expect(deps.sends).toHaveLength(5);
    // The widget kept its own styles although the page forbids inline ones.
    await expect(
      page.locator(".send").evaluate((button) => getComputedStyle(button).backgroundColor),
    ).resolves.toBe("rgb(76, 110, 245)");
    // The page has no inline style of its own here, so any violation would be ours.
    expect(problems.filter((problem) => !problem.includes("429"))).toEqual([]);
  });

  it("sends when Send is tapped on a phone: the open chat covers the screen and nothing covers Send", async () => {
    const { deps, page, problems } = await setUp({ phone: true });
    await page.getByRole("button", { name: "Open chat" }).tap();
    await expect.poll(() => deps.conversations.size).toBe(1);
    const input = page.getByRole("textbox", { name: "Message" });
    await input.fill("Tapped, not entered");
    const send = page.getByRole("button", { name: "Send message" });
    // What a finger at the centre of Send touches is Send itself, not the launcher.
    await expect(
      send.evaluate((button) => {
        const box = button.getBoundingClientRect();
        const root = button.getRootNode() as ShadowRoot;
        return (
          root.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2)?.closest(".send") ===
          button
        );
      }),
    ).resolves.toBe(true);
    await send.tap();
    await page.locator('.msg.visitor[data-index="0"]:not(.pending)').waitFor();
    expect(deps.sends.map((sent) => sent.text)).toEqual(["Tapped, not entered"]);
    // Still open, filling the screen; its own button closes it and brings the launcher back.
    const panel = page.getByRole("dialog");
    await expect(panel.isVisible()).resolves.toBe(true);
    await expect(panel.boundingBox()).resolves.toMatchObject({
      x: 0,
      y: 0,
      width: 390,
      height: 844,
    });
    await page.screenshot({ path: "/tmp/webchat-phone.png" });
    await page.getByRole("button", { name: "Close chat" }).first().tap();
    await page.getByRole("button", { name: "Open chat" }).waitFor();
    await expect(panel.isVisible()).resolves.toBe(false);
    expect(problems).toEqual([]);
  });

  it("follows the visitor's dark mode, keeping the page's accent", async () => {
    const { page } = await setUp({ colorScheme: "dark" });
    await page.getByRole("button", { name: "Open chat" }).click();
    await page.getByRole("textbox", { name: "Message" }).waitFor();
    const looks = await page.evaluate(() => {
      const root = document.querySelector("switchboard-webchat")!.shadowRoot!;
      const style = (selector: string) => getComputedStyle(root.querySelector(selector)!);
      return {
        log: style(".log").backgroundColor,
        greeting: style(".greeting").color,
        send: style(".send").backgroundColor,
      };
    });
    expect(looks).toEqual({
      log: "rgb(15, 18, 23)",
      greeting: "rgb(230, 232, 235)",
      send: "rgb(76, 110, 245)",
    });
  });
});
