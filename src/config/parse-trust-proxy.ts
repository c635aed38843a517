import { isIP } from "node:net";
import { ConfigError } from "../errors.js";

/**
 * Which proxies in front are believed about the client: the last `hops` of them, or those
 * whose address is in `ranges` (an address or CIDR range each). `undefined`: none.
 */
export type TrustProxySetting = { hops: number } | { ranges: readonly string[] };

/**
 * Reads `trustProxy` from the config file (a number or a list), or `SWITCHBOARD_TRUST_PROXY`
 * / `--trust-proxy` (`1`, or `10.0.0.0/8,127.0.0.1`). `0`, `none`, `false` and blank mean
 * none. Anything else is refused naming `source`.
 */
export function parseTrustProxy(
  value: number | string | readonly string[] | undefined,
  source: string,
): TrustProxySetting | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return hopsOf(value, source);
  const items = typeof value === "string" ? value.split(",") : [...value];
  const list = items.map((item) => item.trim()).filter((item) => item !== "");
  if (list.length === 0) return undefined;
  if (list.length === 1 && /^(none|false)$/i.test(list[0] ?? "")) return undefined;
  if (list.length === 1 && /^\d+$/.test(list[0] ?? "")) return hopsOf(Number(list[0]), source);
  for (const item of list) {
    const [address = "", prefix, extra] = item.split("/");
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const validPrefix =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !validPrefix || extra !== undefined) {
      throw new ConfigError(
        "trustProxy",
        `${source}: "${item}" is not an IP address or CIDR range; give a hop count (1) or the proxies' addresses (10.0.0.0/8,127.0.0.1).`,
      );
    }
  }
  return { ranges: list };
}

function hopsOf(value: number, source: string): TrustProxySetting | undefined {
  if (!Number.isInteger(value) || value < 0 || value > 32) {
    throw new ConfigError("trustProxy", `${source}: a hop count must be an integer from 0 to 32.`);
  }
  return value === 0 ? undefined : { hops: value };
}
