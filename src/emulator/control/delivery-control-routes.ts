import type { ChannelDelivery } from "../delivery/channel-delivery.js";
import { deliveryFailures, isDeliveryFailure } from "../delivery/delivery-failures.js";
import type { EmulatorHandler, EmulatorRoute } from "../http/types.js";
import { ControlRequestError } from "./control-request-error.js";
import { readControlJson, requiredString } from "./read-control-json.js";

const customerAddress = /^(whatsapp:)?\+[1-9]\d{6,14}$/;

/**
 * Delivery outcomes under `/_emulator/` (part of the control API, see control-routes.ts):
 *
 * | route | body | answer |
 * |---|---|---|
 * | `GET /_emulator/deliveries` | | `{deliveries: [{messageSid, receiptSid, channelMessageSid, to, from, channel, status, errorCode, history}]}` |
 * | `POST /_emulator/delivery-failures` | `{address, failure}` | 201 `{address, failure, errorCode, status}` |
 * | `GET /_emulator/delivery-failures` | | `{failures: [...]}` |
 * | `DELETE /_emulator/delivery-failures/{address}` | | 204 |
 * | `DELETE /_emulator/delivery-failures` | | 204 (all) |
 * | `GET /_emulator/opt-outs` | | `{optOuts: [{address, keyword, at}]}` |
 *
 * `failure` is one of `unreachable` (30003), `unknown-destination` (30005), `landline`
 * (30006), `carrier-filtered` (30007), `unknown-error` (30008), `opted-out` (21610) or
 * `outside-window` (63016); every later delivery to that address ends so.
 */
export function createDeliveryControlRoutes(delivery: ChannelDelivery): EmulatorRoute[] {
  return [
    {
      method: "GET",
      pattern: "/_emulator/deliveries",
      handler: () => ({ status: 200, body: { deliveries: delivery.deliveries() } }),
    },
    {
      method: "GET",
      pattern: "/_emulator/delivery-failures",
      handler: () => ({ status: 200, body: { failures: delivery.failures() } }),
    },
    {
      method: "POST",
      pattern: "/_emulator/delivery-failures",
      handler: control((request) => {
        const body = readControlJson(request);
        const address = requiredString(body, "address");
        if (!customerAddress.test(address))
          throw new ControlRequestError(
            400,
            "invalid_field",
            '"address" must be a phone number such as +15551230001 or whatsapp:+15551230001',
          );
        const failure = body.failure;
        if (!isDeliveryFailure(failure))
          throw new ControlRequestError(
            400,
            "invalid_field",
            `"failure" must be one of ${Object.keys(deliveryFailures).join(", ")}`,
          );
        return { status: 201, body: delivery.setFailure(address, failure) };
      }),
    },
    {
      method: "DELETE",
      pattern: "/_emulator/delivery-failures/:address",
      handler: (request) => {
        delivery.setFailure(request.params.address ?? "", null);
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      pattern: "/_emulator/delivery-failures",
      handler: () => {
        for (const rule of delivery.failures()) delivery.setFailure(rule.address, null);
        return { status: 204 };
      },
    },
    {
      method: "GET",
      pattern: "/_emulator/opt-outs",
      handler: () => ({ status: 200, body: { optOuts: delivery.optOuts() } }),
    },
  ];
}

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
