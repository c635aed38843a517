/**
 * The PostgreSQL mailbox: the `MailboxStore` contract shared by many processes, plus the
 * migration entry point for operators (`switchboard migrate`).
 */
export type { PostgresConnectionOptions } from "./open-postgres-pool.js";
export { type DatabaseTarget, MailboxUnavailableError } from "./postgres-errors.js";
export { type PostgresMailboxOptions, postgresMailbox } from "./postgres-mailbox.js";
export {
  type PacedAction,
  type PostgresPacer,
  type PostgresPacerOptions,
  postgresPacer,
} from "./postgres-pacer.js";
export {
  defaultPostgresSchema,
  type MigratePostgresOptions,
  type MigrationReport,
  migratePostgres,
  postgresMigrations,
} from "./postgres-schema.js";
