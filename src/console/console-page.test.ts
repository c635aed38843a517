import { createServer } from "node:http";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumForTests } from "../chromium.test-support.js";
import { serveHandler } from "../webchat/serve-handler.test-support.js";
import { createConsoleApi } from "./console-api.js";
import type { ConsoleInfo } from "./console-deps.js";
import { InMemoryConsole } from "./in-memory-console.test-support.js";

const token = "console-test-token-7f3a9c";
const hostile = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>";

const chrome = chromiumForTests();
const { cleanups } = chrome;

async function setUp(
  info: Partial<ConsoleInfo> = {},
  options: { token?: string | null; colorScheme?: "light" | "dark" } = {},
) {
  const deps = new InMemoryConsole(info);
  const handler = createConsoleApi(deps, {
    ...(options.token === null ? {} : { token: options.token ?? token }),
    retryMs: 200,
  });
  const server = await serveHandler(handler);
  // A test may have stopped it already (the offline state).
  cleanups.push(() => server.close().catch(() => {}));
  const context = await chrome.browser.newContext({
    viewport: { width: 1440, height: 860 },
    colorScheme: options.colorScheme ?? "light",
  });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (entry) => {
    if (entry.type() === "error") problems.push(`console: ${entry.text()}`);
  });
  return { deps, page, problems, url: server.url, server, handler };
}

const conversationItem = (page: Page, customer: string) =>
  page.locator("#conversations .conversation", { hasText: customer });

describe("console page in Chromium", () => {
  it("lists conversations, writes as a customer, shows typing and the reply, hands over and back", async () => {
    const { deps, page, problems, url } = await setUp();
    deps.seed("whatsapp", "whatsapp:+15551230002", [
      ["customer", "Do you have the Trail Runner in size 44?"],
      ["agent", "Yes — size 44 is in stock in blue and black."],
    ]);
    const dead = deps.seed("chat", "visitor-7c1e", [
      ["customer", "Can I change my delivery address?"],
    ]);
    deps.deadLetter(dead, "the agent failed 5 times (model timeout)");

    await page.goto(`${url}/?token=${token}`);
    // The token left the address bar (and so the history and any screenshot).
    expect(page.url()).toBe(`${url}/`);
    await page.locator("#live", { hasText: "Live" }).waitFor();
    await expect(page.locator("#mode").textContent()).resolves.toBe("dev · emulator");
    await expect(page.locator("#inspector-link").getAttribute("href")).resolves.toBe(
      "http://127.0.0.1:3000/_emulator/",
    );
    await expect(page.locator("#conversations .conversation").count()).resolves.toBe(2);
    await expect(
      conversationItem(page, "visitor-7c1e").locator(".badge").allTextContents(),
    ).resolves.toEqual(["Web chat", "Dead letter"]);
    await expect(
      conversationItem(page, "whatsapp:+15551230002").locator(".badge").allTextContents(),
    ).resolves.toEqual(["WhatsApp", "Bot"]);

    // Be a customer on SMS, with the prefilled random test number.
    const from = await page.locator("#customer-from").inputValue();
    expect(from).toMatch(/^\+1555\d{7}$/);
    await page.getByRole("button", { name: "What are your opening hours?" }).click();
    await page.getByRole("button", { name: "Send as customer" }).click();
    await page.locator("#customer-status", { hasText: "Sent" }).waitFor();
    expect(deps.actions).toEqual([`send sms ${from} What are your opening hours?`]);
    const sid = [...deps.conversations.keys()].at(-1)!;
    const transcript = page.locator("#transcript");
    await transcript.locator(".message.customer .bubble", { hasText: "opening hours" }).waitFor();
    await expect(transcript.locator(".transcript-head .badge").allTextContents()).resolves.toEqual([
      "SMS",
      "Bot",
    ]);

    // The agent works on it: typing in the transcript and the list, then the answer.
    deps.typing(sid, true);
    const typing = transcript.getByRole("status", { name: "The agent is typing" });
    await typing.waitFor({ state: "visible" });
    await conversationItem(page, from).locator(".typing-text").waitFor();
    deps.agentReply(sid, "We are open Monday to Saturday, 9:00–18:00.");
    await transcript.locator(".message.agent .bubble", { hasText: "Monday to Saturday" }).waitFor();
    await typing.waitFor({ state: "hidden" });
    await expect(conversationItem(page, from).locator(".last").textContent()).resolves.toBe(
      "Agent: We are open Monday to Saturday, 9:00–18:00.",
    );

    // A message arriving live (no reload) goes below the reply to the one before it.
    await deps.sendAsCustomer!({ channel: "sms", from, text: "And on Sundays?" });
    await transcript.locator(".message.customer .bubble", { hasText: "Sundays" }).waitFor();
    await expect(transcript.locator(".message .bubble").allTextContents()).resolves.toEqual([
      "What are your opening hours?",
      "We are open Monday to Saturday, 9:00–18:00.",
      "And on Sundays?",
    ]);

    // A follow-up, with the agent typing, for the screenshot.
    await page.locator("#customer-text").fill("Can I talk to a person about a refund?");
    await page.locator("#customer-text").press("Enter");
    await transcript.locator(".message.customer .bubble", { hasText: "refund" }).waitFor();
    deps.typing(sid, true);
    await typing.waitFor({ state: "visible" });
    await page.screenshot({ path: "/tmp/console.png" });
    deps.typing(sid, false);

    // Take over, reply as a person, hand back.
    await transcript.getByRole("button", { name: "Take over" }).click();
    await transcript.locator(".transcript-head .badge.state-human").waitFor();
    await transcript.locator(".banner.human").waitFor();
    const reply = transcript.getByRole("textbox", { name: "Reply as a person" });
    await reply.fill("Hi, this is Sam from support. I can help with the refund.");
    await transcript.getByRole("button", { name: "Send reply" }).click();
    await transcript.locator(".message.human .bubble", { hasText: "Sam from support" }).waitFor();
    // The sent message can arrive through the live stream before the send's own answer,
    // which is what clears the box: wait for the box, not just the message.
    await expect.poll(() => reply.inputValue()).toBe("");
    await page.screenshot({ path: "/tmp/console-human.png" });
    await transcript.getByRole("button", { name: "Hand back to bot" }).click();
    await transcript.locator(".transcript-head .badge.state-bot").waitFor();
    await expect(reply.count()).resolves.toBe(0);
    expect(deps.actions.slice(3)).toEqual([
      `handoff ${sid} true`,
      `reply ${sid} Hi, this is Sam from support. I can help with the refund.`,
      `handoff ${sid} false`,
    ]);

    // The dead letter: retry, then (after it fails again) skip.
    await conversationItem(page, "visitor-7c1e").click();
    await transcript.locator(".banner.dead", { hasText: "model timeout" }).waitFor();
    await page.screenshot({ path: "/tmp/console-dead.png" });
    await transcript.getByRole("button", { name: "Retry" }).click();
    await transcript.locator(".transcript-head .badge.state-bot").waitFor();
    await transcript.locator(".banner.dead").waitFor({ state: "hidden" });
    deps.deadLetter(dead, "the agent failed again");
    await transcript.locator(".banner.dead", { hasText: "failed again" }).waitFor();
    await transcript.getByRole("button", { name: "Skip" }).click();
    await transcript.locator(".transcript-head .badge.state-bot").waitFor();
    expect(deps.actions.slice(-2)).toEqual([`retry ${dead}`, `skip ${dead}`]);

    expect(problems).toEqual([]);
  });

  it("shows hostile text as text, and a 409 from the server in the banner", async () => {
    const { deps, page, problems, url } = await setUp();
    const sid = deps.seed("chat", "visitor-x", [["customer", hostile]]);
    await page.goto(`${url}/?token=${token}`);
    await page.locator("#live", { hasText: "Live" }).waitFor();
    await conversationItem(page, "visitor-x").click();
    const bubble = page.locator("#transcript .message.customer .bubble");
    await bubble.waitFor();
    await expect(bubble.textContent()).resolves.toBe(hostile);
    await expect(conversationItem(page, "visitor-x").locator(".last").textContent()).resolves.toBe(
      hostile,
    );
    // The agent's Markdown is shown as bold and italics, built from text only.
    deps.agentReply(sid, `**Bold ${hostile}** and *soft* _and_ **<b>x</b>** snake_case_name`);
    const reply = page.locator("#transcript .message.agent .bubble");
    await reply.waitFor();
    await expect(reply.locator("strong").allTextContents()).resolves.toEqual([
      `Bold ${hostile}`,
      "<b>x</b>",
    ]);
    await expect(reply.locator("em").allTextContents()).resolves.toEqual(["soft", "and"]);
    await expect(reply.textContent()).resolves.toBe(
      `Bold ${hostile} and soft and <b>x</b> snake_case_name`,
    );
    await expect(conversationItem(page, "visitor-x").locator(".last").textContent()).resolves.toBe(
      `Agent: Bold ${hostile} and soft and <b>x</b> snake_case_name`,
    );
    await expect(page.locator("main img, main script, main b").count()).resolves.toBe(0);
    await expect(
      page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).resolves.toBeUndefined();

    // Someone else handed back meanwhile; replying is refused and the console says why.
    // The take-over reloads the transcript: change the server only once that has been read,
    // or the reload would bring "bot" and take the reply box away before the test types.
    const reloaded = page.waitForResponse(
      (response) =>
        response.request().method() === "GET" &&
        new URL(response.url()).pathname === `/api/conversations/${sid}`,
    );
    await page.getByRole("button", { name: "Take over" }).click();
    await reloaded;
    const composer = page.getByRole("textbox", { name: "Reply as a person" });
    await composer.waitFor();
    deps.conversations.get(sid)!.conversation.state = "bot";
    await composer.fill("hello?");
    await page.getByRole("button", { name: "Send reply" }).click();
    await page
      .locator("#transcript .banner.dead", { hasText: "Take the conversation over" })
      .waitFor();
    expect(problems.filter((problem) => !problem.includes("409"))).toEqual([]);
  });

  it("asks for the token when it is missing, and works once it is given", async () => {
    const { deps, page, url } = await setUp();
    deps.seed("sms", "+15551230009", [["customer", "hi"]]);
    await page.goto(`${url}/`);
    const gate = page.getByRole("textbox", { name: "Console token" });
    await gate.waitFor();
    await gate.fill("wrong-token");
    await page.getByRole("button", { name: "Open the console" }).click();
    await page.locator("#gate-status", { hasText: "not accepted" }).waitFor();
    await gate.fill(token);
    await page.getByRole("button", { name: "Open the console" }).click();
    await page.locator("#live", { hasText: "Live" }).waitFor();
    await expect(page.locator("#conversations .conversation").count()).resolves.toBe(1);
  });

  it("disables writing as a customer outside dev mode", async () => {
    const { page, url } = await setUp({ mode: "serve" });
    await page.goto(`${url}/?token=${token}`);
    await page.locator("#mode", { hasText: "serve" }).waitFor();
    await expect(page.getByRole("button", { name: "Send as customer" }).isDisabled()).resolves.toBe(
      true,
    );
    await expect(page.locator("#customer-note").textContent()).resolves.toContain("dev mode");
    await expect(page.locator("#conversations .empty").textContent()).resolves.toContain(
      "No conversations yet",
    );
  });
});

describe("console polish in Chromium", () => {
  it("keeps the open conversation in the address, so a reload opens it again", async () => {
    const { deps, page, problems, url } = await setUp({}, { token: null });
    deps.seed("sms", "+15551230011", [["customer", "first customer"]]);
    const sid = deps.seed("whatsapp", "whatsapp:+15551230012", [
      ["customer", "Is the blue one in stock?"],
      ["agent", "Yes, **two** left."],
    ]);
    await page.goto(`${url}/`);
    await page.locator("#live", { hasText: "Live" }).waitFor();
    await conversationItem(page, "whatsapp:+15551230012").click();
    await page.locator("#transcript .bubble", { hasText: "blue one" }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/conversations/${sid}`);

    await page.reload();
    await page.locator("#transcript .bubble", { hasText: "blue one" }).waitFor();
    await expect(page.locator("#transcript .transcript-head").textContent()).resolves.toContain(
      "whatsapp:+15551230012",
    );
    await expect(
      conversationItem(page, "whatsapp:+15551230012").getAttribute("aria-current"),
    ).resolves.toBe("true");
    // Transcript times carry the day when it is not today, and the full date on hover.
    const time = page.locator("#transcript .message time").first();
    await expect(time.getAttribute("datetime")).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect(time.getAttribute("title")).resolves.toMatch(/\d{4}/);
    expect(problems).toEqual([]);
  });

  it("keeps what the live stream said while a transcript request was in flight", async () => {
    const { deps, page, problems, url } = await setUp({}, { token: null });
    const sid = deps.seed("sms", "+15551230013", [["customer", "Where is my order?"]]);
    await page.goto(`${url}/`);
    await page.locator("#live", { hasText: "Live" }).waitFor();
    // Hold the transcript's answer until the agent has started typing and a new message
    // has arrived live: the answer is then older than the page's state.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let requested = () => {};
    const seen = new Promise<void>((resolve) => {
      requested = resolve;
    });
    await page.route(`**/api/conversations/${sid}`, async (route) => {
      const response = await route.fetch();
      requested();
      await held;
      await route.fulfill({ response });
    });
    await conversationItem(page, "+15551230013").click();
    await seen;
    deps.typing(sid, true);
    await deps.sendAsCustomer!({ channel: "sms", from: "+15551230013", text: "It was due Monday" });
    await conversationItem(page, "+15551230013").locator(".typing-text").waitFor();
    release();
    const transcript = page.locator("#transcript");
    await transcript.locator(".bubble", { hasText: "Where is my order?" }).waitFor();
    await expect(transcript.locator(".message .bubble").allTextContents()).resolves.toEqual([
      "Where is my order?",
      "It was due Monday",
    ]);
    await transcript.getByRole("status", { name: "The agent is typing" }).waitFor();
    expect(problems).toEqual([]);
  });

  it("shows a conversation Twilio forgot as gone, live, and takes the reply box away", async () => {
    const { deps, page, problems, url } = await setUp({}, { token: null });
    const sid = deps.seed("sms", "+15551230021", [["customer", "Where is my order?"]]);
    await deps.setHandoff(sid, true);
    await page.goto(`${url}/#/conversations/${sid}`);
    const transcript = page.locator("#transcript");
    await transcript.getByRole("textbox", { name: "Reply as a person" }).waitFor();

    deps.gone(sid, "not_found: messages.list failed");
    await transcript
      .locator(".banner.dead", { hasText: "no longer exists in Twilio" })
      .filter({ hasText: "not_found: messages.list failed" })
      .waitFor();
    await expect(transcript.getByRole("textbox").count()).resolves.toBe(0);
    await expect(transcript.locator(".actions button").count()).resolves.toBe(0);
    await expect(
      conversationItem(page, "+15551230021").locator(".badge.state-gone").textContent(),
    ).resolves.toBe("Gone");
    // The history stays readable.
    await transcript.locator(".bubble", { hasText: "Where is my order?" }).waitFor();
    expect(problems).toEqual([]);
  });

  it("is one list for the keyboard: a skip link, one tab stop, arrows move, Enter opens", async () => {
    const { deps, page, url } = await setUp({}, { token: null });
    deps.seed("sms", "+15551230021", [["customer", "one"]]);
    deps.seed("sms", "+15551230022", [["customer", "two"]]);
    deps.seed("chat", "visitor-kb", [["customer", "three"]]);
    await page.goto(`${url}/`);
    await page.locator("#live", { hasText: "Live" }).waitFor();
    await expect(page.locator("ul#conversations > li > button.conversation").count()).resolves.toBe(
      3,
    );

    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(
      "Skip to the conversation",
    );
    // Search, the filter, then the list: a single stop for all three rows.
    await page.locator("#waiting-only").focus();
    await page.keyboard.press("Tab");
    const focusedSid = () => page.evaluate(() => document.activeElement?.getAttribute("data-sid"));
    const first = await focusedSid();
    expect(first).toMatch(/^CH/);
    await page.keyboard.press("ArrowDown");
    const second = await focusedSid();
    expect(second).not.toBe(first);
    await page.keyboard.press("Enter");
    await page.locator("#transcript .transcript-head").waitFor();
    expect(new URL(page.url()).hash).toBe(`#/conversations/${second}`);
    await page.keyboard.press("Shift+Tab");
    await expect(focusedSid()).resolves.toBeNull();
  });

  it("finds conversations by search and shows only those waiting for a person", async () => {
    const { deps, page, url } = await setUp({}, { token: null });
    deps.seed("sms", "+15551230031", [["customer", "Where is my refund?"]]);
    const held = deps.seed("sms", "+15551230032", [["customer", "Can I talk to a person?"]]);
    deps.seed("chat", "visitor-search", [["customer", "Opening hours?"]]);
    await deps.setHandoff(held, true);
    await page.goto(`${url}/`);
    await page.locator("#live", { hasText: "Live" }).waitFor();
    await page.getByRole("searchbox", { name: "Search conversations" }).fill("refund");
    await expect(
      page.locator("#conversations .conversation .customer").allTextContents(),
    ).resolves.toEqual(["+15551230031"]);
    await expect(page.locator("#conversation-count").textContent()).resolves.toBe("1 of 3");
    await page.getByRole("searchbox", { name: "Search conversations" }).fill("");
    await expect(page.locator("#waiting-count").textContent()).resolves.toBe("1");
    await page.getByLabel("Waiting for a person").check();
    await expect(
      page.locator("#conversations .conversation .customer").allTextContents(),
    ).resolves.toEqual(["+15551230032"]);
    await page.getByRole("searchbox", { name: "Search conversations" }).fill("refund");
    await page
      .locator("#conversations .empty", { hasText: "No conversation is waiting" })
      .waitFor();
  });

  it("flags the questions nobody answered while a person held the conversation", async () => {
    const { deps, page, url } = await setUp({}, { token: null });
    const sid = deps.seed("sms", "+15551230041", [["customer", "Can I talk to a person?"]]);
    await page.goto(`${url}/`);
    await page.locator("#live", { hasText: "Live" }).waitFor();
    await conversationItem(page, "+15551230041").click();
    const transcript = page.locator("#transcript");
    await transcript.getByRole("button", { name: "Take over" }).click();
    await transcript.getByRole("button", { name: "Hand back to bot" }).waitFor();
    await deps.sendAsCustomer!({ channel: "sms", from: "+15551230041", text: "Hello? Anyone?" });
    const held = transcript.locator(".message.customer", { hasText: "Hello? Anyone?" });
    await held.locator(".badge", { hasText: "For a person" }).waitFor();
    await expect(held.locator(".badge").textContent()).resolves.not.toMatch(/handoff/i);

    await transcript.getByRole("button", { name: "Hand back to bot" }).click();
    await transcript.locator(".banner.notice", { hasText: "nobody has answered it" }).waitFor();
    await expect(held.getAttribute("class")).resolves.toContain("unanswered");
    await page.screenshot({ path: "/tmp/console-unanswered.png" });
    // Taking over from the banner and answering clears the flag.
    await transcript.getByRole("button", { name: "Answer as a person" }).click();
    await transcript.getByRole("textbox", { name: "Reply as a person" }).fill("Sorry, here now!");
    await transcript.getByRole("button", { name: "Send reply" }).click();
    await transcript.getByRole("button", { name: "Hand back to bot" }).click();
    await transcript.getByRole("button", { name: "Take over" }).waitFor();
    await expect(transcript.locator(".banner.notice").isVisible()).resolves.toBe(false);
    expect(deps.actions).toContain(`reply ${sid} Sorry, here now!`);
  });

  it("says offline in words when the server stops, and reconnects when it is back", async () => {
    const { page, url, server, handler } = await setUp({}, { token: null });
    await page.goto(`${url}/`);
    const live = page.locator("#live");
    await live.filter({ hasText: "Live" }).waitFor();
    await server.close();
    await live.filter({ hasText: /Offline|Reconnecting/ }).waitFor();
    await page.locator("#customer-text").fill("Is anyone there?");
    await page.getByRole("button", { name: "Send as customer" }).click();
    const status = page.locator("#customer-status");
    await status.filter({ hasText: "Can't reach the switchboard server" }).waitFor();
    await expect(status.textContent()).resolves.not.toMatch(/fetch/i);
    // Nothing typed is lost.
    await expect(page.locator("#customer-text").inputValue()).resolves.toBe("Is anyone there?");
    await page.screenshot({ path: "/tmp/console-offline.png" });

    // The same address comes back: the badge goes live again by itself.
    const port = Number(new URL(url).port);
    const again = createServer((request, response) => {
      void handler(request, response).then((handled) => {
        if (!handled) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => again.listen(port, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          again.closeAllConnections();
          again.close(() => resolve());
        }),
    );
    await live.filter({ hasText: "Live" }).waitFor({ timeout: 15_000 });
  });

  it("follows the system's dark mode", async () => {
    const colours = async (colorScheme: "light" | "dark") => {
      const { deps, page, url } = await setUp({}, { token: null, colorScheme });
      deps.seed("sms", "+15551230051", [
        ["customer", "hi"],
        ["agent", "Hello!"],
      ]);
      await page.goto(`${url}/`);
      await page.locator("#live", { hasText: "Live" }).waitFor();
      await conversationItem(page, "+15551230051").click();
      await page.locator("#transcript .message.agent").waitFor();
      return page.evaluate(() => ({
        body: getComputedStyle(document.body).backgroundColor,
        panel: getComputedStyle(document.querySelector(".panel")!).backgroundColor,
        ink: getComputedStyle(document.body).color,
        bubble: getComputedStyle(document.querySelector(".message.agent .bubble")!).backgroundColor,
      }));
    };
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const light = await colours("light");
    const dark = await colours("dark");
    expect(luminance(light.body)).toBeGreaterThan(200);
    expect(luminance(dark.body)).toBeLessThan(40);
    expect(luminance(dark.panel)).toBeLessThan(50);
    expect(luminance(dark.bubble)).toBeLessThan(80);
    expect(luminance(dark.ink)).toBeGreaterThan(200);
  });
});
