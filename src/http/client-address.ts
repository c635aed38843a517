import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { TrustProxySetting } from "../config/parse-trust-proxy.js";

/** Finds the real client of a request: the key every rate limit uses. */
export type ClientAddress = (request: IncomingMessage) => string;

/**
 * The client address as `trust` allows: without it, the socket's peer (forwarded headers
 * are anyone's to forge). With a hop count, the address that many proxies back in
 * `X-Forwarded-For` (or `Forwarded: for=`); with ranges, the nearest address not in them.
 */
export function createClientAddress(trust: TrustProxySetting | undefined): ClientAddress {
  const peer = (request: IncomingMessage) => normalize(request.socket.remoteAddress ?? "");
  if (trust === undefined) return peer;
  const trusted = "ranges" in trust ? blockListOf(trust.ranges) : undefined;
  return (request) => {
    // Nearest first: the socket, then the forwarded chain from its right end.
    const chain = [peer(request), ...forwardedChain(request).reverse()];
    if ("hops" in trust) return chain[Math.min(trust.hops, chain.length - 1)] ?? "";
    for (const [index, address] of chain.entries()) {
      const family = isIP(address);
      if (family === 0 || !trusted?.check(address, family === 4 ? "ipv4" : "ipv6")) return address;
      if (index === chain.length - 1) return address;
    }
    return chain.at(-1) ?? "";
  };
}

/** The addresses proxies appended, leftmost (farthest) first. */
function forwardedChain(request: IncomingMessage): string[] {
  const forwardedFor = request.headers["x-forwarded-for"];
  if (forwardedFor !== undefined) {
    const joined = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
    return joined
      .split(",")
      .map((item) => normalize(item))
      .filter((item) => item !== "");
  }
  const forwarded = request.headers.forwarded;
  if (forwarded === undefined) return [];
  const addresses: string[] = [];
  for (const element of forwarded.split(",")) {
    const match = /(?:^|;)\s*for=("?)([^";]+)\1/i.exec(element.trim());
    if (match?.[2] !== undefined) addresses.push(normalize(match[2]));
  }
  return addresses;
}

/** `[::1]:80` → `::1`, `1.2.3.4:80` → `1.2.3.4`, `::ffff:1.2.3.4` → `1.2.3.4`. */
function normalize(raw: string): string {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1] !== undefined) address = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.replace(/:\d+$/, "");
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) address = address.slice(7);
  return address.toLowerCase();
}

function blockListOf(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = "", prefix] = range.split("/");
    const family = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}
