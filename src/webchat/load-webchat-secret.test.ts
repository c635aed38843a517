import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  loadSharedWebchatSecret,
  loadWebchatSecret,
  type WebchatSecretStore,
  webchatSecretFromEnv,
  webchatSecretMetaKey,
} from "./load-webchat-secret.js";

let directory: string | undefined;
afterEach(() => {
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

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

describe("webchatSecretFromEnv", () => {
  it("is undefined when SWITCHBOARD_WEBCHAT_SECRET is unset or blank", () => {
    expect(webchatSecretFromEnv({})).toBeUndefined();
    expect(webchatSecretFromEnv({ SWITCHBOARD_WEBCHAT_SECRET: "  " })).toBeUndefined();
  });

  it("returns a value of 32 bytes or more, without surrounding whitespace", () => {
    const value = "a".repeat(64);
    expect(webchatSecretFromEnv({ SWITCHBOARD_WEBCHAT_SECRET: `${value}\n` })).toBe(value);
    expect(webchatSecretFromEnv({ SWITCHBOARD_WEBCHAT_SECRET: "é".repeat(16) })).toBe(
      "é".repeat(16),
    );
  });

  it.each([
    ["a".repeat(31), /at least 32 bytes, got 31/],
    [`${"a".repeat(20)}\u0000${"b".repeat(20)}`, /control character/],
    [`${"a".repeat(20)}\n${"b".repeat(20)}`, /control character/],
  ])("refuses a malformed value without echoing it (%#)", (value, problem) => {
    let message = "";
    try {
      webchatSecretFromEnv({ SWITCHBOARD_WEBCHAT_SECRET: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(problem);
    expect(message).toMatch(/^SWITCHBOARD_WEBCHAT_SECRET /);
    expect(message).not.toContain("aaaaaaaaaa");
  });
});

/** A meta table in memory with a lock that can be held from outside, as another process would. */
function memoryStore(initial: Record<string, string> = {}) {
  const meta = new Map(Object.entries(initial));
  let held = false;
  const store = {
    writes: 0,
    hold: () => {
      held = true;
      return () => {
        held = false;
      };
    },
    async getMeta(key: string) {
      return meta.get(key) ?? null;
    },
    async setMeta(key: string, value: string) {
      store.writes += 1;
      meta.set(key, value);
    },
    async withLock<T>(_name: string, work: () => Promise<T>) {
      if (held) return { acquired: false as const };
      held = true;
      try {
        return { acquired: true as const, value: await work() };
      } finally {
        held = false;
      }
    },
  };
  return { store, meta };
}

describe("loadSharedWebchatSecret", () => {
  it("creates the key once and returns the stored one afterwards", async () => {
    const { store, meta } = memoryStore();
    const first = await loadSharedWebchatSecret(store);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.get(webchatSecretMetaKey)).toBe(first);
    expect(await loadSharedWebchatSecret(store)).toBe(first);
    expect(store.writes).toBe(1);
  });

  it("waits while another instance holds the lock and takes the key it wrote", async () => {
    const { store, meta } = memoryStore();
    const release = store.hold();
    const theirs = "c".repeat(64);
    let sleeps = 0;
    const secret = await loadSharedWebchatSecret(store, {
      sleep: async () => {
        sleeps += 1;
        if (sleeps === 3) {
          meta.set(webchatSecretMetaKey, theirs);
          release();
        }
      },
    });
    expect(secret).toBe(theirs);
    expect(store.writes).toBe(0);
  });

  it("gives up with a clear error when the lock is never released", async () => {
    const { store } = memoryStore();
    store.hold();
    await expect(
      loadSharedWebchatSecret(store, { timeoutMs: 200, sleep: async () => {} }),
    ).rejects.toThrow(/held the web chat key lock .* set SWITCHBOARD_WEBCHAT_SECRET/);
  });

  it("works with a store without a lock (one process)", async () => {
    const { store } = memoryStore();
    const unlocked: WebchatSecretStore = {
      getMeta: (key) => store.getMeta(key),
      setMeta: (key, value) => store.setMeta(key, value),
    };
    const first = await loadSharedWebchatSecret(unlocked);
    expect(await loadSharedWebchatSecret(unlocked)).toBe(first);
  });

  it("refuses a malformed stored key instead of replacing it", async () => {
    const { store, meta } = memoryStore({ [webchatSecretMetaKey]: "short" });
    await expect(loadSharedWebchatSecret(store)).rejects.toThrow(/is malformed; delete that row/);
    expect(meta.get(webchatSecretMetaKey)).toBe("short");
  });
});
