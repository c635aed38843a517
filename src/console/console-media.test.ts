import { afterEach, describe, expect, it } from "vitest";
import { serveHandler } from "../webchat/serve-handler.test-support.js";
import { contentDisposition, createConsoleApi } from "./console-api.js";
import { InMemoryConsole } from "./in-memory-console.test-support.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const token = "media-test-token-0123456789";
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const pdf = new TextEncoder().encode("%PDF-1.4\n%fake\n");

async function start(deps = new InMemoryConsole()) {
  const sid = deps.seed("whatsapp", "whatsapp:+15551230001", [["customer", ""]]);
  deps.attach(sid, 0, [
    { contentType: "image/png", filename: "dent.png", bytes: png },
    { contentType: "application/pdf", filename: 'quote "final"\r\n.pdf', bytes: pdf },
    { contentType: "image/svg+xml", filename: "x.svg", bytes: new TextEncoder().encode("<svg/>") },
  ]);
  const server = await serveHandler(createConsoleApi(deps, { token }));
  cleanups.push(() => server.close());
  const get = (
    path: string,
    headers: Record<string, string> = { authorization: `Bearer ${token}` },
  ) => fetch(`${server.url}${path}`, { headers });
  return { deps, sid, get, url: server.url };
}

async function codeOf(response: Response) {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe("GET /api/conversations/:sid/media", () => {
  it("answers an authorized read with the bytes, their type and safe download headers", async () => {
    const { sid, get } = await start();
    const image = await get(`/api/conversations/${sid}/media?index=0&position=0`);
    expect(image.status).toBe(200);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(png);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("content-disposition")).toBe('attachment; filename="dent.png"');
    expect(image.headers.get("x-content-type-options")).toBe("nosniff");
    expect(image.headers.get("cache-control")).toBe("no-store");

    const document = await get(`/api/conversations/${sid}/media?index=0&position=1`);
    expect(document.status).toBe(200);
    expect(document.headers.get("content-type")).toBe("application/pdf");
    expect(await document.text()).toBe("%PDF-1.4\n%fake\n");
    const disposition = document.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(/^attachment; filename="quote_final_.pdf"; filename\*=UTF-8''/);
    expect(disposition).not.toMatch(/[\r\n]/);

    // A type that could run script is served as opaque bytes.
    const svg = await get(`/api/conversations/${sid}/media?index=0&position=2`);
    expect(svg.headers.get("content-type")).toBe("application/octet-stream");
    await svg.arrayBuffer();
  });

  it("refuses a missing or wrong token, and a token in the URL, with 401", async () => {
    const { sid, get } = await start();
    const path = `/api/conversations/${sid}/media?index=0&position=0`;
    const none = await get(path, {});
    expect(none.status).toBe(401);
    expect(await codeOf(none)).toBe("token_missing");
    const wrong = await get(path, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    expect(await codeOf(wrong)).toBe("token_invalid");
    expect((await get(`${path}&token=${token}`, {})).status).toBe(401);
  });

  it("answers 400 for malformed parameters", async () => {
    const { sid, get } = await start();
    for (const query of [
      "",
      "?index=0",
      "?position=0",
      "?index=-1&position=0",
      "?index=1.5&position=0",
      "?index=abc&position=0",
      "?index=0&position=64",
      "?index=99999999999999999&position=0",
    ]) {
      const response = await get(`/api/conversations/${sid}/media${query}`);
      expect(response.status, query).toBe(400);
      await response.arrayBuffer();
    }
    const badSid = await get("/api/conversations/CHnope/media?index=0&position=0");
    expect(badSid.status).toBe(400);
    expect(await codeOf(badSid)).toBe("invalid_conversation_sid");
  });

  it("answers 404 for an unknown conversation, message or position", async () => {
    const { sid, get } = await start();
    const unknown = `CH${"f".repeat(32)}`;
    for (const path of [
      `/api/conversations/${unknown}/media?index=0&position=0`,
      `/api/conversations/${sid}/media?index=7&position=0`,
      `/api/conversations/${sid}/media?index=0&position=3`,
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await codeOf(response)).toBe("media_not_found");
    }
  });

  it("answers 405 to anything but GET", async () => {
    const { sid, url } = await start();
    const write = await fetch(`${url}/api/conversations/${sid}/media?index=0&position=0`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(write.status).toBe(405);
  });

  it("answers 404 when the deps cannot read attachments", async () => {
    const deps = new InMemoryConsole();
    const sid = deps.seed("sms", "+15551230002", [["customer", "hi"]]);
    const server = await serveHandler(createConsoleApi(bound(deps), { token }));
    cleanups.push(() => server.close());
    const response = await fetch(
      `${server.url}/api/conversations/${sid}/media?index=0&position=0`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(response.status).toBe(404);
  });
});

describe("contentDisposition", () => {
  it("keeps plain names, cleans unsafe ones and names the nameless", () => {
    expect(contentDisposition("dent.png", "image/png")).toBe('attachment; filename="dent.png"');
    expect(contentDisposition("../../etc/passwd", "text/plain")).toBe(
      'attachment; filename="etc_passwd"',
    );
    expect(contentDisposition(null, "application/pdf")).toBe(
      'attachment; filename="attachment.pdf"',
    );
    expect(contentDisposition("", "weird/type")).toBe('attachment; filename="attachment.bin"');
    expect(contentDisposition("résumé.pdf", "application/pdf")).toBe(
      "attachment; filename=\"r_sum_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
    );
  });
});

/** The in-memory console's required methods only: deps that cannot read attachments. */
function bound(deps: InMemoryConsole) {
  return {
    info: () => deps.info(),
    listConversations: () => deps.listConversations(),
    transcript: (sid: string) => deps.transcript(sid),
    subscribe: deps.subscribe.bind(deps),
    setHandoff: deps.setHandoff.bind(deps),
    replyAsHuman: deps.replyAsHuman.bind(deps),
    retryDeadLetter: deps.retryDeadLetter.bind(deps),
    skipDeadLetter: deps.skipDeadLetter.bind(deps),
  };
}
