/** How {@link formatPrettyLine} renders a record. */
export interface PrettyLineOptions {
  /** ANSI colours (level, time, field names). Default `false`. */
  colour?: boolean;
  /** Print an error's stack under its line. Default `false`: the stack is for debugging. */
  stacks?: boolean;
}

const ansi = {
  reset: "\u001b[0m",
  dim: "\u001b[2m",
  bold: "\u001b[1m",
  red: "\u001b[31m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  blue: "\u001b[34m",
  magenta: "\u001b[35m",
  cyan: "\u001b[36m",
} as const;

const levelColours: Readonly<Record<string, string>> = {
  trace: ansi.dim,
  debug: ansi.blue,
  info: ansi.green,
  warn: ansi.yellow,
  error: ansi.red,
  fatal: `${ansi.bold}${ansi.magenta}`,
};

/**
 * Turns one JSON log line into `12:00:01 INFO  message key=value …` for a terminal. An
 * error field becomes one readable `err=TypeError: message (code)`, its stack added on the
 * following lines only with `stacks` (debug level). A line that is not JSON is returned
 * unchanged, so nothing is ever lost.
 */
export function formatPrettyLine(line: string, options: PrettyLineOptions = {}): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const paint = (code: string, text: string) =>
    options.colour === true && text !== "" ? `${code}${text}${ansi.reset}` : text;
  const { time, level, msg, err, ...fields } = record;
  const clock = typeof time === "string" ? time.slice(11, 19) : "";
  const levelName = String(level ?? "");
  const label = paint(levelColours[levelName] ?? "", levelName.toUpperCase().padEnd(5));
  const pairs = Object.entries(fields).map(
    ([key, value]) =>
      `${paint(ansi.cyan, `${key}=`)}${typeof value === "string" ? value : JSON.stringify(value)}`,
  );
  const error = describeError(err);
  const head = [
    paint(ansi.dim, clock),
    label,
    typeof msg === "string" ? msg : "",
    ...(error === undefined ? [] : [paint(ansi.red, `err=${error.line}`)]),
    ...pairs,
  ]
    .filter((part) => part !== "")
    .join(" ");
  if (options.stacks !== true || error?.stack === undefined) return head;
  return `${head}\n${paint(ansi.dim, error.stack)}`;
}

/** One line for an error (`Type: message (code)`, causes after `←`), and its stack frames. */
function describeError(value: unknown): { line: string; stack?: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object") return { line: String(value) };
  const error = value as Record<string, unknown>;
  const parts: string[] = [];
  let current: Record<string, unknown> | undefined = error;
  for (let depth = 0; current !== undefined && depth < 4; depth += 1) {
    const type = typeof current.type === "string" ? `${current.type}: ` : "";
    const code = current.code === undefined ? "" : ` (${String(current.code)})`;
    parts.push(`${type}${String(current.message ?? "")}${code}`);
    const cause: unknown = current.cause;
    current =
      typeof cause === "object" && cause !== null ? (cause as Record<string, unknown>) : undefined;
  }
  const frames =
    typeof error.stack === "string"
      ? error.stack
          .split("\n")
          .filter((frame) => /^\s+at /.test(frame))
          .join("\n")
      : "";
  return frames === "" ? { line: parts.join(" ← ") } : { line: parts.join(" ← "), stack: frames };
}
