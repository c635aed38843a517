import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a {@link WebhookReceiver} got. */
export interface ReceivedWebhook {
  /** Upper-case HTTP method. */
  method: string;
  /** The full URL as requested (`http://127.0.0.1:PORT/path?query`), for signature checks. */
  url: string;
  /** Node's lower-cased request headers (`x-twilio-signature` among them). */
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  rawBody: string;
  /** Form fields of a POST, or query fields of a GET; repeated names keep every value. */
  params: Record<string, string | string[]>;
}

/** How the receiver answers one request; `delayMs` holds the answer back. */
export interface ReceiverAnswer {
  /** HTTP status; 200 when absent. */
  status?: number;
  /** Response body (a pre-event's JSON modification, for one); empty when absent. */
  body?: string;
  /** Milliseconds to wait before answering (a slow or timing-out endpoint). */
  delayMs?: number;
}

/** A real HTTP server on 127.0.0.1 that records webhook requests. */
export interface WebhookReceiver {
  /** Base URL, `http://127.0.0.1:PORT`. */
  url: string;
  /** Every request so far, in arrival order. */
  received: ReceivedWebhook[];
  /** Stops the server, answering nothing more. */
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 (port 0). `answer` decides each response from the
 * request and how many requests came before it (default: 200 with an empty body).
 * Meant for tests of webhook senders; it checks nothing itself.
 */
export async function startWebhookReceiver(
  answer: (request: ReceivedWebhook, count: number) => ReceiverAnswer = () => ({}),
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const pending = new Set<NodeJS.Timeout>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf-8");
      const url = `${base}${request.url ?? "/"}`;
      const fields =
        request.method === "GET" ? new URL(url).searchParams : new URLSearchParams(rawBody);
      const params: Record<string, string | string[]> = {};
      for (const [name, value] of fields) {
        const previous = params[name];
        if (previous === undefined) params[name] = value;
        else params[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
      }
      const webhook = {
        method: request.method ?? "",
        url,
        headers: request.headers,
        rawBody,
        params,
      };
      received.push(webhook);
      const reply = answer(webhook, received.length - 1);
      const send = () => {
        if (response.destroyed) return;
        response.writeHead(reply.status ?? 200, { "Content-Type": "application/json" });
        response.end(reply.body ?? "");
      };
      if (!reply.delayMs) return send();
      const timer = setTimeout(() => {
        pending.delete(timer);
        send();
      }, reply.delayMs);
      pending.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
