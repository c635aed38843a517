import { SwitchboardError } from "../../errors.js";
import type { EmulatorResponse } from "../http/types.js";

/**
 * A bad request to one of the emulator's own `/_emulator/*` routes: malformed JSON, a
 * wrong type, an oversized body, or something the emulator cannot do (no address
 * configuration for an inbound number). Answered as `{code, message}` with `status`.
 */
export class ControlRequestError extends SwitchboardError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }

  toResponse(): EmulatorResponse {
    return { status: this.status, body: { code: this.code, message: this.message } };
  }
}
