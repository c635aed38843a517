import { betterSqlite3 } from "./load-better-sqlite3.js";
import { LeaseLostError } from "./mailbox-errors.js";

/**
 * An error thrown in the writer thread, as plain data. Structured clone keeps only an Error's
 * message and stack, not its class or `code`; callers match on both, so they travel here.
 */
export interface WireError {
  name: string;
  message: string;
  stack: string | undefined;
  code: string | undefined;
  conversationSid: string | undefined;
  leaseVersion: number | undefined;
}

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error))
    return {
      name: "Error",
      message: String(error),
      stack: undefined,
      code: undefined,
      conversationSid: undefined,
      leaseVersion: undefined,
    };
  const fields = error as Error & Partial<LeaseLostError>;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: typeof fields.code === "string" ? fields.code : undefined,
    conversationSid: fields.conversationSid,
    leaseVersion: fields.leaseVersion,
  };
}

/** Rebuilds the error with its class where the mailbox's callers care about it. */
export function fromWireError(wire: WireError): Error {
  let error: Error;
  if (
    wire.name === "LeaseLostError" &&
    wire.conversationSid !== undefined &&
    wire.leaseVersion !== undefined
  ) {
    error = new LeaseLostError(wire.conversationSid, wire.leaseVersion);
  } else if (wire.name === "SqliteError" && wire.code !== undefined) {
    error = new (betterSqlite3().SqliteError)(wire.message, wire.code);
  } else {
    error = new Error(wire.message);
    error.name = wire.name;
    if (wire.code !== undefined) Object.assign(error, { code: wire.code });
  }
  // The writer thread's stack says where it failed; this thread's would only show the port.
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
