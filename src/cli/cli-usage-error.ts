import { SwitchboardError } from "../errors.js";

/** A command line the CLI cannot run (unknown flag, bad value); the CLI exits with 2. */
export class CliUsageError extends SwitchboardError {
  constructor(message: string) {
    super("cli_usage", message);
  }
}
