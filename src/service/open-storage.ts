import { join } from "node:path";
import type { DatabaseLocation } from "../config/parse-database-url.js";
import type { MailboxStore, TurnPolicy } from "../mailbox/mailbox-store.js";
import type { PostgresPacer } from "../mailbox/postgres/postgres-pacer.js";
import { loadSharedWebchatSecret, loadWebchatSecret } from "../webchat/load-webchat-secret.js";

/**
 * The mailbox at `database`. The drivers load only when chosen (dynamic imports), so a
 * PostgreSQL service never loads better-sqlite3 and a SQLite one never loads pg.
 */
export async function openMailbox(
  database: DatabaseLocation,
  policy: TurnPolicy | undefined,
): Promise<MailboxStore> {
  const common = policy === undefined ? {} : { defaultPolicy: policy };
  if (database.kind === "sqlite") {
    const { sqliteMailbox } = await import("../mailbox/sqlite-mailbox.js");
    return sqliteMailbox({ path: database.path, ...common });
  }
  const { postgresMailbox } = await import("../mailbox/postgres/postgres-mailbox.js");
  // Connect here, so an unreachable database fails `serve` before anything else starts.
  const mailbox = postgresMailbox({ ...postgresConnection(database), ...common });
  await mailbox.start();
  return mailbox;
}

/**
 * On PostgreSQL every instance shares one budget for Twilio's per-conversation and
 * per-service limits; on SQLite (one machine) the provider's in-process pacer is enough.
 */
export async function openSharedPacer(
  database: DatabaseLocation,
): Promise<PostgresPacer | undefined> {
  if (database.kind !== "postgres") return undefined;
  const { postgresPacer } = await import("../mailbox/postgres/postgres-pacer.js");
  return postgresPacer(postgresConnection(database));
}

/** The pool size and migrate choice `serve` was given, for the mailbox and the pacer alike. */
function postgresConnection(database: DatabaseLocation & { kind: "postgres" }) {
  return {
    connectionString: database.connectionString,
    ...(database.poolSize === undefined ? {} : { poolSize: database.poolSize }),
    ...(database.migrate === undefined ? {} : { migrate: database.migrate }),
  };
}

/**
 * The key that signs web chat visitor tokens, the same on every instance a visitor may reach:
 * `SWITCHBOARD_WEBCHAT_SECRET` when set; else, on a mailbox instances share (PostgreSQL), a
 * key kept in it and created once; else (SQLite, one machine) a file in the state directory.
 */
export async function resolveWebchatSecret(
  fromEnvironment: string | undefined,
  database: DatabaseLocation,
  stateDirectory: string,
  mailbox: MailboxStore,
): Promise<string> {
  if (fromEnvironment !== undefined) return fromEnvironment;
  if (database.kind === "postgres") return loadSharedWebchatSecret(mailbox);
  return loadWebchatSecret(join(stateDirectory, "webchat-secret"));
}
