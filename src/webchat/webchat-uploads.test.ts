import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { InMemoryWebchat } from "./in-memory-webchat.test-support.js";
import { serveHandler } from "./serve-handler.test-support.js";
import { createWebchatApi, type WebchatApiOptions } from "./webchat-api.js";
import { describeBytes, resolveWebchatUploads, webchatUploadTypes } from "./webchat-uploads.js";

const secret = "a-test-secret-that-is-long-enough-0123456789";
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Real first bytes of each kind, padded: what the server checks against the declared type.
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(200, 7),
]);
const pdf = Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n");
const ogg = Buffer.concat([Buffer.from("OggS"), Buffer.alloc(60, 1)]);
const windowsProgram = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(100, 0)]);

async function start(options: Partial<WebchatApiOptions> = {}, deps = new InMemoryWebchat()) {
  let now = Date.UTC(2026, 10, 25, 12, 0, 0);
  const handler = createWebchatApi(deps, {
    secret,
    now: () => now,
    heartbeatMs: 60_000,
    ...options,
  });
  const server = await serveHandler(handler);
  cleanups.push(() => server.close());
  const session = async () => {
    const response = await fetch(`${server.url}/webchat/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    return (await response.json()) as {
      token: string;
      conversationSid: string;
      uploads: { maxBytes: number; contentTypes: string[] } | null;
    };
  };
  const upload = (
    token: string | undefined,
    body: Uint8Array,
    contentType: string,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${server.url}/webchat/uploads`, {
      method: "POST",
      headers: {
        "content-type": contentType,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...headers,
      },
      // A copy over a plain ArrayBuffer: what fetch's body types take.
      body: new Uint8Array(body),
    });
  return {
    deps,
    url: server.url,
    session,
    upload,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

/** Streams `total` bytes in chunks with no Content-Length; resolves the answer. */
function uploadChunked(url: string, token: string, total: number) {
  return new Promise<{ status: number; sent: number }>((resolve, reject) => {
    let sent = 0;
    const outgoing = httpRequest(
      `${url}/webchat/uploads`,
      {
        method: "POST",
        headers: { "content-type": "image/png", authorization: `Bearer ${token}` },
      },
      (incoming) => {
        incoming.resume();
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, sent }));
      },
    );
    // The server may close the connection once it has answered: that is the point.
    outgoing.on("error", (error) => (sent > 0 ? undefined : reject(error)));
    const chunk = Buffer.concat([png.subarray(0, 8), Buffer.alloc(64 * 1024 - 8, 1)]);
    const pump = () => {
      while (sent < total) {
        sent += chunk.byteLength;
        if (!outgoing.write(chunk)) {
          outgoing.once("drain", pump);
          return;
        }
      }
      outgoing.end();
    };
    pump();
  });
}

describe("POST /webchat/uploads", () => {
  it("sends an accepted file as the visitor's message, with its type and a clean name", async () => {
    const api = await start();
    const visitor = await api.session();
    expect(visitor.uploads).toEqual({
      maxBytes: 5 * 1024 * 1024,
      contentTypes: [...webchatUploadTypes],
    });
    const response = await api.upload(visitor.token, png, "image/png", {
      "x-filename": encodeURIComponent("../../chain ‘new’.png"),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ messageSid: expect.stringMatching(/^IM/), index: 0 });
    const file = api.deps.files.get(`${visitor.conversationSid}/0`);
    expect(file?.contentType).toBe("image/png");
    expect(file?.filename).toBe("chain ‘new’.png");
    expect(Buffer.from(file!.content)).toEqual(png);
    // A PDF and a voice note go too.
    expect((await api.upload(visitor.token, pdf, "application/pdf")).status).toBe(202);
    expect((await api.upload(visitor.token, ogg, "audio/ogg; codecs=opus")).status).toBe(202);
  });

  it("refuses a type it does not take before reading the body", async () => {
    const api = await start({ uploads: { rate: { capacity: 10, refillMs: 60_000 } } });
    const visitor = await api.session();
    for (const type of ["application/x-msdownload", "text/html", "image/svg+xml", ""]) {
      const response = await api.upload(visitor.token, windowsProgram, type);
      expect(response.status, type).toBe(415);
      expect((await errorOf(response)).code).toBe("unsupported_media_type");
    }
    expect(api.deps.files.size).toBe(0);
  });

  it("refuses a forged file whose bytes are not the type it claims", async () => {
    const api = await start();
    const visitor = await api.session();
    const response = await api.upload(visitor.token, windowsProgram, "image/png");
    expect(response.status).toBe(415);
    expect(await errorOf(response)).toEqual({
      code: "content_mismatch",
      message: "The file's contents are not image/png; it cannot be sent.",
    });
    expect((await api.upload(visitor.token, pdf, "image/jpeg")).status).toBe(415);
    expect(api.deps.files.size).toBe(0);
  });

  it("refuses an oversized file by its declared length, and a streamed one as it crosses the cap", async () => {
    const api = await start({ uploads: { maxBytes: 100_000 } });
    const visitor = await api.session();
    const big = Buffer.concat([png, Buffer.alloc(100_000, 1)]);
    const declared = await api.upload(visitor.token, big, "image/png");
    expect(declared.status).toBe(413);
    expect(declared.headers.get("connection")).toBe("close");
    expect(await errorOf(declared)).toEqual({
      code: "file_too_large",
      message: "The file is larger than 98 KB, the most you can send.",
    });
    // No Content-Length: the server stops at the cap and answers while the client still sends.
    const streamed = await uploadChunked(api.url, visitor.token, 8 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(api.deps.files.size).toBe(0);
  });

  it("refuses an empty file and a malformed name", async () => {
    const api = await start();
    const visitor = await api.session();
    const empty = await api.upload(visitor.token, new Uint8Array(), "image/png");
    expect(empty.status).toBe(400);
    expect((await errorOf(empty)).code).toBe("empty_file");
    const badName = await api.upload(visitor.token, png, "image/png", { "x-filename": "%E0%A4%A" });
    expect(badName.status).toBe(400);
    const longName = await api.upload(visitor.token, png, "image/png", {
      "x-filename": `${"a".repeat(300)}.png`,
    });
    expect(longName.status).toBe(400);
  });

  it("asks for the visitor token like the other doors", async () => {
    const api = await start();
    const missing = await api.upload(undefined, png, "image/png");
    expect(missing.status).toBe(401);
    const visitor = await api.session();
    const forged = await api.upload(`${visitor.token.slice(0, -4)}AAAA`, png, "image/png");
    expect(forged.status).toBe(401);
    expect(api.deps.files.size).toBe(0);
  });

  it("rate-limits uploads per visitor", async () => {
    const api = await start({ uploads: { rate: { capacity: 2, refillMs: 60_000 } } });
    const visitor = await api.session();
    expect((await api.upload(visitor.token, png, "image/png")).status).toBe(202);
    expect((await api.upload(visitor.token, png, "image/png")).status).toBe(202);
    const flooded = await api.upload(visitor.token, png, "image/png");
    expect(flooded.status).toBe(429);
    expect(Number(flooded.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another visitor has their own budget.
    const other = await api.session();
    expect((await api.upload(other.token, png, "image/png")).status).toBe(202);
    api.advance(60_000);
    expect((await api.upload(visitor.token, png, "image/png")).status).toBe(202);
  });

  it("answers 409 for a closed conversation", async () => {
    const api = await start();
    const visitor = await api.session();
    api.deps.close(visitor.conversationSid);
    const response = await api.upload(visitor.token, png, "image/png");
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe("conversation_closed");
  });

  it("takes no files when turned off, and says so in the session", async () => {
    const api = await start({ uploads: false });
    const visitor = await api.session();
    expect(visitor.uploads).toBeNull();
    const response = await api.upload(visitor.token, png, "image/png");
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("uploads_off");
  });

  it("limits the types to the configured ones", async () => {
    const api = await start({ uploads: { contentTypes: ["image/png", "image/jpeg"] } });
    const visitor = await api.session();
    expect(visitor.uploads?.contentTypes).toEqual(["image/png", "image/jpeg"]);
    expect((await api.upload(visitor.token, pdf, "application/pdf")).status).toBe(415);
    expect((await api.upload(visitor.token, png, "image/png")).status).toBe(202);
  });
});

describe("GET /webchat/media", () => {
  it("hands the visitor the bytes of their own conversation's attachment, never rendered", async () => {
    const api = await start();
    const visitor = await api.session();
    await api.upload(visitor.token, png, "image/png");
    const auth = { authorization: `Bearer ${visitor.token}` };
    const response = await fetch(`${api.url}/webchat/media?index=0&position=0`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(png);

    // Another visitor asking for the same index reads their own (empty) conversation.
    const other = await api.session();
    const foreign = await fetch(`${api.url}/webchat/media?index=0&position=0`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(foreign.status).toBe(404);
    for (const query of ["index=0&position=1", "index=9&position=0", "index=x&position=0", ""]) {
      const missing = await fetch(`${api.url}/webchat/media?${query}`, { headers: auth });
      expect([400, 404], query).toContain(missing.status);
    }
    expect((await fetch(`${api.url}/webchat/media?index=0&position=0`)).status).toBe(401);
  });

  it("refuses a forged token, the wrong method and a flood of reads", async () => {
    const api = await start();
    const visitor = await api.session();
    await api.upload(visitor.token, png, "image/png");
    const forged = await fetch(`${api.url}/webchat/media?index=0&position=0`, {
      headers: { authorization: `Bearer ${visitor.token.slice(0, -4)}AAAA` },
    });
    expect(forged.status).toBe(401);
    const auth = { authorization: `Bearer ${visitor.token}` };
    expect((await fetch(`${api.url}/webchat/uploads`, { headers: auth })).status).toBe(405);
    const statuses: number[] = [];
    for (let read = 0; read < 31; read++) {
      const response = await fetch(`${api.url}/webchat/media?index=0&position=0`, {
        headers: auth,
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe("resolveWebchatUploads", () => {
  it("refuses misconfiguration naming the option", () => {
    for (const maxBytes of [0, -1, 1.5, 17 * 1024 * 1024, Number.NaN])
      expect(() => resolveWebchatUploads({ maxBytes })).toThrow(
        expect.objectContaining({ code: "invalid_config", option: "uploads.maxBytes" }),
      );
    for (const contentTypes of [[], ["image/svg+xml"], ["text/html", "image/png"]])
      expect(() => resolveWebchatUploads({ contentTypes })).toThrow(
        expect.objectContaining({ code: "invalid_config", option: "uploads.contentTypes" }),
      );
    expect(() =>
      createWebchatApi(new InMemoryWebchat(), { secret, uploads: { maxBytes: 0 } }),
    ).toThrow(/uploads\.maxBytes/);
    // As the config file spells it, when the service checks it at start.
    expect(() =>
      resolveWebchatUploads({ contentTypes: ["video/mp4"] }, "channels.webchat.uploads"),
    ).toThrow(expect.objectContaining({ option: "channels.webchat.uploads.contentTypes" }));
  });

  it("describes a limit as a visitor reads it", () => {
    expect(describeBytes(5 * 1024 * 1024)).toBe("5 MB");
    expect(describeBytes(1536 * 1024)).toBe("1.5 MB");
    expect(describeBytes(300 * 1024)).toBe("300 KB");
    expect(describeBytes(10)).toBe("10 bytes");
  });
});
