import { SwitchboardError } from "../../errors.js";
import type { EmulatorResponse } from "./types.js";

/**
 * A Twilio REST error the emulator answers with: HTTP `status` plus Twilio's numeric
 * `twilioCode`, serialized as `{code, message, more_info, status}` exactly as Twilio does.
 */
export class EmulatorRestError extends SwitchboardError {
  readonly status: number;
  readonly twilioCode: number;
  /** Twilio's optional `detail` field (its 401 bodies carry one). */
  readonly detail: string | undefined;
  constructor(status: number, twilioCode: number, message: string, detail?: string) {
    super("emulator_rest_error", message);
    this.status = status;
    this.twilioCode = twilioCode;
    this.detail = detail;
  }

  toResponse(): EmulatorResponse {
    return twilioErrorResponse(this.status, this.twilioCode, this.message, this.detail);
  }
}

/** Twilio's error body for a status and code. */
export function twilioErrorResponse(
  status: number,
  code: number,
  message: string,
  detail?: string,
): EmulatorResponse {
  return {
    status,
    body: {
      code,
      ...(detail === undefined ? {} : { detail }),
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    },
  };
}

/**
 * A state change refused by a pre-event hook (issue 3's pre-webhooks): the response is
 * answered verbatim.
 */
export class RejectedActionError extends SwitchboardError {
  readonly response: EmulatorResponse;
  constructor(response: EmulatorResponse) {
    super("emulator_action_rejected", `action rejected with status ${response.status}`);
    this.response = response;
  }
}
