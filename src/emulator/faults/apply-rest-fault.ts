import { type IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { RestFaultEngine } from "./fault-rule-set.js";
import type { RestFault } from "./parse-fault-rule.js";

/**
 * What the server does after {@link applyRestFault}:
 * - `continue`: handle the request normally (no fault, or a delay that has now passed);
 * - `handled`: the fault already answered or dropped the connection; do nothing more;
 * - `commit-then-fail`: run the handler so the write happens, but send its result
 *   nowhere; then call `fail()`, which answers with the error status or destroys the
 *   connection. This is the ambiguous failure every sender must survive: the message
 *   exists although the sender saw an error.
 */
export type RestFaultAction =
  | { action: "continue" }
  | { action: "handled" }
  | { action: "commit-then-fail"; fail: () => void };

/** Twilio error codes for the statuses a fault is likely to use; override with `code`. */
const defaultCodes: Readonly<Record<number, number>> = {
  401: 20003,
  403: 20403,
  404: 20404,
  429: 20429,
  500: 20500,
  503: 20503,
};

/**
 * Applies a decided REST fault to a `node:http` response. Call it after routing has
 * matched a REST path (never for `/_emulator/*` control routes) and before the handler.
 */
export async function applyRestFault(
  fault: RestFault | undefined,
  response: ServerResponse,
): Promise<RestFaultAction> {
  if (fault === undefined) return { action: "continue" };
  switch (fault.kind) {
    case "delay":
      await sleep(fault.delayMs);
      return { action: "continue" };
    case "status":
      sendTwilioError(response, fault.status, fault.code, fault.retryAfter);
      return { action: "handled" };
    case "reset":
      response.socket?.destroy();
      return { action: "handled" };
    case "commitThenStatus":
      return {
        action: "commit-then-fail",
        fail: () => sendTwilioError(response, fault.status, fault.code, fault.retryAfter),
      };
    case "commitThenReset":
      return { action: "commit-then-fail", fail: () => response.socket?.destroy() };
  }
}

/**
 * The answer of a status fault as data — `{status, headers, body}` with the Twilio error
 * body `{code, message, more_info, status}` and `Retry-After` when given — for servers
 * whose handlers return responses instead of writing them.
 */
export function restFaultResponse(
  status: number,
  code = defaultCodes[status] ?? (status >= 500 ? 20500 : 20001),
  retryAfter?: number,
): {
  status: number;
  headers: Record<string, string>;
  body: { code: number; message: string; more_info: string; status: number };
} {
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined) headers["Retry-After"] = String(retryAfter);
  return {
    status,
    headers,
    body: {
      code,
      message: `Injected fault: HTTP ${status}`,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    },
  };
}

/** Writes a status fault's Twilio error to a `node:http` response. */
export function sendTwilioError(
  response: ServerResponse,
  status: number,
  code?: number,
  retryAfter?: number,
): void {
  const answer = restFaultResponse(status, code, retryAfter);
  const body = JSON.stringify(answer.body);
  response.writeHead(status, {
    ...answer.headers,
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(body)),
  });
  response.end(body);
}

/**
 * The whole REST fault step for a `node:http` server, in one call:
 *
 * ```ts
 * await runWithRestFaults(faults, request, response, (res) => router.handle(request, res));
 * ```
 *
 * It matches the request's method and path against the rules, applies the fault, and
 * runs `handler` — against the real response normally, or against a detached response
 * whose output is dropped when the fault is `commitThen…`, failing the real one after.
 */
export async function runWithRestFaults(
  engine: RestFaultEngine,
  request: IncomingMessage,
  response: ServerResponse,
  handler: (response: ServerResponse) => Promise<void> | void,
): Promise<void> {
  const path = new URL(request.url ?? "/", "http://emulator").pathname;
  const decided = engine.match(request.method ?? "GET", path);
  const step = await applyRestFault(decided?.fault, response);
  if (step.action === "handled") return;
  if (step.action === "continue") {
    await handler(response);
    return;
  }
  // A response with no socket buffers what the handler writes and sends it nowhere.
  await handler(new ServerResponse(request));
  step.fail();
}
