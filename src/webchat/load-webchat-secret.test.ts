import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadWebchatSecret } from "./load-webchat-secret.js";

let directory: string;
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe("loadWebchatSecret", () => {
  it("creates a 32-byte secret readable by the owner only, and returns the same one after a restart", () => {
    directory = mkdtempSync(join(tmpdir(), "webchat-secret-"));
    const path = join(directory, "state", "webchat-secret");
    const first = loadWebchatSecret(path);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadWebchatSecret(path)).toBe(first);
    expect(readFileSync(path, "utf8").trim()).toBe(first);
  });

  it.each([["short"], [""], ["z".repeat(64)]])(
    "refuses a file holding %j instead of replacing it",
    (content) => {
      directory = mkdtempSync(join(tmpdir(), "webchat-secret-"));
      const path = join(directory, "webchat-secret");
      writeFileSync(path, content);
      expect(() => loadWebchatSecret(path)).toThrow(/at least 64 hex digits/);
      expect(readFileSync(path, "utf8")).toBe(content);
    },
  );
});
