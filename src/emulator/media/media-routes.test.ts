import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedRoutes, serveRoutes } from "../content/serve-routes.js";
import { createMediaRoutes } from "./media-routes.js";
import { createMediaStore, type MediaStore, toWebhookMedia } from "./media-store.js";

const accountSid = `AC${"1".repeat(32)}`;
const serviceSid = `IS${"a".repeat(32)}`;
const unknownServiceSid = `IS${"f".repeat(32)}`;

let clock = Date.UTC(2026, 0, 2, 3, 4, 5);
let store: MediaStore;
let server: ServedRoutes;
let otherAccount: ServedRoutes;

// Bytes that break any text handling: NUL, 0xff, a lone CR.
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x0d, 0x00]);

beforeAll(async () => {
  store = createMediaStore({ maxBytes: 1024, now: () => clock });
  const routes = createMediaRoutes({
    store,
    publicBaseUrl: "http://emulator.test",
    knowsService: (sid) => sid !== unknownServiceSid,
  });
  server = await serveRoutes(routes, { accountSid });
  otherAccount = await serveRoutes(routes, { accountSid: `AC${"2".repeat(32)}` });
});

afterAll(async () => {
  await server.close();
  await otherAccount.close();
});

async function upload(
  body: BodyInit,
  headers: Record<string, string> = {},
  query = "",
  service = serviceSid,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/v1/Services/${service}/Media${query}`, {
    method: "POST",
    headers,
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("POST /v1/Services/{IS}/Media", () => {
  it("stores raw bytes and answers 201 with the media service's JSON", async () => {
    const { status, json } = await upload(
      png,
      { "content-type": "image/png" },
      "?Filename=cat.png",
    );
    expect(status).toBe(201);
    const sid = String(json.sid);
    expect(sid).toMatch(/^ME[0-9a-f]{32}$/);
    const url = `/v1/Services/${serviceSid}/Media/${sid}`;
    expect(json).toEqual({
      sid,
      account_sid: accountSid,
      service_sid: serviceSid,
      date_created: "2026-01-02T03:04:05.000Z",
      date_upload_updated: "2026-01-02T03:04:05.000Z",
      date_updated: "2026-01-02T03:04:05.000Z",
      links: {
        content: `${url}/Content`,
        content_direct_temporary: expect.stringMatching(
          new RegExp(`^http://emulator\\.test/_emulator/media/${sid}\\?Expires=\\d+&Signature=`),
        ),
      },
      size: png.length,
      content_type: "image/png",
      filename: "cat.png",
      author: "system",
      category: "media",
      message_sid: null,
      channel_sid: null,
      url,
      is_multipart_upstream: false,
    });
  });

  it.each([
    ['attachment; filename="report q1.pdf"', "report q1.pdf"],
    ["attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf; filename=\"resume.pdf\"", "résumé.pdf"],
    ["attachment; filename=plain.pdf", "plain.pdf"],
    ["inline", null],
  ])("takes the filename from Content-Disposition %s", async (disposition, filename) => {
    const { status, json } = await upload(png, {
      "content-type": "application/pdf",
      "content-disposition": disposition,
    });
    expect(status).toBe(201);
    expect(json.filename).toBe(filename);
  });

  it("reads a multipart/form-data upload's file part", async () => {
    const form = new FormData();
    form.append("Media", new Blob([png], { type: "image/jpeg" }), "photo.jpg");
    const { status, json } = await upload(form);
    expect(status).toBe(201);
    expect(json).toMatchObject({
      content_type: "image/jpeg",
      filename: "photo.jpg",
      size: png.length,
    });
    const bytes = await fetch(
      `${server.url}${String((json.links as Record<string, string>).content)}`,
    );
    expect(Buffer.from(await bytes.arrayBuffer()).equals(png)).toBe(true);
  });

  it.each([
    ["an empty body", "", { "content-type": "image/png" }, ""],
    ["a Content-Type that is not a media type", png, { "content-type": "png" }, ""],
    [
      "a filename with a control character",
      png,
      { "content-type": "image/png" },
      "?Filename=a%0Db.png",
    ],
    [
      "a 256-character filename",
      png,
      { "content-type": "image/png" },
      `?Filename=${"a".repeat(256)}`,
    ],
    [
      "a malformed multipart body",
      "--other\r\nContent-Disposition: form-data; name=x\r\n\r\nvalue\r\n",
      { "content-type": "multipart/form-data; boundary=expected" },
      "",
    ],
    [
      "a multipart body with no file part",
      '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nvalue\r\n--b--\r\n',
      { "content-type": "multipart/form-data; boundary=b" },
      "",
    ],
  ])("answers 400 for %s", async (_name, body, headers, query) => {
    const { status, json } = await upload(body, headers, query);
    expect(status).toBe(400);
    expect(json).toMatchObject({ status: 400, code: expect.any(Number) });
  });

  it("answers 413 above the configured size and stores nothing", async () => {
    const { status, json } = await upload(Buffer.alloc(1025, 7), { "content-type": "image/png" });
    expect(status).toBe(413);
    expect(json.message).toContain("1024");
    const exactly = await upload(Buffer.alloc(1024, 7), { "content-type": "image/png" });
    expect(exactly.status).toBe(201);
  });

  it.each([
    ["an unknown service", unknownServiceSid],
    ["a malformed service sid", "ISnothex"],
  ])("answers 404 for %s", async (_name, service) => {
    expect((await upload(png, { "content-type": "image/png" }, "", service)).status).toBe(404);
  });

  it("rejects a non-positive maxBytes when the store is created", () => {
    expect(() => createMediaStore({ maxBytes: 0 })).toThrow(/maxBytes/);
  });
});

describe("GET metadata and content", () => {
  it("fetches metadata and the exact bytes with the stored content type", async () => {
    const created = await upload(
      png,
      { "content-type": "image/png" },
      "?Filename=cat%20%22x%22.png",
    );
    const url = String(created.json.url);
    const metadata = await fetch(`${server.url}${url}`);
    expect(metadata.status).toBe(200);
    const json = (await metadata.json()) as Record<string, unknown>;
    expect({ ...json, links: undefined }).toEqual({ ...created.json, links: undefined });

    const content = await fetch(`${server.url}${url}/Content`);
    expect(content.status).toBe(200);
    expect(content.headers.get("content-type")).toBe("image/png");
    expect(content.headers.get("x-content-type-options")).toBe("nosniff");
    expect(content.headers.get("content-disposition")).toBe(
      "inline; filename*=UTF-8''cat%20%22x%22.png",
    );
    // Untrusted bytes run sandboxed should a browser render them (issue 11).
    expect(content.headers.get("content-security-policy")).toMatch(/^sandbox;/);
    expect(Buffer.from(await content.arrayBuffer()).equals(png)).toBe(true);
  });

  it("hides media from another account and under another service", async () => {
    const { json } = await upload(png, { "content-type": "image/png" });
    const sid = String(json.sid);
    for (const path of [
      `/v1/Services/${serviceSid}/Media/${sid}`,
      `/v1/Services/${serviceSid}/Media/${sid}/Content`,
    ])
      expect((await fetch(`${otherAccount.url}${path}`)).status).toBe(404);
    const otherService = `/v1/Services/${`IS${"b".repeat(32)}`}/Media/${sid}`;
    expect((await fetch(`${server.url}${otherService}`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/Services/${serviceSid}/Media/MEnothex`)).status).toBe(
      404,
    );
  });

  it("serves the signed temporary URL until it expires, and never a forged one", async () => {
    const { json } = await upload(png, { "content-type": "image/png" });
    const temporary = new URL(
      String((json.links as Record<string, string>).content_direct_temporary),
    );
    const local = (query: string, sid = String(json.sid)) =>
      fetch(`${server.url}/_emulator/media/${sid}?${query}`);

    const ok = await local(temporary.searchParams.toString());
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(png)).toBe(true);

    const forged = new URLSearchParams(temporary.searchParams);
    const signature = forged.get("Signature") ?? "";
    forged.set("Signature", `${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`);
    expect((await local(forged.toString())).status).toBe(403);
    const extended = new URLSearchParams(temporary.searchParams);
    extended.set("Expires", String(Number(extended.get("Expires")) + 3600));
    expect((await local(extended.toString())).status).toBe(403);
    expect((await local("")).status).toBe(403);
    // Another media's grant does not open this one.
    const other = await upload(png, { "content-type": "image/png" });
    expect((await local(temporary.searchParams.toString(), String(other.json.sid))).status).toBe(
      403,
    );

    clock += 301_000;
    try {
      expect((await local(temporary.searchParams.toString())).status).toBe(403);
    } finally {
      clock -= 301_000;
    }
  });
});

describe("lookupMedia and attach", () => {
  it("gives the message media element, scoped by account, and records the message", async () => {
    const { json } = await upload(png, { "content-type": "image/png" }, "?Filename=a.png");
    const sid = String(json.sid);
    const element = { sid, size: png.length, content_type: "image/png", filename: "a.png" };
    expect(store.lookupMedia(sid)).toEqual(element);
    expect(store.lookupMedia(sid, accountSid)).toEqual(element);
    expect(store.lookupMedia(sid, `AC${"2".repeat(32)}`)).toBeUndefined();
    expect(store.lookupMedia(`ME${"0".repeat(32)}`)).toBeUndefined();
    expect(toWebhookMedia(element)).toEqual({
      Sid: sid,
      Filename: "a.png",
      ContentType: "image/png",
      Size: png.length,
    });

    const messageSid = `IM${"c".repeat(32)}`;
    const conversationSid = `CH${"d".repeat(32)}`;
    expect(store.attach(sid, { messageSid, conversationSid })).toBe(true);
    expect(store.attach(`ME${"0".repeat(32)}`, { messageSid, conversationSid })).toBe(false);
    const metadata = await fetch(`${server.url}${String(json.url)}`);
    expect(await metadata.json()).toMatchObject({
      message_sid: messageSid,
      channel_sid: conversationSid,
    });
  });
});
