import { ConfigError } from "../errors.js";

/**
 * A config file could not be found, imported or validated. `problems` lists every issue
 * (one line each, naming the key); `file` is the path as resolved.
 */
export class ConfigFileError extends ConfigError {
  readonly file: string;
  readonly problems: readonly string[];

  constructor(
    file: string,
    problems: readonly string[],
    options: { cause?: unknown; option?: string } = {},
  ) {
    const listed =
      problems.length === 1
        ? ` ${problems[0]}`
        : `\n${problems.map((line) => `  - ${line}`).join("\n")}`;
    super(options.option ?? "config", `Invalid config file ${file}:${listed}`, options);
    this.file = file;
    this.problems = problems;
  }
}
