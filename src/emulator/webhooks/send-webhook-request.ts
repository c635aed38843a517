import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** The outcome of one HTTP attempt. */
export type WebhookAttemptResult =
  | { status: number; body: string; ms: number }
  | { status: "timeout"; ms: number }
  | { status: "error"; error: Error; ms: number };

/** The most of a receiver's answer we read; pre-event changes are small JSON objects. */
const maxResponseBytes = 64 * 1024;

/**
 * Sends one webhook request with `node:http(s)` and waits for the full answer, at most
 * `timeoutMs` for headers and body together (Twilio's 5-second rule). A fresh connection
 * per attempt: nothing pooled can outlive the emulator or hold a test server open.
 */
export function sendWebhookRequest(
  url: string,
  init: {
    method: "GET" | "POST";
    headers: Record<string, string>;
    body?: string;
    timeoutMs: number;
  },
): Promise<WebhookAttemptResult> {
  // Durations use the monotonic clock: an emulator clock advance must not inflate them.
  const now = () => Math.round(performance.now());
  const started = now();
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:")
      throw new TypeError(`webhook URLs must be http or https, not ${target.protocol}`);
  } catch (error) {
    return Promise.resolve({ status: "error", error: error as Error, ms: 0 });
  }
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: WebhookAttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const headers = { ...init.headers };
    if (init.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(init.body));
    const request = send(target, { method: init.method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxResponseBytes) chunks.push(chunk);
      });
      response.on("end", () =>
        finish({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf-8"),
          ms: now() - started,
        }),
      );
      response.on("error", (error) => finish({ status: "error", error, ms: now() - started }));
    });
    timer = setTimeout(() => {
      finish({ status: "timeout", ms: now() - started });
      request.destroy();
    }, init.timeoutMs);
    request.on("error", (error) => finish({ status: "error", error, ms: now() - started }));
    request.end(init.body);
  });
}
