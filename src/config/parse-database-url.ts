import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../errors.js";

/** Where the mailbox lives, parsed from `--database`, `DATABASE_URL` or the config file. */
export type DatabaseLocation =
  | { kind: "sqlite"; path: string }
  | {
      kind: "postgres";
      connectionString: string;
      /**
       * Connections in the mailbox's pool (and again in the shared pacer's); `undefined`: the
       * mailbox's default, 10. From `DATABASE_POOL_SIZE` or the config file's `database.poolSize`.
       */
      poolSize?: number;
      /**
       * `false`: do not apply migrations on start (the operator runs `switchboard migrate`); the
       * mailbox then refuses a schema that is not current. `undefined`: migrate (the default).
       */
      migrate?: boolean;
    };

/** Options of {@link parseDatabaseUrl}. */
export interface ParseDatabaseUrlOptions {
  /** Relative SQLite paths are resolved against it. Default `process.cwd()`. */
  baseDirectory?: string;
  /** Named in error messages, e.g. `DATABASE_URL` or `--database`. Default `database`. */
  source?: string;
}

/**
 * Parses a database location: `postgres://…` or `postgresql://…` → PostgreSQL;
 * `sqlite:path`, `sqlite://path`, `file:path` or a plain file path → SQLite (relative paths
 * resolved against `baseDirectory`). `:memory:` is refused: a mailbox must be durable.
 * Errors name the source and never echo a password.
 */
export function parseDatabaseUrl(
  value: string,
  options: ParseDatabaseUrlOptions = {},
): DatabaseLocation {
  const source = options.source ?? "database";
  const baseDirectory = options.baseDirectory ?? process.cwd();
  const fail = (problem: string) => new ConfigError("database", `${source} ${problem}`);
  const trimmed = value.trim();
  if (trimmed === "") {
    throw fail(
      'is empty; use "sqlite:path/to/mailbox.db", a file path, or "postgres://user@host/db".',
    );
  }
  if (/[\0\r\n]/.test(trimmed)) throw fail("contains a control character.");

  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch (cause) {
      throw new ConfigError(
        "database",
        `${source} is not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database).`,
        { cause },
      );
    }
    if (url.hostname === "" && !url.searchParams.has("host")) {
      throw fail("has no host; expected postgres://user:password@host:5432/database.");
    }
    return { kind: "postgres", connectionString: trimmed };
  }

  let path: string;
  if (scheme === "sqlite" || scheme === "file") {
    path = trimmed
      .slice(scheme.length + 1)
      .replace(/^\/\/(?=\/)/, "")
      .replace(/^\/\/(?!\/)/, "");
  } else if (scheme !== undefined && scheme.length > 1) {
    // One letter is a Windows drive (C:\…); anything longer is a scheme we do not speak.
    throw fail(
      `uses the unsupported scheme "${scheme}:"; use sqlite:path, a file path, or postgres://…`,
    );
  } else {
    path = trimmed;
  }
  if (path === "") throw fail('names no file; write "sqlite:path/to/mailbox.db".');
  if (path === ":memory:") {
    throw fail("cannot be an in-memory database: the mailbox must survive a restart.");
  }
  return { kind: "sqlite", path: isAbsolute(path) ? path : resolve(baseDirectory, path) };
}

/** Whether a PostgreSQL connection string carries a password (which belongs in the env). */
export function hasPassword(location: DatabaseLocation): boolean {
  if (location.kind !== "postgres") return false;
  try {
    const url = new URL(location.connectionString);
    return url.password !== "" || url.searchParams.has("password");
  } catch {
    return false;
  }
}
