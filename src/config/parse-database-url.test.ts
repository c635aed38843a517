import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { hasPassword, parseDatabaseUrl } from "./parse-database-url.js";

const base = "/srv/app";

describe("parseDatabaseUrl", () => {
  it("reads PostgreSQL URLs as they are", () => {
    for (const url of [
      "postgres://postgres@127.0.0.1:5432/test",
      "postgresql://app:secret@db.internal/switchboard?sslmode=require",
      "postgres://%2Fvar%2Frun%2Fpostgresql/test",
    ]) {
      expect(parseDatabaseUrl(url)).toEqual({ kind: "postgres", connectionString: url });
    }
  });

  it("reads SQLite locations, resolving relative paths against the base directory", () => {
    const cases: [string, string][] = [
      ["sqlite:data/mailbox.db", "/srv/app/data/mailbox.db"],
      ["sqlite:/var/lib/switchboard.db", "/var/lib/switchboard.db"],
      ["sqlite:///var/lib/switchboard.db", "/var/lib/switchboard.db"],
      ["sqlite://data/mailbox.db", "/srv/app/data/mailbox.db"],
      ["file:mailbox.db", "/srv/app/mailbox.db"],
      [".switchboard/mailbox.db", "/srv/app/.switchboard/mailbox.db"],
      ["/abs/mailbox.db", "/abs/mailbox.db"],
      ["  spaced.db  ", "/srv/app/spaced.db"],
    ];
    for (const [input, path] of cases) {
      expect(parseDatabaseUrl(input, { baseDirectory: base })).toEqual({ kind: "sqlite", path });
    }
  });

  it("rejects empty, in-memory, unknown schemes and broken URLs, naming the source", () => {
    const cases: [string, RegExp][] = [
      ["", /^DATABASE_URL is empty/],
      ["   ", /^DATABASE_URL is empty/],
      ["sqlite:", /names no file/],
      ["sqlite::memory:", /in-memory/],
      [":memory:", /in-memory/],
      ["mysql://db/x", /unsupported scheme "mysql:"/],
      ["redis://localhost", /unsupported scheme "redis:"/],
      ["postgres://", /no host|not a valid PostgreSQL URL/],
      ["postgres://[bad", /not a valid PostgreSQL URL/],
      ["data\n.db", /control character/],
    ];
    for (const [input, message] of cases) {
      let error: unknown;
      try {
        parseDatabaseUrl(input, { source: "DATABASE_URL" });
      } catch (thrown) {
        error = thrown;
      }
      expect(error, input).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message, input).toMatch(message);
      expect((error as ConfigError).option).toBe("database");
    }
  });

  it("never echoes a password in an error", () => {
    expect(() => parseDatabaseUrl("postgres://u:hunter2@[bad/x")).toThrow(
      /^(?!.*hunter2).*not a valid PostgreSQL URL/,
    );
  });

  it("tells whether a connection string carries a password", () => {
    expect(hasPassword(parseDatabaseUrl("postgres://u:p@h/db"))).toBe(true);
    expect(hasPassword(parseDatabaseUrl("postgres://h/db?password=p"))).toBe(true);
    expect(hasPassword(parseDatabaseUrl("postgres://u@h/db"))).toBe(false);
    expect(hasPassword(parseDatabaseUrl("sqlite:x.db"))).toBe(false);
  });
});
