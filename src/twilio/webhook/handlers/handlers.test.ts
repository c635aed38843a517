import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../errors.js";
import { WebhookEventRefusedError } from "../../errors.js";
import type { LogMethod, TwilioLogger } from "../../logger.js";
import type { WebhookEvent } from "../event-types.js";
import { computeBodyHash, computeTwilioSignature } from "../verify-signature.js";
import { encodeWebhookForm, signedWebhookRequest, webhookFixture } from "../webhook-fixtures.js";
import { createExpressWebhookMiddleware } from "./express-middleware.js";
import { createFastifyWebhookPlugin, type FastifyWebhookPluginOptions } from "./fastify-plugin.js";
import { createFetchWebhookHandler } from "./fetch-handler.js";
import { handleWebhookRequest, type WebhookHandlerOptions } from "./handle-webhook-request.js";
import { createNodeWebhookHandler } from "./node-handler.js";

const token = "test-auth-token";
const path = "/twilio/webhook";

interface LogEntry {
  level: string;
  fields: Record<string, unknown>;
  message: string | undefined;
}

function recordingLogger(entries: LogEntry[]): TwilioLogger {
  const at =
    (level: string): LogMethod =>
    (fields, message) => {
      entries.push({ level, fields, message });
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

interface Harness {
  baseUrl: string;
  close: () => Promise<void>;
}

type Start = (options: WebhookHandlerOptions) => Promise<Harness>;

async function listen(server: Server): Promise<Harness> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function listenFastify(app: FastifyInstance): Promise<Harness> {
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { baseUrl: address, close: () => app.close() };
}

/** Bridges node:http to a Fetch handler, the way a Web-standard runtime would call it. */
function fetchBridge(handler: (request: Request) => Promise<Response>) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const answer = await handler(
      new Request(`http://${request.headers.host}${request.url}`, {
        method: request.method ?? "POST",
        headers,
        body: hasBody ? (Readable.toWeb(request) as ReadableStream<Uint8Array>) : null,
        duplex: "half",
      } as RequestInit),
    );
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  };
}

const servers: Record<string, Start> = {
  "node:http": (options) => listen(createServer(createNodeWebhookHandler(options))),
  "express without a body parser": (options) => {
    const app = express();
    app.post(path, createExpressWebhookMiddleware(options));
    return listen(createServer(app));
  },
  "express after express.urlencoded()": (options) => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post(path, createExpressWebhookMiddleware(options));
    return listen(createServer(app));
  },
  "express after express.urlencoded() keeping rawBody": (options) => {
    const app = express();
    app.use(
      express.urlencoded({
        extended: false,
        verify: (request, _response, buffer) => {
          (request as IncomingMessage & { rawBody?: Buffer }).rawBody = Buffer.from(buffer);
        },
      }),
    );
    app.post(path, createExpressWebhookMiddleware(options));
    return listen(createServer(app));
  },
  "express after express.text() for forms": (options) => {
    const app = express();
    app.use(express.text({ type: "application/x-www-form-urlencoded" }));
    app.post(path, createExpressWebhookMiddleware(options));
    return listen(createServer(app));
  },
  "express router mounted under a prefix": (options) => {
    const app = express();
    const router = express.Router();
    router.post("/webhook", createExpressWebhookMiddleware(options));
    app.use("/twilio", router);
    return listen(createServer(app));
  },
  fastify: async (options) => {
    const app = Fastify();
    await app.register(createFastifyWebhookPlugin({ ...options, path }));
    return listenFastify(app);
  },
  "fetch through a node:http bridge": (options) =>
    listen(createServer(fetchBridge(createFetchWebhookHandler(options)))),
};

let open: Harness | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: "POST", headers, body });
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get("content-type"),
  };
}

describe.each(Object.entries(servers))("%s", (_name, start) => {
  async function setup(overrides: Partial<WebhookHandlerOptions> = {}) {
    const events: WebhookEvent[] = [];
    const logs: LogEntry[] = [];
    open = await start({
      authToken: token,
      env: {},
      logger: recordingLogger(logs),
      onEvent: (event) => {
        events.push(event);
      },
      ...overrides,
    });
    const url = `${open.baseUrl}${path}`;
    return { events, logs, url };
  }

  function signedPost(
    url: string,
    fields: Record<string, string>,
    extra: Record<string, string> = {},
  ) {
    return post(url, encodeWebhookForm(fields), {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": computeTwilioSignature(token, url, fields),
      "i-twilio-idempotency-token": "idem-1",
      ...extra,
    });
  }

  it("answers 200 with an empty body and hands the event over", async () => {
    const { events, url } = await setup();
    const fields = webhookFixture("onMessageAdded", { Body: "Ça va? 100% +1 & more" });
    const response = await signedPost(url, fields);
    expect(response).toMatchObject({ status: 200, body: "" });
    expect(response.type).toMatch(/^text\/plain/);
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe("message.new");
    expect(events[0]?.idempotencyToken).toBe("idem-1");
    if (events[0]?.type === "message.new")
      expect(events[0].data.body).toBe("Ça va? 100% +1 & more");
  });

  it("answers 403 to a forged signature and logs why, not in the body", async () => {
    const { events, logs, url } = await setup();
    const fields = webhookFixture("onMessageAdded");
    const response = await post(url, encodeWebhookForm(fields), {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": computeTwilioSignature("wrong-token", url, fields),
    });
    expect(response).toMatchObject({ status: 403, body: "" });
    expect(events).toHaveLength(0);
    const warning = logs.find((entry) => entry.level === "warn");
    expect(warning?.fields.urlsTried).toContain(url);
    expect(JSON.stringify(logs)).not.toContain(token);
  });

  it("answers 403 when the signature header is missing", async () => {
    const { events, logs, url } = await setup();
    const response = await post(url, encodeWebhookForm(webhookFixture("onMessageAdded")), {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(response).toMatchObject({ status: 403, body: "" });
    expect(events).toHaveLength(0);
    expect(String(logs.find((entry) => entry.level === "warn")?.fields.reason)).toMatch(/missing/);
  });

  it("answers 400 to a signed but malformed event", async () => {
    const { events, logs, url } = await setup();
    const response = await signedPost(url, webhookFixture("onMessageAdded", { Index: "NaN" }));
    expect(response).toMatchObject({ status: 400, body: "" });
    expect(events).toHaveLength(0);
    expect(logs.find((entry) => entry.level === "warn")?.fields.field).toBe("Index");
  });

  it("answers 400 to a signed JSON body: Conversations webhooks are form-encoded", async () => {
    const { events, url } = await setup();
    const body = JSON.stringify(webhookFixture("onMessageAdded"));
    const jsonUrl = `${url}?bodySHA256=${computeBodyHash(body)}`;
    const response = await post(jsonUrl, body, {
      "content-type": "application/json",
      "x-twilio-signature": computeTwilioSignature(token, jsonUrl),
    });
    expect(response).toMatchObject({ status: 400, body: "" });
    expect(events).toHaveLength(0);
  });

  it("accepts a request built by signedWebhookRequest", async () => {
    const { events, url } = await setup();
    const request = signedWebhookRequest({
      url,
      authToken: token,
      eventType: "onParticipantAdded",
    });
    const response = await fetch(request.url, request);
    expect(response.status).toBe(200);
    expect(events[0]?.type).toBe("participant.new");
  });

  it("answers 413 to an oversized body", async () => {
    const { events, url } = await setup({ maxBodyBytes: 2048 });
    const response = await signedPost(
      url,
      webhookFixture("onMessageAdded", { Body: "y".repeat(5000) }),
    );
    expect(response.status).toBe(413);
    expect(response.body).toBe("");
    expect(events).toHaveLength(0);
  });

  it("answers 500 when onEvent fails, so Twilio retries", async () => {
    const { logs, url } = await setup({
      onEvent: () => {
        throw new Error("database unavailable");
      },
    });
    const response = await signedPost(url, webhookFixture("onMessageAdded"));
    expect(response).toMatchObject({ status: 500, body: "" });
    expect(logs.some((entry) => entry.level === "error")).toBe(true);
  });

  it("answers 422 when onEvent refuses the event for good, so Twilio stops retrying", async () => {
    const { logs, url } = await setup({
      onEvent: async () => {
        throw new WebhookEventRefusedError("can never be stored", { field: "body" });
      },
    });
    const response = await signedPost(url, webhookFixture("onMessageAdded", { Body: "secret" }));
    expect(response).toMatchObject({ status: 422, body: "" });
    expect(logs.map((entry) => entry.level)).toEqual(["warn"]);
    expect(JSON.stringify(logs)).not.toContain("secret");
  });

  it("refuses to be created without a token, instead of answering every webhook 500", async () => {
    await expect(setup({ authToken: undefined })).rejects.toMatchObject({
      name: "ConfigError",
      option: "authToken",
    });
  });

  it("verifies with TWILIO_AUTH_TOKEN from env when authToken is not given", async () => {
    const { events, url } = await setup({
      authToken: undefined,
      env: { TWILIO_AUTH_TOKEN: token },
    });
    const response = await signedPost(url, webhookFixture("onMessageAdded"));
    expect(response.status).toBe(200);
    expect(events).toHaveLength(1);
  });
});

describe("handleWebhookRequest, called directly", () => {
  it("answers 500 when no token is configured: it never throws", async () => {
    const url = `https://hooks.example.com${path}`;
    const fields = webhookFixture("onMessageAdded");
    const response = await handleWebhookRequest(
      {
        url,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": computeTwilioSignature(token, url, fields),
        },
        body: encodeWebhookForm(fields),
      },
      { env: {}, onEvent: () => {} },
    );
    expect(response).toMatchObject({ status: 500, body: "" });
  });
});

/** Each factory, called as plain JavaScript may call it (the Fastify one with its path). */
const factories: Record<string, (options?: unknown) => unknown> = {
  createNodeWebhookHandler: (options) => createNodeWebhookHandler(options as WebhookHandlerOptions),
  createExpressWebhookMiddleware: (options) =>
    createExpressWebhookMiddleware(options as WebhookHandlerOptions),
  createFastifyWebhookPlugin: (options) =>
    createFastifyWebhookPlugin(
      (options === undefined ? options : { path, ...options }) as FastifyWebhookPluginOptions,
    ),
  createFetchWebhookHandler: (options) =>
    createFetchWebhookHandler(options as WebhookHandlerOptions),
};

/** The `ConfigError` a factory throws, or a failure if it throws none. */
function configErrorOf(create: () => unknown): ConfigError {
  try {
    create();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("created without complaint");
}

describe.each(Object.entries(factories))("%s refuses at creation", (owner, create) => {
  const onEvent = () => {};
  const valid = { authToken: token, env: {}, onEvent };

  it.each([
    ["no options at all", undefined, "options"],
    ["no onEvent", { authToken: token, env: {} }, "onEvent"],
    ["an onEvent that is not a function", { ...valid, onEvent: "x" }, "onEvent"],
    ["no token, none in env, verification on", { env: {}, onEvent }, "authToken"],
    ["a blank token", { ...valid, authToken: " " }, "authToken"],
    [
      "a negative maxBodyBytes (every request would be 413)",
      { ...valid, maxBodyBytes: -1 },
      "maxBodyBytes",
    ],
    ["a maxBodyBytes of 0", { ...valid, maxBodyBytes: 0 }, "maxBodyBytes"],
    ["a maxBodyBytes written as text", { ...valid, maxBodyBytes: "64kb" }, "maxBodyBytes"],
    ["a fractional maxParams", { ...valid, maxParams: 2.5 }, "maxParams"],
    ["a maxParams of 0", { ...valid, maxParams: 0 }, "maxParams"],
    ["a verify that is not a boolean", { ...valid, verify: "false" }, "verify"],
    ["a relative url", { ...valid, url: "/twilio/webhook" }, "url"],
    ["a logger without log methods", { ...valid, logger: {} }, "logger"],
  ])("%s, naming the option", (_case, options, option) => {
    const error = configErrorOf(() => create(options));
    expect(error.option).toBe(option);
    expect(error.message).toContain(owner);
  });

  it("a misspelt option, suggesting the right spelling", () => {
    const error = configErrorOf(() =>
      create({ onEvent, env: { TWILIO_AUTH_TOKEN: token }, authtoken: token }),
    );
    expect(error.option).toBe("authtoken");
    expect(error.message).toBe(`authtoken is not an option of ${owner}; did you mean authToken?`);
  });

  it("accepts a token as the option, from env, or none with verify: false", () => {
    expect(() => create(valid)).not.toThrow();
    expect(() => create({ onEvent, env: { TWILIO_AUTH_TOKEN: token } })).not.toThrow();
    expect(() => create({ onEvent, env: {}, verify: false })).not.toThrow();
  });
});

describe("createFastifyWebhookPlugin", () => {
  it("refuses to be created without a path, naming it", () => {
    const options = { authToken: token, env: {}, onEvent: () => {} };
    expect(
      configErrorOf(() =>
        createFastifyWebhookPlugin(options as unknown as FastifyWebhookPluginOptions),
      ).option,
    ).toBe("path");
    expect(
      configErrorOf(() => createFastifyWebhookPlugin({ ...options, path: "hook" })).option,
    ).toBe("path");
  });
});

/** Posts a chunked body (no Content-Length) so the cap must be enforced while streaming. */
function postChunked(url: string, chunks: number, chunk: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        // Shaped like a digest, so the cheap header checks pass and the body cap is reached.
        "x-twilio-signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      },
    });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    // The server may close the connection after answering 413 while we are still writing.
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
    });
    for (let index = 0; index < chunks; index += 1) request.write(chunk);
    request.end();
  });
}

describe.each(
  ["node:http", "express without a body parser", "fastify", "fetch through a node:http bridge"].map(
    (name) => [name, servers[name]!] as const,
  ),
)("%s, streaming", (_name, start) => {
  it("answers 413 once a chunked body passes the cap", async () => {
    const events: WebhookEvent[] = [];
    open = await start({
      authToken: token,
      env: {},
      maxBodyBytes: 4096,
      onEvent: (event) => void events.push(event),
    });
    const status = await postChunked(`${open.baseUrl}${path}`, 20, `Body=${"z".repeat(1000)}&`);
    expect(status).toBe(413);
    expect(events).toHaveLength(0);
  });
});

describe("express without a body parser", () => {
  it("verifies against the public URL behind a proxy with trustProxy", async () => {
    const events: WebhookEvent[] = [];
    const start = servers["express without a body parser"]!;
    open = await start({
      authToken: token,
      env: {},
      trustProxy: true,
      onEvent: (event) => void events.push(event),
    });
    const fields = webhookFixture("onMessageAdded");
    const publicUrl = `https://hooks.example.com${path}`;
    const response = await post(`${open.baseUrl}${path}`, encodeWebhookForm(fields), {
      "content-type": "application/x-www-form-urlencoded",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "hooks.example.com",
      "x-twilio-signature": computeTwilioSignature(token, publicUrl, fields),
    });
    expect(response.status).toBe(200);
    expect(events).toHaveLength(1);
  });
});

describe("fastify plugin scope", () => {
  it("leaves the parent's content-type parsers alone", async () => {
    const app = Fastify();
    await app.register(
      createFastifyWebhookPlugin({ path, authToken: token, env: {}, onEvent: () => {} }),
    );
    app.post("/json", async (request) => ({ received: request.body }));
    open = await listenFastify(app);
    const response = await fetch(`${open.baseUrl}/json`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(await response.json()).toEqual({ received: { hello: "world" } });
  });
});
