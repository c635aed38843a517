import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { restFaultResponse, runWithRestFaults } from "./apply-rest-fault.js";
import { createRestFaultEngine, type RestFaultEngine } from "./fault-rule-set.js";
import { parseRestFaultRule } from "./parse-fault-rule.js";

/** A tiny REST server whose one handler "stores" a message, behind the fault step. */
async function startServer(faults: RestFaultEngine) {
  const stored: string[] = [];
  const server: Server = createServer((incoming, response) => {
    void runWithRestFaults(faults, incoming, response, (res) => {
      stored.push(incoming.url ?? "");
      const body = JSON.stringify({ sid: `IM${stored.length}` });
      res.writeHead(201, { "Content-Type": "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  servers.push(server);
  return { stored, port };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

type Answer =
  | { status: number; headers: Record<string, unknown>; body: string }
  | { error: string };

function send(port: number, method: string, path: string): Promise<Answer> {
  return new Promise((resolve) => {
    const outgoing = request(
      { host: "127.0.0.1", port, method, path, agent: false },
      (response) => {
        let body = "";
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    outgoing.on("error", (error) =>
      resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    outgoing.end();
  });
}

const messages = "/v1/Conversations/CH1/Messages";

describe("runWithRestFaults", () => {
  it("passes requests through when no rule matches", async () => {
    const faults = createRestFaultEngine();
    faults.add(parseRestFaultRule({ match: { method: "DELETE" }, fault: { status: 500 } }));
    const { stored, port } = await startServer(faults);
    expect(await send(port, "POST", messages)).toMatchObject({ status: 201 });
    expect(stored).toEqual([messages]);
  });

  it("answers a status fault with a Twilio error body and Retry-After, storing nothing", async () => {
    const faults = createRestFaultEngine();
    faults.add(
      parseRestFaultRule({
        match: { path: "/Messages" },
        fault: { status: 429, retryAfter: 3 },
        times: 1,
      }),
    );
    const { stored, port } = await startServer(faults);
    const answer = await send(port, "POST", messages);
    expect(answer).toMatchObject({ status: 429, headers: { "retry-after": "3" } });
    expect(JSON.parse((answer as { body: string }).body)).toEqual({
      code: 20429,
      message: "Injected fault: HTTP 429",
      more_info: "https://www.twilio.com/docs/errors/20429",
      status: 429,
    });
    expect(stored).toEqual([]);
    expect(await send(port, "POST", messages)).toMatchObject({ status: 201 });
  });

  it("uses the given Twilio code", async () => {
    const faults = createRestFaultEngine();
    faults.add(parseRestFaultRule({ fault: { status: 409, code: 50416 } }));
    const { port } = await startServer(faults);
    const answer = await send(port, "POST", messages);
    expect(JSON.parse((answer as { body: string }).body)).toMatchObject({
      code: 50416,
      status: 409,
    });
  });

  it("delays, then handles normally", async () => {
    const faults = createRestFaultEngine();
    faults.add(parseRestFaultRule({ fault: { delayMs: 50 } }));
    const { stored, port } = await startServer(faults);
    expect(await send(port, "POST", messages)).toMatchObject({ status: 201 });
    expect(stored).toHaveLength(1);
  });

  it("resets the connection without storing", async () => {
    const faults = createRestFaultEngine();
    faults.add(parseRestFaultRule({ fault: { reset: true } }));
    const { stored, port } = await startServer(faults);
    expect(await send(port, "POST", messages)).toEqual({ error: "ECONNRESET" });
    expect(stored).toEqual([]);
  });

  it("commits, then answers an error: the ambiguous failure", async () => {
    const faults = createRestFaultEngine();
    faults.add(parseRestFaultRule({ fault: { commitThenStatus: 500 }, times: 1 }));
    const { stored, port } = await startServer(faults);
    const answer = await send(port, "POST", messages);
    expect(answer).toMatchObject({ status: 500 });
    expect((answer as { body: string }).body).not.toContain("IM1");
    expect(stored).toEqual([messages]);
  });

  it("commits, then resets the connection", async () => {
    const faults = createRestFaultEngine();
    faults.add(parseRestFaultRule({ fault: { commitThenReset: true }, times: 1 }));
    const { stored, port } = await startServer(faults);
    expect(await send(port, "POST", messages)).toEqual({ error: "ECONNRESET" });
    expect(stored).toEqual([messages]);
    expect(await send(port, "POST", messages)).toMatchObject({
      status: 201,
      body: '{"sid":"IM2"}',
    });
  });
});

describe("restFaultResponse", () => {
  it("builds the Twilio error answer as data, with default codes per status", () => {
    expect(restFaultResponse(429, undefined, 1)).toEqual({
      status: 429,
      headers: { "Retry-After": "1" },
      body: {
        code: 20429,
        message: "Injected fault: HTTP 429",
        more_info: "https://www.twilio.com/docs/errors/20429",
        status: 429,
      },
    });
    expect(restFaultResponse(502).body.code).toBe(20500);
    expect(restFaultResponse(400).body.code).toBe(20001);
    expect(restFaultResponse(404).headers).toEqual({});
  });
});
