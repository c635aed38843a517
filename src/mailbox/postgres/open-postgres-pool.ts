import type { ConnectionOptions } from "node:tls";
import pg from "pg";
import { ConfigError } from "../../errors.js";
import { MailboxOpenError } from "../mailbox-errors.js";
import { checkout, targetOf } from "./postgres-connection.js";
import { type DatabaseTarget, describeTarget } from "./postgres-errors.js";

/** How to reach PostgreSQL: a URL (the mailbox owns a pool) or a pool you own. */
export type PostgresConnectionOptions =
  | {
      /**
       * `postgres://user:password@host:5432/database?sslmode=require`. Usually from
       * `DATABASE_URL`. `sslmode` in the URL is honoured by `pg`.
       */
      connectionString: string;
      pool?: undefined;
      /** Connections in the mailbox's pool (one more is used for LISTEN). Default 10. */
      poolSize?: number;
      /** TLS options passed to `pg` as `ssl` (e.g. `{ ca }`); overrides `sslmode` in the URL. */
      ssl?: boolean | ConnectionOptions;
      /** How long opening a connection may take before failing. Default 5000 ms. */
      connectTimeoutMs?: number;
    }
  | {
      /**
       * A pool you created and will end; the mailbox never ends it. Give it an `error` handler
       * (as `pg` advises for every pool): an idle client whose server connection drops emits
       * there. The mailbox opens one extra connection with the pool's settings for LISTEN.
       */
      pool: pg.Pool;
      connectionString?: undefined;
      poolSize?: undefined;
      ssl?: undefined;
      connectTimeoutMs?: undefined;
    };

/** `server_version_num` of PostgreSQL 14.0, the oldest release the mailbox is tested against. */
const minimumServerVersion = 140_000;

/** An open, reachable pool and where it points. */
export interface OpenedPool {
  pool: pg.Pool;
  /** The configuration a dedicated client (the LISTEN connection) is created with. */
  clientConfig: pg.ClientConfig;
  target: DatabaseTarget;
  ownsPool: boolean;
  end(): Promise<void>;
}

/** Validated connection options: everything needed to create the pool, nothing opened yet. */
export interface PostgresPoolPlan {
  clientConfig: pg.ClientConfig;
  /** A pool the caller owns and ends, or the size of the pool to create. */
  given: pg.Pool | undefined;
  poolSize: number;
}

/**
 * Validates the connection options synchronously, so a factory can refuse misconfiguration at
 * construction naming the option, before anything connects.
 */
export function planPostgresPool(options: PostgresConnectionOptions): PostgresPoolPlan {
  const given = options as { connectionString?: unknown; pool?: unknown };
  if ((given.connectionString === undefined) === (given.pool === undefined))
    throw new ConfigError(
      "connectionString",
      "postgresMailbox needs exactly one of `connectionString` (e.g. from DATABASE_URL) or `pool`.",
    );
  if (options.pool !== undefined) {
    if (!(options.pool instanceof pg.Pool))
      throw new ConfigError("pool", "pool must be a `pg` Pool.");
    return { clientConfig: options.pool.options, given: options.pool, poolSize: 0 };
  }
  const { connectionString } = options;
  if (typeof connectionString !== "string" || !/^postgres(ql)?:\/\//.test(connectionString))
    throw new ConfigError(
      "connectionString",
      "connectionString (DATABASE_URL) must be a postgres:// or postgresql:// URL.",
    );
  const poolSize = options.poolSize ?? 10;
  if (!Number.isSafeInteger(poolSize) || poolSize < 1 || poolSize > 1_000)
    throw new ConfigError("poolSize", "poolSize must be an integer from 1 to 1000.");
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  if (!Number.isSafeInteger(connectTimeoutMs) || connectTimeoutMs < 1)
    throw new ConfigError("connectTimeoutMs", "connectTimeoutMs must be a positive integer (ms).");
  return {
    clientConfig: {
      connectionString,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: "switchboard",
      ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    },
    given: undefined,
    poolSize,
  };
}

/**
 * Validates the options, creates the pool (unless given one) and opens one connection, so an
 * unreachable or misconfigured database fails here, fast, with a `MailboxOpenError` that names
 * host, port and database (never the password) and says how to check them.
 */
export async function openPostgresPool(options: PostgresConnectionOptions): Promise<OpenedPool> {
  return connectPostgresPool(planPostgresPool(options));
}

/** Creates the planned pool (unless given one) and checks the server; see `openPostgresPool`. */
export async function connectPostgresPool(plan: PostgresPoolPlan): Promise<OpenedPool> {
  const { clientConfig } = plan;
  const ownsPool = plan.given === undefined;
  const pool = plan.given ?? new pg.Pool({ ...clientConfig, max: plan.poolSize });
  // An idle client whose backend dies emits on the pool; unhandled, that kills the process.
  // The pool drops the client; the next query opens a new one.
  if (ownsPool) pool.on("error", () => {});
  const target = targetOf(clientConfig);
  const end = async () => {
    if (ownsPool) await pool.end();
  };
  let serverVersion: number;
  try {
    const held = await checkout(pool);
    try {
      const result = await held.client.query<{ server_version_num: string }>(
        "SHOW server_version_num",
      );
      serverVersion = Number(result.rows[0]?.server_version_num);
    } finally {
      held.release();
    }
  } catch (cause) {
    await end().catch(() => {});
    throw new MailboxOpenError(
      describeTarget(target),
      `Cannot connect to the PostgreSQL mailbox at ${describeTarget(target)}: ` +
        `${(cause as Error).message}. Check that the server is running and reachable at that ` +
        "host and port, that the database and user exist, and the credentials and sslmode in " +
        `DATABASE_URL; \`pg_isready -h ${target.host} -p ${target.port} -d ${target.database}\` ` +
        "checks the first two.",
      { cause },
    );
  }
  if (!(serverVersion >= minimumServerVersion)) {
    await end().catch(() => {});
    throw new MailboxOpenError(
      describeTarget(target),
      `The PostgreSQL server at ${describeTarget(target)} is version ${serverVersion}; the ` +
        "mailbox needs PostgreSQL 14 or newer.",
    );
  }
  return { pool, clientConfig, target, ownsPool, end };
}
