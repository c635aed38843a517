import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serveHandler } from "../webchat/serve-handler.test-support.js";
import { createConsoleApi } from "./console-api.js";
import type { ConsoleInfo } from "./console-deps.js";
import { InMemoryConsole } from "./in-memory-console.test-support.js";

const token = "console-test-token-7f3a9c";
const hostile = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>";

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(info: Partial<ConsoleInfo> = {}) {
  const deps = new InMemoryConsole(info);
  const server = await serveHandler(createConsoleApi(deps, { token, retryMs: 200 }));
  cleanups.push(() => server.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  cleanups.push(() => page.close());
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (entry) => {
    if (entry.type() === "error") problems.push(`console: ${entry.text()}`);
  });
  return { deps, page, problems, url: server.url };
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
    await expect(reply.inputValue()).resolves.toBe("");
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
    await page.getByRole("button", { name: "Take over" }).click();
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
