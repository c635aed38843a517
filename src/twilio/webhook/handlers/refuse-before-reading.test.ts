import { createServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { LogMethod, TwilioLogger } from "../../logger.js";
import { computeTwilioSignature } from "../verify-signature.js";
import { encodeWebhookForm, webhookFixture } from "../webhook-fixtures.js";
import { createNodeWebhookHandler } from "./node-handler.js";

const token = "test-auth-token";
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) =>
    server === undefined ? resolve() : server.close(() => resolve()),
  );
  server = undefined;
});

/** Serves the webhook handler and records, per request, whether its body was read. */
async function serve(warnings: string[] = []) {
  const bodyRead: boolean[] = [];
  const at =
    (level: string): LogMethod =>
    (_fields, message) => {
      if (level === "warn") warnings.push(message ?? "");
      if (level === "error") warnings.push(`ERROR ${message}`);
    };
  const logger: TwilioLogger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
  const handler = createNodeWebhookHandler({
    authToken: token,
    env: {},
    logger,
    onEvent: () => {},
  });
  server = createServer(async (request: IncomingMessage, response) => {
    await handler(request, response);
    // Whether any body chunk was ever emitted to a reader.
    bodyRead.push(request.readableDidRead);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, bodyRead };
}

/**
 * Sends only the head of a POST that announces `contentLength` body bytes and never sends
 * them: a server that waits for the body never answers.
 */
function headOnly(port: number, headers: Record<string, string>, contentLength: number) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
      if (text.includes("\r\n\r\n")) {
        socket.destroy();
        resolve(text.split("\r\n")[0] ?? "");
      }
    });
    socket.on("error", reject);
    const lines = [
      "POST /twilio/webhook HTTP/1.1",
      "Host: 127.0.0.1",
      "Content-Type: application/x-www-form-urlencoded",
      `Content-Length: ${contentLength}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    setTimeout(() => reject(new Error("no answer: the server waited for the body")), 2000).unref();
  });
}

describe("refusing a forged webhook before reading it", () => {
  it("answers 403 to an unsigned POST from its headers alone", async () => {
    const { port, bodyRead } = await serve();
    expect(await headOnly(port, {}, 60_000)).toBe("HTTP/1.1 403 Forbidden");
    await expect.poll(() => bodyRead).toEqual([false]);
  });

  it("answers 403 to a signature not shaped like a digest, unread", async () => {
    const { port, bodyRead } = await serve();
    expect(await headOnly(port, { "X-Twilio-Signature": "forged" }, 60_000)).toBe(
      "HTTP/1.1 403 Forbidden",
    );
    await expect.poll(() => bodyRead).toEqual([false]);
  });

  it("answers 413 to a declared length over 64 KB, unread", async () => {
    const { port, bodyRead } = await serve();
    const signature = `${"A".repeat(27)}=`;
    expect(await headOnly(port, { "X-Twilio-Signature": signature }, 800_000)).toBe(
      "HTTP/1.1 413 Payload Too Large",
    );
    await expect.poll(() => bodyRead).toEqual([false]);
  });

  it("answers a spoofed signature-settings header 403 at warn level, not 500", async () => {
    const warnings: string[] = [];
    const { port } = await serve(warnings);
    const fields = webhookFixture("onMessageAdded");
    const url = `http://127.0.0.1:${port}/twilio/webhook`;
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": computeTwilioSignature(token, url, fields),
        "x-twilio-webhooks-signature-settings": "algorithm=HMAC_SHA256",
      },
      body: encodeWebhookForm(fields),
    });
    expect(response.status).toBe(403);
    expect(warnings).toEqual(["webhook refused: bad signature"]);
  });

  it("refuses a body of more fields than a Conversations event has, before parsing", async () => {
    const { port } = await serve();
    const url = `http://127.0.0.1:${port}/twilio/webhook`;
    const body = Array.from({ length: 5000 }, (_, index) => `k${index}=v`).join("&");
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": `${"A".repeat(27)}=`,
      },
      body,
    });
    expect(response.status).toBe(400);
  });
});
