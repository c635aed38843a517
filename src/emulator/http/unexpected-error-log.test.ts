import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../log/create-logger.js";
import { type Emulator, startEmulator } from "../start-emulator.js";
import { twilioErrors } from "./twilio-errors.js";
import type { EmulatorRoute } from "./types.js";

/** A 500 from the emulator says what broke: one error line naming the route, no secrets. */
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const failingRoutes: EmulatorRoute[] = [
  {
    method: "POST",
    pattern: "/v1/Broken/:address",
    handler: (request) => {
      throw new Error(`cannot file a message for ${request.params.address}`);
    },
  },
  {
    method: "GET",
    pattern: "/_emulator/broken",
    handler: () => {
      throw new RangeError("Invalid time value");
    },
  },
  {
    method: "GET",
    pattern: "/v1/Refused",
    handler: () => {
      throw twilioErrors.invalidParameter("Thing", "must be a thing");
    },
  },
];

describe("unexpected errors", () => {
  it("logs one error line per 500 with the route pattern and the message", async () => {
    const calls: { fields: Record<string, unknown>; message: string }[] = [];
    emulator = await startEmulator({
      routes: failingRoutes,
      logger: { error: (fields, message) => calls.push({ fields, message }) },
    });
    const authorization = `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;
    const rest = await fetch(`${emulator.url}/v1/Broken/%2B15551230001`, {
      method: "POST",
      headers: { authorization },
    });
    expect(rest.status).toBe(500);
    expect((await fetch(`${emulator.url}/_emulator/broken`)).status).toBe(500);

    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({
      fields: { route: "POST /v1/Broken/:address", err: expect.any(Error) },
      message: "emulator route failed unexpectedly",
    });
    expect((calls[0]!.fields.err as Error).message).toBe("cannot file a message for +15551230001");
    expect(calls[1]!.fields).toMatchObject({
      route: "GET /_emulator/broken",
      err: { message: "Invalid time value" },
    });
    const logged = JSON.stringify(calls.map(({ fields }) => fields.route));
    expect(logged).not.toContain(emulator.authToken);
    expect(logged).not.toContain("15551230001");
  });

  it("logs nothing for the errors it answers on purpose (4xx)", async () => {
    const calls: unknown[] = [];
    emulator = await startEmulator({
      routes: failingRoutes,
      logger: { error: (fields) => calls.push(fields) },
    });
    const authorization = `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;
    expect((await fetch(`${emulator.url}/v1/Refused`, { headers: { authorization } })).status).toBe(
      400,
    );
    expect((await fetch(`${emulator.url}/v1/Nowhere`, { headers: { authorization } })).status).toBe(
      404,
    );
    expect((await fetch(`${emulator.url}/v1/Refused`)).status).toBe(401);
    const clock = await fetch(`${emulator.url}/_emulator/clock`, {
      method: "POST",
      body: JSON.stringify({ advanceMs: 1e300 }),
    });
    expect(clock.status).toBe(400);
    expect(calls).toEqual([]);
  });

  it("writes through switchboard's logger as one JSON line with numbers masked", async () => {
    const lines: string[] = [];
    emulator = await startEmulator({
      routes: failingRoutes,
      logger: createLogger({
        level: "error",
        destination: { write: (line: string) => lines.push(line) },
      }),
    });
    const authorization = `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;
    await fetch(`${emulator.url}/v1/Broken/%2B15551230001`, {
      method: "POST",
      headers: { authorization },
    });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: "error",
      msg: "emulator route failed unexpectedly",
      route: "POST /v1/Broken/:address",
      err: { type: "Error", message: "cannot file a message for +1555***0001" },
    });
    expect(lines[0]).not.toContain(emulator.authToken);
    expect(lines[0]).not.toContain("15551230001");
  });
});
