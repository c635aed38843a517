import type { Route, RouteResponse } from "../content/route.js";
import { type InspectorPageOptions, renderInspectorPage } from "./inspector-page.js";
import type { InspectorState } from "./inspector-state.js";

export interface InspectorRoutesOptions extends InspectorPageOptions {
  getState(): InspectorState;
}

/**
 * `GET {base}/` (the page), `GET {base}` (redirects there) and `GET {base}/state` (JSON).
 * They are `public`: the inspector is the emulator's own local UI, not a Twilio API. The
 * stream (`{base}/stream`) comes from `createInspectorStream`.
 */
export function createInspectorRoutes(options: InspectorRoutesOptions): Route[] {
  const basePath = (options.basePath ?? "/_emulator").replace(/\/+$/, "");
  const page = renderInspectorPage(options);
  const html = Buffer.from(page.html);
  const pageResponse: RouteResponse = {
    status: 200,
    body: html,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": page.contentSecurityPolicy,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-cache",
    },
  };
  return [
    { method: "GET", pattern: `${basePath}/`, handler: () => pageResponse, public: true },
    {
      method: "GET",
      pattern: `${basePath}/inspector.js.map`,
      handler: () => ({
        status: 200,
        body: Buffer.from(page.sourceMap),
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" },
      }),
      public: true,
    },
    {
      method: "GET",
      pattern: basePath,
      handler: () => ({ status: 302, headers: { location: `${basePath}/` } }),
      public: true,
    },
    {
      method: "GET",
      pattern: `${basePath}/state`,
      handler: () => ({
        status: 200,
        body: options.getState(),
        headers: { "cache-control": "no-store" },
      }),
      public: true,
    },
  ];
}

/** Where `createInspectorStream` is expected to be mounted, for the default base path. */
export const inspectorStreamPath = "/_emulator/stream";
