import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NodeHandler } from "./listen-http.js";

/** A face mounted on the service: answers its own paths (resolving `true`), else `false`. */
export type MountedFace = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** One readiness check: `ok`, and a short reason when not. */
export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

/** The body of `GET /healthz`; `ok: false` answers 503 (e.g. while shutting down). */
export type HealthReport = { ok: boolean } & Record<string, unknown>;

/** Options of {@link createRouter}. Every route is optional; what is absent is a 404. */
export interface RouterOptions {
  /**
   * `POST <path>`: the Conversations webhook, answered by `handler` — the same Node
   * listener library users mount (`createNodeWebhookHandler`). Another method is a 405.
   */
  webhook?: { path: string; handler: NodeHandler };
  /** `GET /healthz`: the process is up. */
  health?: () => HealthReport;
  /**
   * `GET /readyz`: every check must pass (200) or the service is not ready (503) — a load
   * balancer stops routing to it. Checks run in parallel; one that throws counts as failed.
   */
  readiness?: Record<string, () => ReadinessCheck | Promise<ReadinessCheck>>;
  /** `GET /metrics`: the Prometheus exposition. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /**
   * When set, `/metrics` answers only `Authorization: Bearer <metricsToken>` (401 otherwise),
   * so a scraper's credential is not the console's.
   */
  metricsToken?: string | undefined;
  /** Gets the error of a readiness check that threw (for the log). */
  onReadinessError?: (check: string, error: unknown) => void;
  /** Faces in order, e.g. web chat then the console (which owns `/`). */
  faces?: readonly MountedFace[];
}

/**
 * The service's whole HTTP surface on one port, and the only place routes are decided: the
 * webhook, `/healthz` (process up), `/readyz` (can do work), `/metrics`, then the faces.
 * Anything no one claims is a 404. Holds no business rules — the runtime and the faces
 * supply the handlers.
 */
export function createRouter(options: RouterOptions): NodeHandler {
  const faces = options.faces ?? [];
  const { webhook, health, readiness, metrics } = options;
  return async (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (webhook !== undefined && path === webhook.path) {
      if (request.method !== "POST") return answer(response, 405, { allow: "POST" });
      return webhook.handler(request, response);
    }
    if (path === "/healthz" && health !== undefined) {
      if (!readMethod(request, response)) return;
      const report = health();
      sendReport(request, response, report.ok ? 200 : 503, JSON.stringify(report));
      return;
    }
    if (path === "/readyz" && readiness !== undefined) {
      if (!readMethod(request, response)) return;
      const report = await checkReadiness(readiness, options.onReadinessError);
      sendReport(request, response, report.ok ? 200 : 503, JSON.stringify(report));
      return;
    }
    if (path === "/metrics" && metrics !== undefined) {
      if (!readMethod(request, response)) return;
      if (options.metricsToken !== undefined && !bearerMatches(request, options.metricsToken)) {
        return answer(response, 401, { "www-authenticate": 'Bearer realm="metrics"' });
      }
      const rendered = await metrics();
      response.writeHead(200, {
        "content-type": rendered.contentType,
        "cache-control": "no-store",
      });
      response.end(request.method === "HEAD" ? undefined : rendered.body);
      return;
    }
    for (const face of faces) if (await face(request, response)) return;
    answer(response, 404);
  };
}

function sendReport(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: string,
): void {
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

function readMethod(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method === "GET" || request.method === "HEAD") return true;
  answer(response, 405, { allow: "GET, HEAD" });
  return false;
}

function answer(response: ServerResponse, status: number, headers: Record<string, string> = {}) {
  // Drain what the client sent so keep-alive connections stay usable.
  response.req.resume();
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  response.end();
}

/** What `GET /readyz` answers: every check, and whether all passed. */
export interface ReadinessReport {
  ok: boolean;
  checks: Record<string, ReadinessCheck>;
}

/**
 * Runs the checks in parallel; one that throws counts as failed with the detail "failed"
 * (its error goes to `onError`, never into the report).
 */
export async function checkReadiness(
  checks: Record<string, () => ReadinessCheck | Promise<ReadinessCheck>>,
  onError?: (check: string, error: unknown) => void,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, ReadinessCheck]> => {
      try {
        return [name, await check()];
      } catch (error) {
        // Raw error text (hosts, SQL, driver messages) is for the log, not for anyone who
        // can reach /readyz.
        onError?.(name, error);
        return [name, { ok: false, detail: "failed" }];
      }
    }),
  );
  const results: Record<string, ReadinessCheck> = Object.fromEntries(entries);
  return { ok: Object.values(results).every((check) => check.ok), checks: results };
}

/** Whether the request carries `Authorization: Bearer <expected>`, compared in constant time. */
function bearerMatches(request: IncomingMessage, expected: string): boolean {
  const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? "")?.[1];
  if (presented === undefined) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
