import { mkdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chromiumForTests } from "../chromium.test-support.js";
import { serveHandler } from "../webchat/serve-handler.test-support.js";
import { createConsoleApi } from "./console-api.js";
import { InMemoryConsole } from "./in-memory-console.test-support.js";

const chrome = chromiumForTests();
const { cleanups } = chrome;

const token = "media-page-token-0123456789";
const pdf = new TextEncoder().encode("%PDF-1.4\n%fake quote\n");

/** A real PNG (a dented bumper, roughly): Chromium draws it. */
async function photo(): Promise<Uint8Array> {
  const page = await chrome.browser.newPage({ viewport: { width: 320, height: 200 } });
  await page.setContent(
    `<body style="margin:0"><div style="width:320px;height:200px;background:linear-gradient(135deg,#3a6ea5,#c8d8e8);position:relative"><div style="position:absolute;left:110px;top:70px;width:100px;height:60px;border-radius:50%;background:#223"></div></div></body>`,
  );
  const bytes = await page.screenshot({ type: "png" });
  await page.close();
  return new Uint8Array(bytes);
}

async function setUp(viewport: { width: number; height: number }) {
  const deps = new InMemoryConsole({ mode: "serve" });
  const sid = deps.seed("whatsapp", "whatsapp:+15551239002", [
    ["customer", ""],
    ["agent", "Thanks for the photo — a person will take a look."],
    ["customer", ""],
  ]);
  deps.attach(sid, 0, [{ contentType: "image/png", filename: "bumper.png", bytes: await photo() }]);
  deps.attach(sid, 2, [{ contentType: "application/pdf", filename: "quote.pdf", bytes: pdf }]);
  const server = await serveHandler(createConsoleApi(deps, { token, retryMs: 200 }));
  cleanups.push(() => server.close().catch(() => {}));
  const context = await chrome.browser.newContext({ viewport, acceptDownloads: true });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  const requests: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/media")) {
      requests.push(`${request.url()} ${request.headers().authorization ?? "no token"}`);
    }
  });
  await page.goto(`${server.url}/#token=${token}`);
  await page.goto(`${server.url}/#/conversations/${sid}`);
  // Connected: the transcript's redraw on connecting has happened, so a button the test
  // focuses is the one that stays.
  await page.locator("#live", { hasText: "Live" }).waitFor();
  return { deps, sid, context, page, problems, requests };
}

describe("console page: attachments in Chromium", () => {
  it("opens a photo as a thumbnail and a PDF as a download, from the keyboard, with the token in a header", async () => {
    const { sid, context, page, problems, requests } = await setUp({ width: 1366, height: 900 });
    const transcript = page.locator("#transcript");
    const image = transcript.getByRole("button", { name: "Open attachment bumper.png" });
    await image.waitFor();
    await expect(transcript.locator(".no-body").count()).resolves.toBe(0);

    await image.focus();
    await page.keyboard.press("Enter");
    const thumb = transcript.locator("a.media-thumb");
    await thumb.waitFor();
    await expect
      .poll(() => thumb.locator("img").evaluate((node) => (node as HTMLImageElement).naturalWidth))
      .toBe(320);
    await expect(thumb.evaluate((node) => node === document.activeElement)).resolves.toBe(true);
    await expect(thumb.getAttribute("href")).resolves.toMatch(/^blob:/);

    const [full] = await Promise.all([context.waitForEvent("page"), page.keyboard.press("Enter")]);
    await full.waitForLoadState();
    expect(full.url()).toMatch(/^blob:/);
    await full.close();

    const pdfButton = transcript.getByRole("button", { name: "Open attachment quote.pdf" });
    await pdfButton.focus();
    await page.keyboard.press("Enter");
    const link = transcript.locator("a.media-download");
    await link.waitFor();
    await expect(link.textContent()).resolves.toContain("quote.pdf");
    await expect(link.getAttribute("download")).resolves.toBe("quote.pdf");
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe("quote.pdf");
    const saved = await download.path();
    expect(readFileSync(saved!, "utf8")).toBe("%PDF-1.4\n%fake quote\n");

    expect(requests).toEqual([
      `http://${new URL(page.url()).host}/api/conversations/${sid}/media?index=0&position=0 Bearer ${token}`,
      `http://${new URL(page.url()).host}/api/conversations/${sid}/media?index=2&position=0 Bearer ${token}`,
    ]);
    expect(problems).toEqual([]);
  });

  it.each([
    ["phone", { width: 390, height: 844 }],
    ["desktop", { width: 1366, height: 900 }],
  ])("looks right on a %s", async (name, viewport) => {
    const { page, problems } = await setUp(viewport);
    const transcript = page.locator("#transcript");
    await transcript.getByRole("button", { name: "Open attachment bumper.png" }).click();
    await transcript.locator("a.media-thumb img").waitFor();
    const folder = process.env.SHOTS_DIR;
    if (folder) {
      mkdirSync(folder, { recursive: true });
      await transcript.getByRole("button", { name: "Open attachment quote.pdf" }).focus();
      await page.screenshot({ path: `${folder}/${name}-before-pdf.png`, fullPage: true });
    }
    await transcript.getByRole("button", { name: "Open attachment quote.pdf" }).click();
    await transcript.locator("a.media-download").waitFor();
    if (folder) await page.screenshot({ path: `${folder}/${name}-opened.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
