import { configEnvironmentVariables } from "../config/resolve-config.js";
import { ConfigError } from "../errors.js";
import { checkConsoleToken, minimumConsoleTokenLength } from "../service/console-token.js";

/**
 * Checks `SWITCHBOARD_METRICS_TOKEN` (`undefined`: `/metrics` asks for no token) by the
 * console token's rule, since both are bearer secrets on the same port: the rule is
 * `checkConsoleToken`'s own; only the message is this variable's. (The config file's
 * `metrics.token` is refused as a secret before this; there is no flag.) Never echoes the
 * value.
 */
export function checkMetricsToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    return checkConsoleToken(token);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(
      "metricsToken",
      `${configEnvironmentVariables.metricsToken} must be at least ${minimumConsoleTokenLength} printable characters without spaces (16 random bytes), like the console token; generate one with \`openssl rand -base64 24\`, or unset it to serve /metrics without a token.`,
    );
  }
}
