import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenApiValidator } from "../rest/openapi-conformance.test-support.js";
import { type Emulator, startEmulator } from "../start-emulator.js";

describe("Twilio wire format", () => {
  let emulator: Emulator;
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const call = (
    path: string,
    init: { method?: string; form?: URLSearchParams; auth?: string | null } = {},
  ) =>
    fetch(`${emulator.url}${path}`, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers: {
        ...(init.auth === null
          ? {}
          : { Authorization: init.auth ?? basic(emulator.accountSid, emulator.authToken) }),
        ...(init.form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(init.form ? { body: init.form.toString() } : {}),
    });

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("has deterministic default credentials and binds 127.0.0.1", async () => {
    const second = await startEmulator();
    try {
      expect(second.accountSid).toBe(emulator.accountSid);
      expect(second.authToken).toBe(emulator.authToken);
      expect(second.serviceSid).toBe(emulator.serviceSid);
      expect(second.url).not.toBe(emulator.url);
      expect(emulator.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
      expect(emulator.serviceSid).toMatch(/^IS[0-9a-f]{32}$/);
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await second.close();
    }
  });

  it("answers 401 / 20003 without auth, with a wrong token or an unknown API key", async () => {
    for (const auth of [
      null,
      basic(emulator.accountSid, "wrong"),
      basic("SKunknown", "secret"),
      "Bearer x",
    ]) {
      const response = await call("/v1/Conversations", { auth });
      expect(response.status).toBe(401);
      // Twilio's 401 body carries `detail`, as recorded in its helper libraries' fixtures.
      expect(await response.json()).toEqual({
        code: 20003,
        detail: "Your AccountSid or AuthToken was incorrect.",
        message: "Authenticate",
        more_info: "https://www.twilio.com/docs/errors/20003",
        status: 401,
      });
    }
  });

  it("names the requested path, without /v1, in every 20404 message", async () => {
    // Twilio words it "The requested resource /Conversations/CH71 was not found" (the message
    // twilio-go's tests expect), whichever part of the path is missing.
    const conversation = `CH${"0".repeat(32)}`;
    const service = `IS${"0".repeat(32)}`;
    for (const path of [
      `/v1/Conversations/${conversation}`,
      `/v1/Conversations/${conversation}/Messages`,
      `/v1/Services/${service}/Conversations`,
      `/v1/Services/${emulator.serviceSid}/Conversations/${conversation}/Participants`,
      `/v1/Roles/RL${"0".repeat(32)}`,
      "/v1/Nothing/Here",
    ]) {
      const response = await call(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({
        code: 20404,
        message: `The requested resource ${path.slice(3)} was not found`,
      });
    }
  });

  it("accepts a registered API key", async () => {
    emulator.addApiKey("SK0123456789abcdef0123456789abcdef", "key-secret");
    const response = await call("/v1/Conversations", {
      auth: basic("SK0123456789abcdef0123456789abcdef", "key-secret"),
    });
    expect(response.status).toBe(200);
  });

  it("answers unknown routes and unknown SIDs with 404 / 20404, wrong methods with 405", async () => {
    const unknown = await call("/v1/Nothing/Here");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      code: 20404,
      status: 404,
      more_info: "https://www.twilio.com/docs/errors/20404",
    });
    const missing = await call(`/v1/Conversations/CH${"0".repeat(32)}`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe(20404);
    const wrongService = await call(`/v1/Services/IS${"0".repeat(32)}/Conversations`);
    expect(wrongService.status).toBe(404);
    expect((await call("/v1/Conversations", { method: "PUT" })).status).toBe(405);
  });

  it("answers malformed paths and oversized or forged auth without crashing", async () => {
    expect((await call("/v1/Conversations/%E0%A4%A")).status).toBe(404);
    expect((await call("/v1/Conversations", { auth: "Basic !!!not-base64" })).status).toBe(401);
    expect(
      (
        await call("/v1/Conversations", {
          auth: basic(emulator.accountSid, `${emulator.authToken}x`),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call("/v1/Conversations", {
          auth: basic(`${emulator.accountSid}:`, emulator.authToken),
        })
      ).status,
    ).toBe(401);
  });

  it("reads repeated keys and dotted names from form bodies; dates have no milliseconds", async () => {
    const created = await call("/v1/Conversations", {
      form: new URLSearchParams([
        ["FriendlyName", "a+b & c"],
        ["Timers.Inactive", "PT2M"],
      ]),
    });
    expect(created.status).toBe(201);
    const conversation = await created.json();
    expect(conversation.friendly_name).toBe("a+b & c");
    expect(conversation.attributes).toBe("{}");
    expect(conversation.date_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(conversation.timers.date_inactive).toMatch(/Z$/);
    expect(conversation.url).toBe(
      `https://conversations.twilio.com/v1/Conversations/${conversation.sid}`,
    );
    expect(conversation.links.messages).toBe(`${conversation.url}/Messages`);
    const hook = await call(`/v1/Conversations/${conversation.sid}/Webhooks`, {
      form: new URLSearchParams([
        ["Target", "webhook"],
        ["Configuration.Url", "https://example.com/h"],
        ["Configuration.Filters", "onMessageAdded"],
        ["Configuration.Filters", "onParticipantAdded"],
      ]),
    });
    expect(hook.status).toBe(201);
    expect((await hook.json()).configuration.filters).toEqual([
      "onMessageAdded",
      "onParticipantAdded",
    ]);
  });

  it("pages through a list via next_page_url and PageToken", async () => {
    const created = await (
      await call("/v1/Conversations", { form: new URLSearchParams({ FriendlyName: "paged" }) })
    ).json();
    for (let index = 0; index < 7; index++)
      await call(`/v1/Conversations/${created.sid}/Messages`, {
        form: new URLSearchParams({ Body: `m${index}` }),
      });
    const bodies: string[] = [];
    let next: string | null =
      `https://conversations.twilio.com/v1/Conversations/${created.sid}/Messages?PageSize=3`;
    let pages = 0;
    while (next) {
      const url = new URL(next);
      expect(url.host).toBe("conversations.twilio.com");
      const page = await (await call(`${url.pathname}${url.search}`)).json();
      expect(page.meta.key).toBe("messages");
      expect(page.meta.page_size).toBe(3);
      expect(page.meta.page).toBe(pages);
      if (pages > 0) expect(page.meta.previous_page_url).toContain("PageToken=PB");
      bodies.push(...page.messages.map((message: { body: string }) => message.body));
      next = page.meta.next_page_url;
      pages++;
    }
    expect(pages).toBe(3);
    expect(bodies).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
    // Issue 14: above the spec's maximum (100 for messages) is refused, no longer capped.
    const tooLarge = await call(`/v1/Conversations/${created.sid}/Messages?PageSize=1000`);
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.json()).toMatchObject({ code: 20001 });
    const largest = await (
      await call(`/v1/Conversations/${created.sid}/Messages?PageSize=100`)
    ).json();
    expect(largest.meta.page_size).toBe(100);
    const webhooks = await (await call(`/v1/Conversations/${created.sid}/Webhooks`)).json();
    expect(webhooks.meta.page_size).toBe(5);
    expect((await call("/v1/Conversations?PageSize=0")).status).toBe(400);
  });

  it("keeps the SDK working after reset with the same credentials and service", async () => {
    const client = emulator.twilioClient();
    await client.conversations.v1.conversations.create({ friendlyName: "gone after reset" });
    emulator.reset();
    expect(await client.conversations.v1.conversations.list()).toEqual([]);
    const service = await client.conversations.v1.services(emulator.serviceSid).fetch();
    expect(service.sid).toBe(emulator.serviceSid);
  });

  it("the schema check itself rejects a body missing a documented property", () => {
    const validator = new OpenApiValidator();
    const errors = validator.errors({
      method: "get",
      uri: `https://conversations.twilio.com/v1/Services/${emulator.serviceSid}`,
      statusCode: 200,
      body: { sid: emulator.serviceSid },
    });
    expect(errors.length).toBeGreaterThan(0);
  });

  it("the schema check itself fails an error answer where Twilio documents only a 2xx", () => {
    const validator = new OpenApiValidator();
    expect(
      validator.errors({
        method: "get",
        uri: `https://conversations.twilio.com/v1/Roles/RL${"0".repeat(32)}`,
        statusCode: 404,
        body: { code: 20404, message: "not found", more_info: "", status: 404 },
      }),
    ).toEqual(["no spec response for get /v1/Roles/{Sid} 404"]);
  });

  it("skips auth for /_emulator/ control routes and runs pre-hooks after auth", async () => {
    emulator.mount([
      {
        method: "GET",
        pattern: "/_emulator/ping",
        handler: () => ({ status: 200, body: { ok: true } }),
      },
    ]);
    expect((await call("/_emulator/ping", { auth: null })).status).toBe(200);
    const remove = emulator.addPreHook((request) =>
      request.path === "/v1/Conversations"
        ? { status: 429, body: { code: 20429, status: 429 } }
        : undefined,
    );
    expect((await call("/v1/Conversations", { auth: null })).status).toBe(401);
    expect((await call("/v1/Conversations")).status).toBe(429);
    remove();
    expect((await call("/v1/Conversations")).status).toBe(200);
  });
});
