import { CliUsageError } from "./cli-usage-error.js";

/** How a flag takes values: one value, none (a switch), or a value that may repeat. */
export type FlagKind = "value" | "switch" | "repeat";

/** The parsed command line: flag values by name, and the positional arguments. */
export interface ParsedFlags {
  values: Map<string, string>;
  switches: Set<string>;
  repeated: Map<string, string[]>;
  positional: string[];
}

/**
 * Parses `--name value`, `--name=value` and `--switch` against `spec`. Throws
 * {@link CliUsageError} naming the flag for anything unknown, repeated or missing a value.
 */
export function parseFlags(
  argv: readonly string[],
  spec: Readonly<Record<string, FlagKind>>,
  maxPositional = 0,
): ParsedFlags {
  const parsed: ParsedFlags = {
    values: new Map(),
    switches: new Set(),
    repeated: new Map(),
    positional: [],
  };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (!argument.startsWith("--")) {
      if (parsed.positional.length >= maxPositional)
        throw new CliUsageError(`unexpected argument "${argument}"`);
      parsed.positional.push(argument);
      continue;
    }
    const equals = argument.indexOf("=");
    const name = equals === -1 ? argument.slice(2) : argument.slice(2, equals);
    const kind = spec[name];
    if (kind === undefined) throw new CliUsageError(`unknown flag --${name}`);
    if (kind === "switch") {
      if (equals !== -1) throw new CliUsageError(`--${name} takes no value`);
      parsed.switches.add(name);
      continue;
    }
    let value: string | undefined;
    if (equals !== -1) value = argument.slice(equals + 1);
    else {
      value = argv[index + 1];
      index += 1;
    }
    if (value === undefined || value === "" || (equals === -1 && value.startsWith("--")))
      throw new CliUsageError(`--${name} needs a value`);
    if (kind === "repeat") {
      parsed.repeated.set(name, [...(parsed.repeated.get(name) ?? []), value]);
      continue;
    }
    if (parsed.values.has(name)) throw new CliUsageError(`--${name} given twice`);
    parsed.values.set(name, value);
  }
  return parsed;
}
