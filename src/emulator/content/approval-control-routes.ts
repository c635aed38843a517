import { ControlRequestError } from "../control/control-request-error.js";
import { optionalString, readControlJson, requiredString } from "../control/read-control-json.js";
import type { EmulatorRoute } from "../http/types.js";
import { type ContentStore, isApprovalStatus } from "./content-store.js";

/**
 * `POST /_emulator/content/{sid}/approval` with `{"status": "approved"}` (or `rejected`
 * with an optional `rejectionReason`, `pending`, `paused`, `disabled`): the emulator plays
 * WhatsApp deciding on a template, so tests can drive pending → approved / rejected.
 */
export function createApprovalControlRoutes(content: ContentStore): EmulatorRoute[] {
  return [
    {
      method: "POST",
      pattern: "/_emulator/content/:sid/approval",
      handler: (request) => {
        try {
          const body = readControlJson(request);
          const status = requiredString(body, "status");
          if (!isApprovalStatus(status) || status === "unsubmitted")
            throw new ControlRequestError(
              400,
              "invalid_field",
              '"status" must be one of received, pending, approved, rejected, paused, disabled',
            );
          const sid = request.params.sid!;
          const approval = content.decideApproval(
            sid,
            status,
            optionalString(body, "rejectionReason"),
          );
          if (!approval)
            throw new ControlRequestError(404, "not_found", `No content template ${sid}`);
          return { status: 200, body: { sid, whatsapp: { type: "whatsapp", ...approval } } };
        } catch (error) {
          if (error instanceof ControlRequestError) return error.toResponse();
          throw error;
        }
      },
    },
  ];
}
