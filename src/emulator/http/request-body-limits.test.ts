import { request as httpRequest, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";
import { defaultMaximumBodyBytes } from "./emulator-server.js";

/**
 * Auth is checked before the body is read, and REST bodies are capped at 1 MiB (media
 * upload keeps its own, larger cap).
 */
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

const basic = () =>
  `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;

/**
 * Starts a POST whose body never ends: one chunk is written and the request stays open.
 * Resolves with the response, which can only come if the server answers without
 * waiting for the whole body.
 */
function openEndedPost(path: string, headers: Record<string, string>) {
  const target = new URL(path, emulator.url);
  return new Promise<{ response: IncomingMessage; body: string }>((resolve, reject) => {
    const pending = httpRequest(
      target,
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => {
          pending.destroy();
          resolve({ response, body });
        });
      },
    );
    pending.on("error", reject);
    pending.write(`FriendlyName=${"x".repeat(64 * 1024)}`);
  });
}

describe("request body limits", () => {
  it("answers 413 with Twilio's error body for a form body over 1 MiB", async () => {
    const response = await fetch(`${emulator.url}/v1/Conversations`, {
      method: "POST",
      headers: {
        Authorization: basic(),
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: `FriendlyName=${"x".repeat(defaultMaximumBodyBytes + 1)}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ status: 413, code: 20001 });
  });

  it("answers 413 from Content-Length alone, before the body arrives", async () => {
    const { response, body } = await openEndedPost("/v1/Conversations", {
      Authorization: basic(),
      "Content-Length": String(defaultMaximumBodyBytes + 1),
    });
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ status: 413, code: 20001 });
  });

  it("answers 401 to an unauthenticated body without waiting for all of it", async () => {
    const { response, body } = await openEndedPost("/v1/Conversations", {
      "Content-Length": String(100 * 1024 * 1024),
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers.connection).toBe("close");
    expect(JSON.parse(body)).toMatchObject({ status: 401, code: 20003 });
  });

  it("still accepts an ordinary form body", async () => {
    const response = await fetch(`${emulator.url}/v1/Conversations`, {
      method: "POST",
      headers: {
        Authorization: basic(),
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: `FriendlyName=${"x".repeat(200)}`,
    });
    expect(response.status).toBe(201);
  });
});
