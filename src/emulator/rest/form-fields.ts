import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRequest } from "../http/types.js";
import type { ActionOrigin } from "../store/emulator-events.js";
import { parseRestDate } from "./twilio-date.js";

/** Reads typed fields of a form-encoded body; absent fields stay absent (`undefined`). */
export class FormFields {
  readonly #form: URLSearchParams;
  constructor(form: URLSearchParams) {
    this.#form = form;
  }

  string(name: string): string | undefined {
    return this.#form.get(name) ?? undefined;
  }

  required(name: string): string {
    const value = this.#form.get(name);
    if (value === null || value === "") throw twilioErrors.missingParameter(name);
    return value;
  }

  /** Every value of a repeated key (`Filters=a&Filters=b`). */
  list(name: string): string[] | undefined {
    return this.#form.has(name) ? this.#form.getAll(name) : undefined;
  }

  boolean(name: string): boolean | undefined {
    const value = this.#form.get(name);
    if (value === null) return undefined;
    if (value === "true" || value === "True") return true;
    if (value === "false" || value === "False") return false;
    throw twilioErrors.invalidParameter(name, "must be true or false");
  }

  integer(name: string): number | undefined {
    const value = this.#form.get(name);
    if (value === null) return undefined;
    if (!/^-?\d+$/.test(value)) throw twilioErrors.invalidParameter(name, "must be an integer");
    return Number(value);
  }

  date(name: string): number | undefined {
    const value = this.#form.get(name);
    if (value === null) return undefined;
    const ms = parseRestDate(value);
    if (ms === undefined) throw twilioErrors.invalidParameter(name, "must be an ISO-8601 date");
    return ms;
  }

  oneOf<Value extends string>(name: string, allowed: readonly Value[]): Value | undefined {
    const value = this.#form.get(name);
    if (value === null) return undefined;
    if (!(allowed as readonly string[]).includes(value))
      throw twilioErrors.invalidParameter(name, `must be one of ${allowed.join(", ")}`);
    return value as Value;
  }
}

/** REST actions come from `API` and fire webhooks only with `X-Twilio-Webhook-Enabled: true`. */
export function restOrigin(request: EmulatorRequest): ActionOrigin {
  const header = request.headers["x-twilio-webhook-enabled"];
  return { source: "API", webhookEnabled: String(header).toLowerCase() === "true" };
}

/** Drops `undefined` values so optional fields satisfy `exactOptionalPropertyTypes`. */
export function defined<Value extends Record<string, unknown>>(
  value: Value,
): { [Key in keyof Value]?: Exclude<Value[Key], undefined> } {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as never;
}
