import { describe, expect, it } from "vitest";
import { chromiumForTests } from "../chromium.test-support.js";
import { serveHandler } from "../webchat/serve-handler.test-support.js";
import { createConsoleApi } from "./console-api.js";
import type { ConsoleInfo } from "./console-deps.js";
import { InMemoryConsole } from "./in-memory-console.test-support.js";

const chrome = chromiumForTests();
const { cleanups } = chrome;

const options = [
  { id: "repair", title: "Repairs" },
  { id: "rental", title: "Rentals" },
];

/** A console over an in-memory store with one SMS and one web chat conversation. */
async function setUp(info: Partial<ConsoleInfo> = {}) {
  const deps = new InMemoryConsole(info);
  const sms = deps.seed("sms", "+15551239001", [
    ["customer", ""],
    ["agent", "What do you need?\n\n1. Repairs\n2. Rentals\nReply with a number."],
    ["agent", "Open today 😀"],
  ]);
  const chat = deps.seed("chat", "visitor-rich", [
    ["customer", "hi"],
    ["agent", "What do you need?"],
  ]);
  const [voice, numbered, emoji] = deps.conversations.get(sms)!.messages;
  voice!.body = null;
  voice!.media = [{ contentType: "audio/ogg", transcript: "Do you fix brakes?" }];
  numbered!.sms = { encoding: "GSM-7", segments: 1 };
  numbered!.choices = options;
  emoji!.sms = { encoding: "UCS-2", segments: 1 };
  deps.conversations.get(chat)!.messages[1]!.choices = options;

  const handler = createConsoleApi(deps, { retryMs: 200 });
  const server = await serveHandler(handler);
  cleanups.push(() => server.close().catch(() => {}));
  const context = await chrome.browser.newContext({ viewport: { width: 1440, height: 860 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  return { deps, page, problems, url: server.url, sms, chat };
}

describe("console page: rich messages in Chromium", () => {
  it("shows a voice note's transcript, SMS segments and the options, and a tap answers as the customer", async () => {
    const { deps, page, problems, url, sms, chat } = await setUp();
    const into: (string | undefined)[] = [];
    const send = deps.sendAsCustomer!;
    deps.sendAsCustomer = (input) => {
      into.push(input.conversationSid);
      return send(input);
    };
    await page.goto(`${url}/#/conversations/${sms}`);
    const transcript = page.locator("#transcript");
    await transcript.locator(".voice-transcript").waitFor();
    await expect(transcript.locator(".voice-transcript").textContent()).resolves.toBe(
      "Voice note: “Do you fix brakes?”",
    );
    await expect(transcript.locator(".sms-cost").allTextContents()).resolves.toEqual([
      "1 SMS segment · GSM-7",
      "1 SMS segment · UCS-2",
    ]);
    await expect(transcript.locator(".sms-total").textContent()).resolves.toBe("2 SMS segments");

    // On SMS the customer answers the second option with "2".
    await transcript.getByRole("button", { name: "Rentals" }).click();
    await expect.poll(() => deps.actions).toEqual(["send sms +15551239001 2"]);

    // On web chat a tap sends the option's title, in the same conversation.
    await page.goto(`${url}/#/conversations/${chat}`);
    await page.reload();
    await transcript.locator(".message.agent .choice", { hasText: "Repairs" }).click();
    await expect
      .poll(() => deps.actions)
      .toEqual(["send sms +15551239001 2", "send chat visitor-rich Repairs"]);
    expect(into).toEqual([undefined, chat]);
    expect(problems).toEqual([]);
  });

  it("shows the options without letting them be tapped outside dev mode", async () => {
    const { page, url, sms } = await setUp({ mode: "serve" });
    await page.goto(`${url}/#/conversations/${sms}`);
    const button = page.locator("#transcript .choice", { hasText: "Rentals" });
    await button.waitFor();
    await expect(button.isDisabled()).resolves.toBe(true);
  });
});
