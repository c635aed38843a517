import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32, deflateSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../src/chromium.test-support.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { TwilioProvider } from "../../src/twilio/provider/index.js";
import { createProviderWebchatDeps } from "../../src/webchat/adapter/provider-webchat-deps.js";
import { createWebchatApi } from "../../src/webchat/webchat-api.js";
import { eventually, type Harness, startHarness } from "../runtime/runtime-harness.js";

/**
 * A web chat visitor attaches a photo in Chromium, on a phone and on a desktop: the widget
 * refuses a wrong file before upload, shows the photo in the log, and the agent reads the
 * same bytes as an image part. Screenshots: /tmp/e2e-webchat-upload-*.png.
 */

/** A real PNG (a striped 120×80 picture), so the screenshot shows a photo. */
function stripedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.byteLength);
    const check = Buffer.alloc(4);
    check.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, check]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const band = Math.floor((x + y) / 16) % 3;
      row.set(
        band === 0 ? [230, 120, 40] : band === 1 ? [40, 110, 200] : [250, 235, 200],
        1 + x * 3,
      );
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const photo = stripedPng(120, 80);
let harness: Harness;
let browser: Browser;
let site: Server;
let siteUrl: string;
let visitorProvider: TwilioProvider;
const received: Uint8Array[] = [];

beforeAll(async () => {
  const agent = recordingAgent({
    respond: async (turn) => {
      const media = turn.media[0];
      if (media?.read === undefined) return { text: "Send us a photo of the part." };
      received.push(await media.read());
      return {
        text: `Thanks, I can see your ${media.contentType === "image/png" ? "photo" : "file"}.`,
      };
    },
  });
  harness = await startHarness({ agent });
  const { emulator } = harness;
  visitorProvider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
    webhookEnabled: true,
  });
  const api = createWebchatApi(
    createProviderWebchatDeps({ provider: visitorProvider, events: harness.switchboard.events }),
    { secret: "a-test-secret-that-is-long-enough-0123456789", uploads: { maxBytes: 1024 * 1024 } },
  );
  // The chat and a shop page on one server: the page embeds the widget like any site.
  site = createServer((request, response) => {
    api(request, response).then((handled) => {
      if (handled) return;
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Harbor Bikes</title></head>
<body style="font-family: sans-serif; padding: 2rem"><h1>Harbor Bikes</h1><p>Sales, repairs and rentals.</p>
<script src="/webchat.js" data-title="Harbor Bikes" data-open="true"></script></body></html>`);
    });
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  site?.closeAllConnections();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await visitorProvider?.stop();
  await harness?.close();
});

describe("web chat uploads in a browser", () => {
  for (const [device, viewport] of [
    ["phone", { width: 390, height: 844 }],
    ["desktop", { width: 1280, height: 800 }],
  ] as const) {
    it(`a visitor attaches a photo on a ${device}; a wrong file is refused before upload`, async () => {
      const page = await browser.newPage({ viewport, isMobile: device === "phone" });
      const uploads: string[] = [];
      page.on("request", (request) => {
        if (request.url().includes("/webchat/uploads")) uploads.push(request.url());
      });
      await page.goto(siteUrl);
      const widget = page.locator(".sbw");
      const attach = widget.getByRole("button", { name: /^Attach photos, audio or PDFs$/ });
      await attach.waitFor();
      const picker = widget.locator("input.file");
      expect(await picker.getAttribute("accept")).toContain("image/png");

      // A wrong type and an oversized photo: refused in the widget, nothing sent.
      await picker.setInputFiles({
        name: "invoice.zip",
        mimeType: "application/zip",
        buffer: Buffer.from("PK\u0003\u0004"),
      });
      await widget
        .getByRole("alert")
        .getByText("can’t be sent: you can send photos, audio or PDFs")
        .waitFor();
      await picker.setInputFiles({
        name: "huge.png",
        mimeType: "image/png",
        buffer: Buffer.concat([photo, Buffer.alloc(1024 * 1024)]),
      });
      await widget
        .getByRole("alert")
        .getByText("“huge.png” is just over 1 MB, the most you can send.")
        .waitFor();
      await page.screenshot({ path: `/tmp/e2e-webchat-upload-refused-${device}.png` });
      expect(uploads).toEqual([]);

      // The photo: shown in the log, answered by the agent, which read the same bytes.
      const before = received.length;
      await picker.setInputFiles({ name: "chain-ring.png", mimeType: "image/png", buffer: photo });
      await widget
        .locator(".msg.agent")
        .filter({ hasText: "I can see your photo" })
        .first()
        .waitFor();
      const shown = widget.locator(".msg.visitor img.photo").last();
      await shown.waitFor();
      await expect
        .poll(() => shown.evaluate((image) => (image as HTMLImageElement).naturalWidth))
        .toBe(120);
      expect(await shown.getAttribute("alt")).toBe("chain-ring.png");
      await eventually(() => (received.length === before + 1 ? true : undefined), "the agent read");
      expect(Buffer.from(received.at(-1)!)).toEqual(photo);
      // A PDF is shown by its name.
      await picker.setInputFiles({
        name: "frame-manual.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from("%PDF-1.4\n%%EOF\n"),
      });
      await widget.locator(".msg.visitor .media .file", { hasText: "frame-manual.pdf" }).waitFor();
      await widget
        .locator(".msg.agent")
        .filter({ hasText: "I can see your file" })
        .first()
        .waitFor();
      await page.screenshot({ path: `/tmp/e2e-webchat-upload-${device}.png` });

      // A reload shows the photo again, read back through the token-guarded media route.
      await page.reload();
      const again = page.locator(".sbw .msg.visitor img.photo").last();
      await again.waitFor();
      await expect
        .poll(() => again.evaluate((image) => (image as HTMLImageElement).naturalWidth))
        .toBe(120);
      await page.close();
    }, 60_000);
  }
});
