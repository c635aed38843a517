import { clockAdvanceProblem, type EmulatorClock } from "../clock.js";
import type { ChannelDelivery } from "../delivery/channel-delivery.js";
import type { FaultControlRoutes } from "../faults/fault-control-routes.js";
import type { EmulatorHandler, EmulatorRoute } from "../http/types.js";
import { ControlRequestError } from "./control-request-error.js";
import {
  type CustomerInboundContext,
  parseCustomerMessage,
  receiveCustomerMessage,
} from "./customer-inbound.js";
import { createDeliveryControlRoutes } from "./delivery-control-routes.js";
import { readControlJson } from "./read-control-json.js";

/** Largest `POST /_emulator/inbound` body: room for base64 media (24 MiB). */
export const maximumInboundRequestBytes = 24 * 1024 * 1024;

export interface ControlRoutesOptions {
  inbound: CustomerInboundContext;
  delivery: ChannelDelivery;
  clock: EmulatorClock;
  faults: FaultControlRoutes;
  /** Back to the start state (`POST /_emulator/reset`). */
  reset(): void;
}

/**
 * The emulator's own API under `/_emulator/` (no Basic auth; the emulator binds to
 * loopback by default):
 *
 * | route | body | answer |
 * |---|---|---|
 * | `POST /_emulator/inbound` | `{channel, from, to?, body?, media?, conversationSid?}` | 201 `{conversationSid, messageSid}` |
 * | `GET /_emulator/devices` | | `{devices: {address: messages}}` |
 * | `GET /_emulator/devices/{address}/messages` | | `{messages: [{body, media, from, dateCreated, status}]}` |
 * | `GET /_emulator/clock` | | `{now}` |
 * | `POST /_emulator/clock` | `{advanceMs}` (up to the end of the year 9999) | `{now}` |
 * | `POST /_emulator/reset` | | 204 |
 * | `…/faults`, `…/webhooks/faults`, `GET /_emulator/webhooks` | see faults/ | |
 * | `…/deliveries`, `…/delivery-failures`, `…/opt-outs` | see delivery-control-routes.ts | |
 */
export function createControlRoutes(options: ControlRoutesOptions): EmulatorRoute[] {
  const faultRoute =
    (method: string): EmulatorHandler =>
    (request) =>
      options.faults.handle(method, request.path, request.rawBody) ?? { status: 404 };
  const faultPaths = ["/_emulator/faults", "/_emulator/webhooks/faults"];
  return [
    {
      method: "POST",
      pattern: "/_emulator/inbound",
      // One byte over, so the route answers its own 413 naming the limit.
      maximumBodyBytes: maximumInboundRequestBytes + 1,
      handler: control(async (request) => {
        const message = parseCustomerMessage(readControlJson(request, maximumInboundRequestBytes));
        return { status: 201, body: await receiveCustomerMessage(options.inbound, message) };
      }),
    },
    {
      method: "GET",
      pattern: "/_emulator/devices",
      handler: () => ({ status: 200, body: { devices: options.delivery.devices() } }),
    },
    {
      method: "GET",
      pattern: "/_emulator/devices/:address/messages",
      handler: (request) => ({
        status: 200,
        body: { messages: options.delivery.deviceMessages(request.params.address ?? "") },
      }),
    },
    {
      method: "GET",
      pattern: "/_emulator/clock",
      handler: () => ({ status: 200, body: { now: new Date(options.clock.now()).toISOString() } }),
    },
    {
      method: "POST",
      pattern: "/_emulator/clock",
      handler: control((request) => {
        const advanceMs = readControlJson(request).advanceMs;
        // Checked before anything moves: a clock past any valid date broke every later read.
        const problem = clockAdvanceProblem(options.clock.now(), advanceMs);
        if (problem !== undefined)
          throw new ControlRequestError(400, "invalid_field", `"advanceMs" ${problem}`);
        options.clock.advance(advanceMs as number);
        return { status: 200, body: { now: new Date(options.clock.now()).toISOString() } };
      }),
    },
    {
      method: "POST",
      pattern: "/_emulator/reset",
      handler: () => {
        options.reset();
        return { status: 204 };
      },
    },
    ...faultPaths.flatMap((pattern) =>
      ["POST", "GET", "DELETE"].map((method) => ({
        method,
        pattern,
        handler: faultRoute(method),
      })),
    ),
    ...createDeliveryControlRoutes(options.delivery),
    { method: "GET", pattern: "/_emulator/webhooks", handler: faultRoute("GET") },
    { method: "DELETE", pattern: "/_emulator/webhooks", handler: faultRoute("DELETE") },
  ];
}

/** Answers a control route's own errors as `{code, message}`; Twilio errors pass through. */
function control(handler: EmulatorHandler): EmulatorHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof ControlRequestError) return error.toResponse();
      throw error;
    }
  };
}
