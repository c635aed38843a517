import { parseDatabaseUrl } from "../config/parse-database-url.js";
import { CliUsageError } from "./cli-usage-error.js";
import { parseFlags } from "./parse-flags.js";
import type { CommandIo } from "./run-emulator-until-signal.js";

export const migrateUsage = `Usage: switchboard migrate [--database postgres://…] [--schema NAME]
Applies the PostgreSQL mailbox migrations (DATABASE_URL by default). Safe to run again:
already applied versions are skipped. SQLite mailboxes need no migration.
`;

/** `switchboard migrate`: 0 applied or current, 1 database failure, 2 bad flags. */
export async function runMigrateCommand(
  argv: readonly string[],
  io: CommandIo = process,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(migrateUsage);
    return 0;
  }
  try {
    const flags = parseFlags(argv, { database: "value", schema: "value" });
    const value = flags.values.get("database") ?? environment.DATABASE_URL;
    if (value === undefined)
      throw new CliUsageError("give --database postgres://… or set DATABASE_URL");
    const location = parseDatabaseUrl(value, {
      source: flags.values.has("database") ? "--database" : "DATABASE_URL",
    });
    if (location.kind !== "postgres") {
      io.stdout.write("SQLite mailboxes create their tables on open; nothing to migrate.\n");
      return 0;
    }
    io.stderr.write("Connecting to PostgreSQL…\n");
    const { migratePostgres } = await import("../mailbox/postgres/postgres-schema.js");
    const schema = flags.values.get("schema");
    const report = await migratePostgres({
      connectionString: location.connectionString,
      ...(schema === undefined ? {} : { schema }),
    });
    io.stdout.write(
      report.applied.length === 0
        ? `schema ${report.schema} is current (version ${report.version})\n`
        : `schema ${report.schema}: applied ${report.applied.join(", ")}; now at version ${report.version}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`switchboard migrate: ${error.message}\n\n${migrateUsage}`);
      return 2;
    }
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard migrate: ${reason}\n`);
    return 1;
  }
}
