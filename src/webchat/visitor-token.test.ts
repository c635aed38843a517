import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { createVisitorTokens, VisitorTokenError } from "./visitor-token.js";

const secret = "0123456789abcdef0123456789abcdef";
const conversationSid = `CH${"a".repeat(32)}`;

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof VisitorTokenError) return error.code;
    throw error;
  }
  return undefined;
}

describe("visitor tokens", () => {
  it("round-trips claims and mints a fresh random identity each time", () => {
    let now = 1_000_000;
    const tokens = createVisitorTokens({ secret, ttlMs: 5000, now: () => now });
    const { token, claims } = tokens.issue({ conversationSid });
    expect(claims).toEqual({
      identity: expect.stringMatching(/^visitor-[0-9a-f-]{36}$/),
      conversationSid,
      issuedAt: 1_000_000,
      expiresAt: 1_005_000,
    });
    expect(tokens.verify(token)).toEqual(claims);
    expect(tokens.issue().claims.identity).not.toBe(claims.identity);
    now = 1_004_999;
    expect(tokens.verify(token).identity).toBe(claims.identity);
    now = 1_005_000;
    expect(codeOf(() => tokens.verify(token))).toBe("token_expired");
  });

  it("refuses tokens signed with another secret or altered in any byte", () => {
    const tokens = createVisitorTokens({ secret });
    const other = createVisitorTokens({ secret: `${secret}-other` });
    const { token } = tokens.issue({ conversationSid });
    expect(codeOf(() => tokens.verify(other.issue({ conversationSid }).token))).toBe(
      "token_bad_signature",
    );
    for (let position = 0; position < token.length; position += 1) {
      // "A" and "B" differ only in the lowest bit, which base64 may ignore at the end.
      const character = token[position] === "A" ? "B" : "A";
      const altered = token.slice(0, position) + character + token.slice(position + 1);
      expect(["token_bad_signature", "token_malformed"]).toContain(
        codeOf(() => tokens.verify(altered)),
      );
    }
  });

  it("calls odd shapes malformed", () => {
    const tokens = createVisitorTokens({ secret });
    const { token } = tokens.issue();
    const [payload] = token.split(".") as [string];
    for (const bad of [
      "",
      ".",
      "abc",
      `${payload}.`,
      `${token}.x`,
      `${payload}.a+b`,
      "a".repeat(2000),
    ]) {
      expect(
        codeOf(() => tokens.verify(bad)),
        bad.slice(0, 30),
      ).toBe("token_malformed");
    }
  });

  it("refuses a correctly signed payload with the wrong shape", () => {
    // Sign arbitrary JSON with the real secret, as a leaked-secret or old-format token would be.
    const tokens = createVisitorTokens({ secret });
    const sign = (claims: unknown) => {
      const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
      return `${payload}.${createHmac("sha256", secret).update(payload).digest("base64url")}`;
    };
    const valid = tokens.issue({ conversationSid }).claims;
    expect(tokens.verify(sign(valid))).toEqual(valid);
    for (const claims of [
      { ...valid, identity: "admin" },
      { ...valid, conversationSid: "CH../../etc" },
      { ...valid, expiresAt: "never" },
      [valid],
      null,
    ]) {
      expect(codeOf(() => tokens.verify(sign(claims)))).toBe("token_malformed");
    }
  });

  it("requires a secret of at least 32 bytes and a positive lifetime", () => {
    expect(() => createVisitorTokens({ secret: "short" })).toThrow(ConfigError);
    expect(() => createVisitorTokens({ secret: "short" })).toThrow(/options\.secret/);
    expect(() => createVisitorTokens({ secret, ttlMs: 0 })).toThrow(/ttlMs/);
    expect(() => createVisitorTokens({ secret: new Uint8Array(32) })).not.toThrow();
  });

  it("refuses to sign an identity or conversation that is not well formed", () => {
    const tokens = createVisitorTokens({ secret });
    expect(() => tokens.issue({ identity: "visitor-chosen-by-client" })).toThrow(/identity/);
    expect(() => tokens.issue({ conversationSid: "CH123" })).toThrow(/conversation SID/);
  });

  it("ends a renewed token chain at its absolute lifetime", () => {
    let now = Date.UTC(2026, 0, 1);
    const tokens = createVisitorTokens({
      secret: "k".repeat(32),
      ttlMs: 1000,
      maxLifetimeMs: 2500,
      now: () => now,
    });
    const first = tokens.issue();
    let claims = first.claims;
    // Renewed every 900 ms, a sliding token would live for ever; this one stops at 2500 ms.
    for (let step = 0; step < 2; step += 1) {
      now += 900;
      claims = tokens.issue({
        identity: claims.identity,
        startedAt: claims.startedAt ?? claims.issuedAt,
      }).claims;
    }
    expect(claims.expiresAt).toBe(first.claims.issuedAt + 2500);
    const last = tokens.issue({ identity: claims.identity, startedAt: claims.startedAt ?? 0 });
    now = first.claims.issuedAt + 2500;
    expect(() => tokens.verify(last.token)).toThrow(/expired/);
  });
});
