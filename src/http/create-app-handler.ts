import type { IncomingMessage, ServerResponse } from "node:http";
import type { NodeHandler } from "./server.js";

/** A face mounted on the service: answers its own paths (resolving `true`), else `false`. */
export type MountedFace = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** One readiness check: `ok`, and a short reason when not. */
export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

/** Options of {@link createAppHandler}. */
export interface AppHandlerOptions {
  /** The switchboard's own handler: the webhook route and `/healthz`. */
  switchboard: NodeHandler;
  /** The webhook path, routed to `switchboard` before any face sees it. */
  webhookPath: string;
  /** Faces in order, e.g. web chat then the console (which owns `/`). */
  faces?: readonly MountedFace[];
  /**
   * `GET /readyz`: every check must pass (200) or the service is not ready (503) — a load
   * balancer stops routing to it. Checks run in parallel; one that throws counts as failed.
   */
  readiness?: Record<string, () => ReadinessCheck | Promise<ReadinessCheck>>;
  /** `GET /metrics`: the Prometheus exposition. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

/**
 * The service's whole HTTP surface on one port: the webhook and `/healthz` (process up)
 * from the runtime, `/readyz` (can do work) and `/metrics` for operations, then the faces.
 * Anything no one claims is a 404.
 */
export function createAppHandler(options: AppHandlerOptions): NodeHandler {
  const faces = options.faces ?? [];
  return async (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path === options.webhookPath || path === "/healthz")
      return options.switchboard(request, response);
    if (path === "/readyz" && options.readiness !== undefined) {
      if (!readMethod(request, response)) return;
      const checks = await runChecks(options.readiness);
      const ok = Object.values(checks).every((check) => check.ok);
      response.writeHead(ok ? 200 : 503, {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
      });
      response.end(request.method === "HEAD" ? undefined : JSON.stringify({ ok, checks }));
      return;
    }
    if (path === "/metrics" && options.metrics !== undefined) {
      if (!readMethod(request, response)) return;
      const rendered = await options.metrics();
      response.writeHead(200, {
        "content-type": rendered.contentType,
        "cache-control": "no-store",
      });
      response.end(request.method === "HEAD" ? undefined : rendered.body);
      return;
    }
    for (const face of faces) if (await face(request, response)) return;
    return options.switchboard(request, response);
  };
}

function readMethod(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method === "GET" || request.method === "HEAD") return true;
  request.resume();
  response.writeHead(405, { allow: "GET, HEAD" });
  response.end();
  return false;
}

async function runChecks(
  checks: Record<string, () => ReadinessCheck | Promise<ReadinessCheck>>,
): Promise<Record<string, ReadinessCheck>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, ReadinessCheck]> => {
      try {
        return [name, await check()];
      } catch (error) {
        return [
          name,
          { ok: false, detail: error instanceof Error ? error.message : String(error) },
        ];
      }
    }),
  );
  return Object.fromEntries(entries);
}
