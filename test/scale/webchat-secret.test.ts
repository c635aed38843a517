import { afterEach, beforeEach, expect, it } from "vitest";
import type { MailboxStore } from "../../src/mailbox/mailbox-store.js";
import { postgresMailbox } from "../../src/mailbox/postgres/postgres-mailbox.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import {
  loadSharedWebchatSecret,
  webchatSecretMetaKey,
} from "../../src/webchat/load-webchat-secret.js";

/**
 * The web chat key on a shared mailbox: instances on different machines (here: two mailbox
 * instances, each with its own pool, on one schema) must sign visitor tokens with one key,
 * or a visitor whose request reaches the other instance is refused.
 */
describeWithPostgres("the web chat key in a shared PostgreSQL mailbox", (url) => {
  let schema: string;
  let mailboxes: MailboxStore[] = [];

  beforeEach(async () => {
    schema = testSchemaName();
    const first = postgresMailbox({ connectionString: url, schema, poolSize: 3 });
    const second = postgresMailbox({ connectionString: url, schema, poolSize: 3 });
    mailboxes = [first, second];
    // Both connected and migrated, as two started instances are.
    await Promise.all([first.start(), second.start()]);
  });
  afterEach(async () => {
    await Promise.all(mailboxes.map((mailbox) => mailbox.close()));
    mailboxes = [];
    await dropTestSchema(url, schema);
  });

  it("gives two instances starting together the same key, created once", async () => {
    const table = `"${schema}".meta`;
    for (let round = 0; round < 5; round++) {
      await adminQuery(url, `DELETE FROM ${table} WHERE key = $1`, [webchatSecretMetaKey]);
      const [first, second] = await Promise.all(
        mailboxes.map((mailbox) => loadSharedWebchatSecret(mailbox)),
      );
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(second).toBe(first);
      const stored = await adminQuery(url, `SELECT value FROM ${table} WHERE key = $1`, [
        webchatSecretMetaKey,
      ]);
      expect(stored.rows).toEqual([{ value: first }]);
    }
  });

  it("keeps the key across restarts of every instance", async () => {
    const before = await loadSharedWebchatSecret(mailboxes[0]!);
    await Promise.all(mailboxes.map((mailbox) => mailbox.close()));
    mailboxes = [postgresMailbox({ connectionString: url, schema, poolSize: 2 })];
    expect(await loadSharedWebchatSecret(mailboxes[0]!)).toBe(before);
  });
});
