import { describe, expect, it } from "vitest";
import {
  boundedMediaReader,
  defaultMediaLimits,
  isAllowedContentType,
  mediaKind,
  validateMediaLimits,
} from "./media.js";

const limits = { maxBytes: 8, allowedContentTypes: ["image/*", "audio/ogg"] };

async function* chunks(...sizes: number[]) {
  for (const size of sizes) yield new Uint8Array(size).fill(size);
}

describe("mediaKind", () => {
  it.each([
    ["image/jpeg", "image"],
    ["IMAGE/PNG; charset=binary", "image"],
    ["audio/ogg; codecs=opus", "audio"],
    ["application/pdf", "document"],
    ["text/vcard", "document"],
    ["video/mp4", "other"],
    ["", "other"],
  ])("%s is %s", (contentType, kind) => {
    expect(mediaKind({ contentType })).toBe(kind);
  });

  it("keeps a kind the runtime already set", () => {
    expect(mediaKind({ contentType: "application/octet-stream", kind: "audio" })).toBe("audio");
  });
});

describe("isAllowedContentType", () => {
  it("matches exact types and families, ignoring case and parameters", () => {
    expect(isAllowedContentType("image/webp", limits.allowedContentTypes)).toBe(true);
    expect(isAllowedContentType("Audio/OGG; codecs=opus", limits.allowedContentTypes)).toBe(true);
    expect(isAllowedContentType("audio/mpeg", limits.allowedContentTypes)).toBe(false);
    expect(isAllowedContentType("imagex/png", limits.allowedContentTypes)).toBe(false);
  });
});

describe("boundedMediaReader", () => {
  it("returns the bytes, joined from a stream", async () => {
    const read = boundedMediaReader({ contentType: "image/png" }, async () => chunks(3, 5), limits);
    expect([...(await read())]).toEqual([3, 3, 3, 5, 5, 5, 5, 5]);
  });

  it("refuses a disallowed type or a declared size before fetching", async () => {
    let fetched = 0;
    const source = async () => {
      fetched += 1;
      return new Uint8Array(1);
    };
    await expect(
      boundedMediaReader({ contentType: "video/mp4" }, source, limits)(),
    ).rejects.toMatchObject({
      code: "media_rejected",
      message: expect.stringContaining("video/mp4"),
    });
    await expect(
      boundedMediaReader({ contentType: "image/png", size: 9 }, source, limits)(),
    ).rejects.toMatchObject({ code: "media_rejected" });
    expect(fetched).toBe(0);
  });

  it("stops reading once the bytes pass the limit, whatever size was reported", async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled += 1;
        yield new Uint8Array(4);
      }
    }
    const read = boundedMediaReader(
      { contentType: "image/png", size: 1 },
      async () => endless(),
      limits,
    );
    await expect(read()).rejects.toThrow(/larger than the 8 bytes/);
    expect(pulled).toBe(3);
    await expect(
      boundedMediaReader({ contentType: "image/png" }, async () => new Uint8Array(9), limits)(),
    ).rejects.toMatchObject({ code: "media_rejected" });
  });

  it("lets the source's own errors through (they may be retryable)", async () => {
    const read = boundedMediaReader({ contentType: "image/png" }, async () => {
      throw new Error("503 from media host");
    });
    await expect(read()).rejects.toThrow("503 from media host");
  });

  it("validates limits at construction, naming the option", () => {
    expect(() => validateMediaLimits({ ...defaultMediaLimits, maxBytes: 0 })).toThrow(/"maxBytes"/);
    expect(() =>
      boundedMediaReader({ contentType: "image/png" }, async () => new Uint8Array(), {
        maxBytes: 10,
        allowedContentTypes: ["jpeg"],
      }),
    ).toThrow(/"allowedContentTypes" holds "jpeg"/);
  });
});
