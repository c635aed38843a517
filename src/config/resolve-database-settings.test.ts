import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { ConfigFileError } from "./config-file-error.js";
import { resolveConfig } from "./resolve-config.js";
import { defineConfig } from "./switchboard-config.js";
import { validateConfig } from "./validate-config.js";

const file = (config: Parameters<typeof defineConfig>[0]) => ({
  path: "/etc/bot/switchboard.config.ts",
  config: defineConfig(config),
});
const postgres = "postgres://switchboard@db.internal:5432/app?sslmode=require";

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveConfig: PostgreSQL pool size and migrations", () => {
  it("leaves both unset by default, so the mailbox's own defaults apply", () => {
    const resolved = resolveConfig({ env: { DATABASE_URL: postgres }, cwd: "/work" });
    expect(resolved.database).toEqual({ kind: "postgres", connectionString: postgres });
  });

  it("reads DATABASE_POOL_SIZE and SWITCHBOARD_DATABASE_MIGRATE, keeping sslmode in the URL", () => {
    const resolved = resolveConfig({
      env: {
        DATABASE_URL: postgres,
        DATABASE_POOL_SIZE: " 25 ",
        SWITCHBOARD_DATABASE_MIGRATE: "false",
      },
      cwd: "/work",
    });
    expect(resolved.database).toEqual({
      kind: "postgres",
      connectionString: postgres,
      poolSize: 25,
      migrate: false,
    });
  });

  it("takes the file's database object, the environment winning over it", () => {
    const config = file({ database: { url: postgres, poolSize: 4, migrate: false } });
    expect(resolveConfig({ env: {}, cwd: "/work", file: config }).database).toEqual({
      kind: "postgres",
      connectionString: postgres,
      poolSize: 4,
      migrate: false,
    });
    const overridden = resolveConfig({
      env: { DATABASE_POOL_SIZE: "7", SWITCHBOARD_DATABASE_MIGRATE: "1" },
      cwd: "/work",
      file: config,
    });
    expect(overridden.database).toMatchObject({ poolSize: 7, migrate: true });
  });

  it("combines DATABASE_URL (which holds the password) with the file's pool size", () => {
    const withPassword = "postgres://switchboard:s3cret@db.internal/app";
    const resolved = resolveConfig({
      env: { DATABASE_URL: withPassword },
      cwd: "/work",
      file: file({ database: { poolSize: 3 } }),
    });
    expect(resolved.database).toEqual({
      kind: "postgres",
      connectionString: withPassword,
      poolSize: 3,
    });
  });

  it.each([["0"], ["1001"], ["ten"], ["2.5"], ["-3"], ["1e3"]])(
    "refuses DATABASE_POOL_SIZE=%j, naming the variable",
    (value) => {
      const error = configErrorOf(() =>
        resolveConfig({ env: { DATABASE_URL: postgres, DATABASE_POOL_SIZE: value }, cwd: "/w" }),
      );
      expect(error.option).toBe("databasePoolSize");
      expect(error.message).toMatch(/DATABASE_POOL_SIZE must be a whole number .* 1 to 1000/);
    },
  );

  it.each([["no"], ["off"], ["FALSE!"]])(
    "refuses SWITCHBOARD_DATABASE_MIGRATE=%j, saying what it accepts",
    (value) => {
      const error = configErrorOf(() =>
        resolveConfig({
          env: { DATABASE_URL: postgres, SWITCHBOARD_DATABASE_MIGRATE: value },
          cwd: "/w",
        }),
      );
      expect(error.option).toBe("databaseMigrate");
      expect(error.message).toMatch(/SWITCHBOARD_DATABASE_MIGRATE must be "true" .* or "false"/);
    },
  );

  it("refuses a pool size or migrate choice for a SQLite mailbox instead of ignoring it", () => {
    const pool = configErrorOf(() =>
      resolveConfig({ env: { DATABASE_POOL_SIZE: "5" }, cwd: "/work" }),
    );
    expect(pool.message).toMatch(/DATABASE_POOL_SIZE applies to a PostgreSQL mailbox/);
    expect(pool.message).toContain("/work/.switchboard/mailbox.db");
    const migrate = configErrorOf(() =>
      resolveConfig({ env: {}, cwd: "/work", file: file({ database: { migrate: false } }) }),
    );
    expect(migrate.message).toMatch(/database\.migrate in .* applies to a PostgreSQL mailbox/);
  });
});

describe("validateConfig: the database object", () => {
  const problemsOf = (config: unknown) => {
    try {
      validateConfig(config, "switchboard.config.ts");
    } catch (error) {
      if (error instanceof ConfigFileError) return error.problems;
      throw error;
    }
    return [];
  };

  it("accepts a URL string or { url, poolSize, migrate }", () => {
    expect(problemsOf({ database: "sqlite:data/mailbox.db" })).toEqual([]);
    expect(
      problemsOf({ database: { url: "postgres://app@db/app", poolSize: 20, migrate: false } }),
    ).toEqual([]);
    expect(problemsOf({ database: { poolSize: 1 } })).toEqual([]);
  });

  it("names each bad field of the object form", () => {
    expect(problemsOf({ database: { poolSize: 0 } })).toEqual([
      "database.poolSize: must be 1–1000 connections",
    ]);
    expect(problemsOf({ database: { poolSize: 2.5 } })[0]).toMatch(/^database\.poolSize: /);
    expect(problemsOf({ database: { migrate: "false" } })).toEqual([
      "database.migrate: must be true or false",
    ]);
    expect(problemsOf({ database: { pool: 3 } })).toEqual([
      "database.pool: unknown key; known keys: url, poolSize, migrate",
    ]);
    expect(problemsOf({ database: 5 })).toEqual([
      "database: must be a database URL or { url, poolSize, migrate }",
    ]);
  });

  it("refuses a password in database.url and a bad scheme there", () => {
    expect(problemsOf({ database: { url: "postgres://app:pw@db/app" } })).toEqual([
      "database.url: contains a password; put the connection string in DATABASE_URL instead",
    ]);
    expect(problemsOf({ database: { url: "mysql://db/app" } })[0]).toMatch(
      /^database\.url: uses the unsupported scheme/,
    );
  });
});
