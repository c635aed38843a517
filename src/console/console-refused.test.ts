import { describe, expect, it } from "vitest";
import { chromiumForTests } from "../chromium.test-support.js";
import { serveHandler } from "../webchat/serve-handler.test-support.js";
import { createConsoleApi } from "./console-api.js";
import type { ConsoleRefusedMessage } from "./console-deps.js";
import { InMemoryConsole } from "./in-memory-console.test-support.js";

const chrome = chromiumForTests();
const { cleanups } = chrome;

const token = "refused-console-token-0123456789";

function refused(overrides: Partial<ConsoleRefusedMessage> = {}): ConsoleRefusedMessage {
  return {
    conversationSid: `CH${"a".repeat(32)}`,
    messageSid: `IM${"b".repeat(32)}`,
    author: "+1555***0001",
    field: "attributes",
    reason: "attributes: is larger than 16384 bytes",
    bodyLength: 12,
    at: new Date(Date.now() - 120_000).toISOString(),
    ...overrides,
  };
}

async function setUp() {
  const deps = new InMemoryConsole();
  deps.seed("sms", "+15551239001", [
    ["customer", "Do you open on Sunday?"],
    ["agent", "Yes, from 10:00 to 16:00."],
  ]);
  const handler = createConsoleApi(deps, { token, retryMs: 200 });
  const server = await serveHandler(handler);
  cleanups.push(() => server.close().catch(() => {}));
  return { deps, url: server.url };
}

describe("GET /api/refused-messages", () => {
  it("lists the refused messages behind the console token", async () => {
    const { deps, url } = await setUp();
    const entry = refused();
    deps.refused.push(entry);
    expect((await fetch(`${url}/api/refused-messages`)).status).toBe(401);
    const listed = await fetch(`${url}/api/refused-messages`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ messages: [entry] });
    const post = await fetch(`${url}/api/refused-messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(post.status).toBe(405);
  });
});

describe("console page: refused messages in Chromium", () => {
  for (const viewport of [
    { name: "desktop", width: 1440, height: 860 },
    { name: "phone", width: 390, height: 844 },
  ]) {
    it(`shows refused messages live, as text (${viewport.name})`, async () => {
      const { deps, url } = await setUp();
      const context = await chrome.browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
      });
      cleanups.push(() => context.close());
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("dialog", (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      const requested: string[] = [];
      page.on("request", (request) => requested.push(request.url()));
      // The fragment form: the browser never sends it, so the token is in no request line.
      await page.goto(`${url}/#token=${token}`);
      await page.locator("#live", { hasText: "Live" }).waitFor();
      expect(requested.filter((address) => address.includes(token))).toEqual([]);
      expect(await page.evaluate(() => location.hash)).toBe("");
      // None yet: the section is not shown at all.
      expect(await page.locator("#refused").isHidden()).toBe(true);

      deps.refuse(refused());
      deps.refuse(
        refused({
          messageSid: `IM${"c".repeat(32)}`,
          author: "whatsapp:+4477***0456",
          field: "body",
          reason: '<img src=x onerror="alert(1)"> body: must not contain NUL characters',
          bodyLength: 40_312,
          at: new Date().toISOString(),
        }),
      );
      const section = page.locator("#refused");
      await section.waitFor({ state: "visible" });
      await expect.poll(() => page.locator("#refused-count").textContent()).toBe("2");
      await section.locator("summary").click();
      const items = page.locator("#refused-list li");
      expect(await items.count()).toBe(2);
      const newest = (await items.first().textContent()) ?? "";
      expect(newest).toContain("whatsapp:+4477***0456");
      expect(newest).toContain('<img src=x onerror="alert(1)">');
      expect(newest).toContain("40,312 characters");
      expect(await page.locator("#refused-list img").count()).toBe(0);
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `/tmp/console-refused-${viewport.name}.png` });
      expect(problems).toEqual([]);
    });
  }
});
