import type { EmulatorRequest } from "../http/types.js";
import { ControlRequestError } from "./control-request-error.js";

/** Largest body of a control route without media (64 KiB). */
export const maximumControlBodyBytes = 64 * 1024;

/**
 * Reads a control route's body as a JSON object: 413 past `maximumBytes`, 400 for
 * anything that is not valid JSON or not an object. An empty body reads as `{}`.
 */
export function readControlJson(
  request: EmulatorRequest,
  maximumBytes = maximumControlBodyBytes,
): Record<string, unknown> {
  if (request.rawBody.length > maximumBytes)
    throw new ControlRequestError(
      413,
      "body_too_large",
      `The body must be at most ${maximumBytes} bytes`,
    );
  const text = request.rawBody.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ControlRequestError(400, "invalid_json", "The body must be valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ControlRequestError(400, "invalid_json", "The body must be a JSON object");
  return value as Record<string, unknown>;
}

/** A field that must be a string when present. */
export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw new ControlRequestError(400, "invalid_field", `"${name}" must be a string`);
  return value;
}

/** A field that must be a string. */
export function requiredString(body: Record<string, unknown>, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined || value === "")
    throw new ControlRequestError(400, "missing_field", `"${name}" is required`);
  return value;
}
