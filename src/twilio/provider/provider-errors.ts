import { SwitchboardError } from "../../errors.js";

/** A call was made after `stop()`; create a new provider to continue. */
export class ProviderStoppedError extends SwitchboardError {
  constructor(operation: string) {
    super(
      "provider_stopped",
      `${operation}: the TwilioProvider has been stopped; create a new one to make more calls.`,
    );
  }
}

/** An argument to a provider method is malformed; `field` names it. */
export class InvalidInputError extends SwitchboardError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("invalid_input", message);
    this.field = field;
  }
}
