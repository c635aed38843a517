import { FaultRuleError } from "./fault-rule-error.js";
import type { RestFaultEngine, WebhookFaultEngine } from "./fault-rule-set.js";
import {
  type FaultRuleInput,
  maxFaultRuleBytes,
  parseRestFaultRule,
  parseWebhookFaultRule,
} from "./parse-fault-rule.js";

/** A control-route answer, for the server to write as JSON (`204` has no body). */
export interface ControlResponse {
  status: number;
  body?: unknown;
}

export interface FaultControlRoutesOptions {
  restFaults: RestFaultEngine;
  webhookFaults: WebhookFaultEngine;
  /** The webhook delivery log (`createWebhookDeliveryLog()`, shared with the dispatcher). */
  webhookLog: { entries(): unknown[]; clear(): void };
}

/**
 * The emulator's fault and webhook-log control routes as plain functions over raw JSON
 * bodies, so any router can mount them:
 *
 * | route | function | answer |
 * |---|---|---|
 * | `POST /_emulator/faults` | `postFaults(body)` | 201 `{id}`, 400/413 `{code, field, message}` |
 * | `GET /_emulator/faults` | `getFaults()` | 200 `{faults: [...]}` |
 * | `DELETE /_emulator/faults` | `deleteFaults()` | 204 |
 * | `POST /_emulator/webhooks/faults` | `postWebhookFaults(body)` | as above |
 * | `GET /_emulator/webhooks/faults` | `getWebhookFaults()` | 200 `{faults: [...]}` |
 * | `DELETE /_emulator/webhooks/faults` | `deleteWebhookFaults()` | 204 |
 * | `GET /_emulator/webhooks` | `getWebhooks()` | 200 `{deliveries: [...]}` oldest first |
 * | `DELETE /_emulator/webhooks` | `deleteWebhooks()` | 204 (clears the log) |
 *
 * `handle(method, path, body)` routes those paths and returns `undefined` for any other.
 */
export interface FaultControlRoutes {
  postFaults(body: string | Buffer): ControlResponse;
  getFaults(): ControlResponse;
  deleteFaults(): ControlResponse;
  postWebhookFaults(body: string | Buffer): ControlResponse;
  getWebhookFaults(): ControlResponse;
  deleteWebhookFaults(): ControlResponse;
  getWebhooks(): ControlResponse;
  deleteWebhooks(): ControlResponse;
  handle(method: string, path: string, body?: string | Buffer): ControlResponse | undefined;
}

export function createFaultControlRoutes(options: FaultControlRoutesOptions): FaultControlRoutes {
  const { restFaults, webhookFaults, webhookLog } = options;
  const routes: FaultControlRoutes = {
    postFaults: (body) => addRule(body, parseRestFaultRule, (input) => restFaults.add(input)),
    getFaults: () => ({ status: 200, body: { faults: restFaults.list() } }),
    deleteFaults() {
      restFaults.clear();
      return { status: 204 };
    },
    postWebhookFaults: (body) =>
      addRule(body, parseWebhookFaultRule, (input) => webhookFaults.add(input)),
    getWebhookFaults: () => ({ status: 200, body: { faults: webhookFaults.list() } }),
    deleteWebhookFaults() {
      webhookFaults.clear();
      return { status: 204 };
    },
    getWebhooks: () => ({ status: 200, body: { deliveries: webhookLog.entries() } }),
    deleteWebhooks() {
      webhookLog.clear();
      return { status: 204 };
    },
    handle(method, path, body = "") {
      const verb = method.toUpperCase();
      const route = path.replace(/\/+$/, "");
      if (route === "/_emulator/faults") {
        if (verb === "POST") return routes.postFaults(body);
        if (verb === "GET") return routes.getFaults();
        if (verb === "DELETE") return routes.deleteFaults();
        return methodNotAllowed(verb);
      }
      if (route === "/_emulator/webhooks/faults") {
        if (verb === "POST") return routes.postWebhookFaults(body);
        if (verb === "GET") return routes.getWebhookFaults();
        if (verb === "DELETE") return routes.deleteWebhookFaults();
        return methodNotAllowed(verb);
      }
      if (route === "/_emulator/webhooks") {
        if (verb === "GET") return routes.getWebhooks();
        if (verb === "DELETE") return routes.deleteWebhooks();
        return methodNotAllowed(verb);
      }
      return undefined;
    },
  };
  return routes;
}

function addRule<Match, Fault>(
  body: string | Buffer,
  parse: (value: unknown) => FaultRuleInput<Match, Fault>,
  add: (input: FaultRuleInput<Match, Fault>) => { id: string },
): ControlResponse {
  try {
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    if (size > maxFaultRuleBytes)
      throw new FaultRuleError("body", `body must be at most ${maxFaultRuleBytes} bytes`, 413);
    let value: unknown;
    try {
      value = JSON.parse(body.toString());
    } catch {
      throw new FaultRuleError("body", "body must be valid JSON");
    }
    return { status: 201, body: add(parse(value)) };
  } catch (error) {
    if (!(error instanceof FaultRuleError)) throw error;
    return {
      status: error.status,
      body: { code: error.code, field: error.field, message: error.message },
    };
  }
}

function methodNotAllowed(method: string): ControlResponse {
  return {
    status: 405,
    body: { code: "method_not_allowed", message: `${method} is not supported on this route` },
  };
}
