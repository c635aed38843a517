import type { EmulatorHandler, EmulatorRequest, EmulatorRoute } from "../http/types.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { ServiceRecord } from "../store/records.js";
import { conversationsBase } from "./serialize.js";

/** A route of the conversation tree, written once with its path below the service. */
export interface ServiceScopedRoute {
  method: EmulatorRoute["method"];
  /** e.g. `/Conversations/:conversationSid`. */
  suffix: string;
  handler: EmulatorHandler;
}

/**
 * Mounts each route in both of Twilio's forms: `/v1{suffix}` (the account's default
 * service) and `/v1/Services/:serviceSid{suffix}`.
 */
export function inBothForms(routes: readonly ServiceScopedRoute[]): EmulatorRoute[] {
  return routes.flatMap((route) => [
    { method: route.method, pattern: `/v1${route.suffix}`, handler: route.handler },
    {
      method: route.method,
      pattern: `/v1/Services/:serviceSid${route.suffix}`,
      handler: route.handler,
    },
  ]);
}

/** The service a request addresses and the URL prefix its responses use. */
export function serviceOf(
  store: EmulatorStore,
  request: EmulatorRequest,
): { service: ServiceRecord; prefix: string } {
  const service = store.service(request.params.serviceSid);
  const prefix = request.params.serviceSid
    ? `${conversationsBase}/Services/${service.sid}`
    : conversationsBase;
  return { service, prefix };
}
