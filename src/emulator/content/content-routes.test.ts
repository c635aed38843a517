import { existsSync, readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContentRoutes } from "./content-routes.js";
import { createContentStore } from "./content-store.js";
import { type ServedRoutes, serveRoutes } from "./serve-routes.js";

const accountSid = `AC${"1".repeat(32)}`;
const otherAccountSid = `AC${"2".repeat(32)}`;
const base = "https://content.twilio.com";

let server: ServedRoutes;
let otherAccount: ServedRoutes;
let schemas: { content: ValidateFunction; list: ValidateFunction };

beforeAll(async () => {
  const store = createContentStore({ now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678) });
  const routes = createContentRoutes({ store, maxBodyBytes: 4096 });
  // Two accounts over one store: templates must not leak between them.
  server = await serveRoutes(routes, { accountSid });
  otherAccount = await serveRoutes(routes, { accountSid: otherAccountSid });
  schemas = contentSchemas();
});

afterAll(async () => {
  await server.close();
  await otherAccount.close();
});

const local = (url: string, target = server) => url.replace(base, target.url);

async function call(
  method: string,
  path: string,
  body?: unknown,
  target = server,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(local(path.startsWith("http") ? path : `${base}${path}`, target), {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {} };
}

const textTemplate = {
  friendly_name: "order_ready",
  language: "en",
  variables: { "1": "customer" },
  types: { "twilio/text": { body: "Hi {{1}}, your order is ready." } },
};

describe("POST /v1/Content", () => {
  it("creates an HX template shaped like the spec's content resource", async () => {
    const { status, json } = await call("POST", "/v1/Content", textTemplate);
    expect(status).toBe(201);
    expect(schemas.content(json), JSON.stringify(schemas.content.errors)).toBe(true);
    // The validator is not vacuous: a wrong sid prefix or a relative url fails it.
    expect(schemas.content({ ...json, sid: `XX${"a".repeat(32)}` })).toBe(false);
    expect(schemas.content({ ...json, url: "/v1/Content" })).toBe(false);
    expect(json.sid).toMatch(/^HX[0-9a-f]{32}$/);
    expect(json).toMatchObject({
      account_sid: accountSid,
      friendly_name: "order_ready",
      language: "en",
      variables: { "1": "customer" },
      types: textTemplate.types,
      date_created: "2026-01-02T03:04:05Z",
      url: `${base}/v1/Content/${String(json.sid)}`,
      links: {
        approval_create: `${base}/v1/Content/${String(json.sid)}/ApprovalRequests/whatsapp`,
        approval_fetch: `${base}/v1/Content/${String(json.sid)}/ApprovalRequests`,
      },
    });
  });

  it("defaults friendly_name to an empty string and variables to {}", async () => {
    const { status, json } = await call("POST", "/v1/Content", {
      language: "es",
      types: { "twilio/media": { media: ["https://example.com/a.png"] } },
    });
    expect(status).toBe(201);
    expect(json).toMatchObject({ friendly_name: "", variables: {} });
  });

  it.each([
    ["not JSON", "{language: en"],
    ["a JSON array", [textTemplate]],
    ["no language", { types: textTemplate.types }],
    ["no types", { language: "en" }],
    ["empty types", { language: "en", types: {} }],
    ["an unknown type", { language: "en", types: { "acme/fax": { body: "x" } } }],
    ["a type that is not an object", { language: "en", types: { "twilio/text": "hi" } }],
    ["twilio/text without body", { language: "en", types: { "twilio/text": {} } }],
    [
      "twilio/quick-reply without actions",
      { language: "en", types: { "twilio/quick-reply": { body: "Pick one" } } },
    ],
    ["non-string variables", { ...textTemplate, variables: { "1": 5 } }],
    ["a non-string friendly_name", { ...textTemplate, friendly_name: ["x"] }],
  ])("answers 400 with a Twilio error body for %s", async (_name, body) => {
    const { status, json } = await call("POST", "/v1/Content", body);
    expect(status).toBe(400);
    expect(json).toMatchObject({ status: 400, code: expect.any(Number) });
    expect(String(json.message).length).toBeGreaterThan(0);
  });

  it("answers 413 for a body over the configured limit", async () => {
    const huge = { language: "en", types: { "twilio/text": { body: "x".repeat(5000) } } };
    const { status, json } = await call("POST", "/v1/Content", huge);
    expect(status).toBe(413);
    expect(json.status).toBe(413);
  });
});

describe("GET, DELETE /v1/Content/{sid}", () => {
  it("fetches and deletes a template; afterwards it is 404", async () => {
    const created = await call("POST", "/v1/Content", textTemplate);
    const sid = String(created.json.sid);
    const fetched = await call("GET", `/v1/Content/${sid}`);
    expect(fetched.status).toBe(200);
    expect(schemas.content(fetched.json)).toBe(true);
    expect(fetched.json).toEqual(created.json);

    const response = await fetch(`${server.url}/v1/Content/${sid}`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await call("GET", `/v1/Content/${sid}`)).status).toBe(404);
    expect((await call("DELETE", `/v1/Content/${sid}`)).status).toBe(404);
  });

  it("hides one account's templates from another (fetch, delete and list)", async () => {
    const sid = String((await call("POST", "/v1/Content", textTemplate)).json.sid);
    const foreign = await call("GET", `/v1/Content/${sid}`, undefined, otherAccount);
    expect(foreign).toMatchObject({ status: 404, json: { code: 20404, status: 404 } });
    expect((await call("DELETE", `/v1/Content/${sid}`, undefined, otherAccount)).status).toBe(404);
    const list = await call("GET", "/v1/Content?PageSize=1000", undefined, otherAccount);
    expect(list.json.contents).toEqual([]);
    expect((await call("GET", `/v1/Content/${sid}`)).status).toBe(200);
  });

  it.each(["HXnothex", `HX${"0".repeat(32)}`, `MM${"0".repeat(32)}`, "%00"])(
    "answers 404 for the unknown or malformed sid %s",
    async (sid) => {
      expect((await call("GET", `/v1/Content/${sid}`)).status).toBe(404);
    },
  );
});

describe("GET /v1/Content (paging)", () => {
  it("pages with PageSize and next_page_url until every template is seen once", async () => {
    const account = `AC${"3".repeat(32)}`;
    const store = createContentStore();
    const paged = await serveRoutes(createContentRoutes({ store }), { accountSid: account });
    try {
      const created: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const { json } = await call("POST", "/v1/Content", textTemplate, paged);
        created.push(String(json.sid));
      }
      // A delete between pages must not shift what the next page holds.
      const seen: string[] = [];
      let next: string | null = `${base}/v1/Content?PageSize=2`;
      let pages = 0;
      while (next) {
        const page = await call("GET", next, undefined, paged);
        expect(page.status).toBe(200);
        expect(schemas.list(page.json), JSON.stringify(schemas.list.errors)).toBe(true);
        const meta = page.json.meta as Record<string, unknown>;
        expect(meta).toMatchObject({ key: "contents", page_size: 2, page: pages });
        seen.push(...(page.json.contents as { sid: string }[]).map((content) => content.sid));
        if (pages === 0) await call("DELETE", `/v1/Content/${created[0]}`, undefined, paged);
        next = meta.next_page_url as string | null;
        pages += 1;
      }
      expect(seen).toEqual(created);
      expect(pages).toBe(3);

      // Page without a token selects by position over what is left.
      const second = await call("GET", "/v1/Content?PageSize=2&Page=1", undefined, paged);
      expect((second.json.contents as { sid: string }[]).map((c) => c.sid)).toEqual(
        created.slice(3, 5),
      );
      expect((second.json.meta as Record<string, unknown>).previous_page_url).toBe(
        `${base}/v1/Content?PageSize=2&Page=0`,
      );
    } finally {
      await paged.close();
    }
  });

  it("answers an empty first page shaped like the spec's readEmpty example", async () => {
    const store = createContentStore();
    const empty = await serveRoutes(createContentRoutes({ store }), { accountSid });
    try {
      const { status, json } = await call(
        "GET",
        "/v1/Content?PageSize=10&Page=0",
        undefined,
        empty,
      );
      expect(status).toBe(200);
      expect(json).toEqual({
        contents: [],
        meta: {
          page: 0,
          page_size: 10,
          first_page_url: `${base}/v1/Content?PageSize=10&Page=0`,
          previous_page_url: null,
          url: `${base}/v1/Content?PageSize=10&Page=0`,
          next_page_url: null,
          key: "contents",
        },
      });
    } finally {
      await empty.close();
    }
  });

  it.each([
    "PageSize=0",
    "PageSize=1001",
    "PageSize=-1",
    "PageSize=abc",
    "Page=-2",
    "PageToken=forged",
    "PageToken=PT1e5",
  ])("answers 400 for %s", async (query) => {
    expect((await call("GET", `/v1/Content?${query}`)).status).toBe(400);
  });
});

describe("the official twilio SDK", () => {
  it("creates, fetches, lists and removes templates through client.content.v1", async () => {
    const account = `AC${"4".repeat(32)}`;
    const sdkServer = await serveRoutes(createContentRoutes({ store: createContentStore() }), {
      accountSid: account,
    });
    try {
      const client = twilio(account, "token", { httpClient: rewritingClient(sdkServer.url) });
      const created = await client.content.v1.contents.create({
        friendly_name: "sdk",
        language: "en",
        variables: { "1": "x" },
        types: { "twilio/text": { body: "Hello {{1}}" } },
      } as unknown as Parameters<typeof client.content.v1.contents.create>[0]);
      expect(created.sid).toMatch(/^HX/);
      expect(created.friendlyName).toBe("sdk");
      expect(created.types).toEqual({ "twilio/text": { body: "Hello {{1}}" } });

      const fetched = await client.content.v1.contents(created.sid).fetch();
      expect(fetched.accountSid).toBe(account);

      for (let index = 0; index < 3; index += 1)
        await client.content.v1.contents.create({
          language: "en",
          types: { "twilio/text": { body: `n${index}` } },
        } as unknown as Parameters<typeof client.content.v1.contents.create>[0]);
      // pageSize 2 forces the SDK to follow next_page_url.
      const all = await client.content.v1.contents.list({ pageSize: 2 });
      expect(all).toHaveLength(4);

      expect(await client.content.v1.contents(created.sid).remove()).toBe(true);
      await expect(client.content.v1.contents(created.sid).fetch()).rejects.toMatchObject({
        status: 404,
        code: 20404,
      });
    } finally {
      await sdkServer.close();
    }
  });
});

/** An SDK HTTP client that sends every request to `target` instead of Twilio's hosts. */
function rewritingClient(target: string) {
  return {
    async request(options: {
      method: string;
      uri: string;
      headers?: Record<string, string>;
      params?: Record<string, unknown>;
      data?: unknown;
    }) {
      const url = new URL(options.uri);
      const local = new URL(`${url.pathname}${url.search}`, target);
      for (const [key, value] of Object.entries(options.params ?? {}))
        if (value !== undefined) local.searchParams.set(key, String(value));
      const headers = { ...options.headers };
      const init: RequestInit = { method: options.method.toUpperCase(), headers };
      if (options.data !== undefined)
        init.body =
          headers["Content-Type"] === "application/json"
            ? JSON.stringify(options.data)
            : new URLSearchParams(options.data as Record<string, string>).toString();
      const response = await fetch(local, init);
      const text = await response.text();
      return {
        statusCode: response.status,
        body: text,
        headers: Object.fromEntries(response.headers),
      };
    },
  } as unknown as NonNullable<NonNullable<Parameters<typeof twilio>[2]>["httpClient"]>;
}

// ajv-formats is CommonJS: the default import is `module.exports`, whose `default` is the
// plugin (at runtime module.exports is the plugin too, carrying itself as `default`).
const addFormats = addFormatsModule.default;

/**
 * Validators for the Content API's response schemas, compiled from Twilio's OpenAPI file
 * with OpenAPI 3.0 `nullable: true` mapped to a JSON Schema `null` type. The file is looked
 * for in TWILIO_CONTENT_OPENAPI, then test/fixtures (vendored, MIT).
 */
function contentSchemas(): { content: ValidateFunction; list: ValidateFunction } {
  const candidates = [
    process.env.TWILIO_CONTENT_OPENAPI,
    new URL("../../../test/fixtures/twilio_content_v1.json", import.meta.url).pathname,
  ].filter((path): path is string => typeof path === "string" && path !== "");
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path)
    throw new Error(
      `twilio_content_v1.json not found; set TWILIO_CONTENT_OPENAPI (looked in ${candidates.join(", ")})`,
    );
  const spec = JSON.parse(readFileSync(path, "utf8"));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("uri-map", true);
  ajv.addSchema({ components: { schemas: mapNullable(spec.components.schemas) } }, "spec");
  const compile = (schema: unknown) =>
    ajv.compile(
      JSON.parse(
        JSON.stringify(mapNullable(schema)).replaceAll('"#/components', '"spec#/components'),
      ),
    );
  return {
    content: compile({ $ref: "#/components/schemas/content.v1.content" }),
    list: compile(
      spec.paths["/v1/Content"].get.responses["200"].content["application/json"].schema,
    ),
  };
}

function mapNullable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(mapNullable);
  if (typeof schema !== "object" || schema === null) return schema;
  const record = schema as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === "nullable") continue;
    result[key] = key === "examples" || key === "example" ? value : mapNullable(value);
  }
  if (record.nullable === true && typeof record.type === "string")
    result.type = [record.type, "null"];
  return result;
}
