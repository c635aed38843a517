import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { parseTrustProxy } from "../config/parse-trust-proxy.js";
import { createClientAddress } from "./client-address.js";

function request(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

describe("createClientAddress", () => {
  it("believes no forwarded header by default", () => {
    const address = createClientAddress(undefined);
    expect(address(request("10.0.0.5", { "x-forwarded-for": "1.2.3.4" }))).toBe("10.0.0.5");
  });

  it("takes the address one hop back behind one proxy, ignoring what the client forged", () => {
    const address = createClientAddress(parseTrustProxy(1, "test"));
    // The client sent `X-Forwarded-For: 6.6.6.6`; the proxy appended the real 1.2.3.4.
    expect(address(request("127.0.0.1", { "x-forwarded-for": "6.6.6.6, 1.2.3.4" }))).toBe(
      "1.2.3.4",
    );
    expect(address(request("127.0.0.1"))).toBe("127.0.0.1");
  });

  it("walks back past trusted ranges only", () => {
    const address = createClientAddress(parseTrustProxy("10.0.0.0/8, 127.0.0.1", "test"));
    const forwarded = { "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.1.2.3" };
    expect(address(request("127.0.0.1", forwarded))).toBe("203.0.113.9");
    // A peer outside the ranges is the client, whatever it claims.
    expect(address(request("198.51.100.7", forwarded))).toBe("198.51.100.7");
  });

  it("reads the standard Forwarded header", () => {
    const address = createClientAddress(parseTrustProxy("1", "test"));
    expect(address(request("::1", { forwarded: 'for="[2001:db8::1]:443";proto=https' }))).toBe(
      "2001:db8::1",
    );
  });

  it("refuses a setting that is neither a hop count nor addresses, naming its source", () => {
    expect(() => parseTrustProxy("yes", "SWITCHBOARD_TRUST_PROXY")).toThrow(
      /SWITCHBOARD_TRUST_PROXY: "yes" is not an IP address/,
    );
    expect(() => parseTrustProxy("10.0.0.0/99", "--trust-proxy")).toThrow(/--trust-proxy/);
    expect(parseTrustProxy("none", "x")).toBeUndefined();
    expect(parseTrustProxy(0, "x")).toBeUndefined();
  });
});
