import { SwitchboardError } from "../../errors.js";

/**
 * A fault rule posted to the control API is malformed. `field` names the offending part
 * of the body (`fault.status`, `rate`, …) so the 400 answer tells the test author what
 * to fix; `status` is the HTTP status the control route answers with (400, or 413 for an
 * oversized body).
 */
export class FaultRuleError extends SwitchboardError {
  readonly field: string;
  readonly status: 400 | 413;
  constructor(field: string, message: string, status: 400 | 413 = 400) {
    super("invalid_fault_rule", message);
    this.field = field;
    this.status = status;
  }
}
