import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";

/** The control API has no credential, so a web page must never reach it. */
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

/** A raw request, so `Host` can be set as a rebinding page's browser would send it. */
function raw(path: string, headers: Record<string, string>, body = "") {
  const url = new URL(emulator.url);
  return new Promise<number>((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, path, method: "POST", headers },
      (incoming) => {
        incoming.resume();
        resolve(incoming.statusCode ?? 0);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const inbound = JSON.stringify({ channel: "sms", from: "+15551230001", body: "hello" });

describe("the emulator's control API", () => {
  it("accepts a local tool (no Origin) addressed by IP or localhost", async () => {
    const port = new URL(emulator.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect(
        await raw("/_emulator/inbound", { host, "content-type": "application/json" }, inbound),
      ).toBe(201);
    }
  });

  it("refuses a rebinding page's foreign Host, a cross-site text/plain post and a foreign Origin", async () => {
    const port = new URL(emulator.url).port;
    const before = emulator.customer({ channel: "sms", address: "+15551230002" }).messages().length;
    const refused = [
      { host: `attacker.example:${port}`, "content-type": "application/json" },
      { host: `127.0.0.1:${port}`, "content-type": "text/plain", "sec-fetch-site": "cross-site" },
      {
        host: `127.0.0.1:${port}`,
        "content-type": "text/plain",
        origin: "https://attacker.example",
      },
      { host: `127.0.0.1:${port}`, "content-type": "application/json", origin: "null" },
    ];
    for (const headers of refused) {
      const body = JSON.stringify({ channel: "sms", from: "+15551230002", body: "forged" });
      expect({ headers, status: await raw("/_emulator/inbound", headers, body) }).toEqual({
        headers,
        status: 403,
      });
    }
    expect(emulator.customer({ channel: "sms", address: "+15551230002" }).messages().length).toBe(
      before,
    );
  });
});
