import pg from "pg";
import { afterEach, beforeEach } from "vitest";
import type { MailboxStore } from "../../mailbox-store.js";
import { postgresMailbox } from "../postgres-mailbox.js";
import { dropTestSchema, testSchemaName } from "./test-database.js";

/** What `freshStorePerTest` gives each test. */
export interface FreshStore {
  schema: string;
  /** A started mailbox on `schema`. */
  store: MailboxStore;
  /** A plain connection, for what a test reads beside the store (PostgreSQL's statistics). */
  client: pg.Client;
  /** Replaces the schema and the store with new ones, the earlier ones closed and dropped. */
  renew(): Promise<void>;
}

/**
 * Test support: registers hooks that give each test of the calling `describe` a fresh
 * schema, a started mailbox on it and a plain client, and drop them all after it. The
 * returned object's fields are the current test's.
 */
export function freshStorePerTest(url: string): FreshStore {
  const open = async () => {
    fresh.schema = testSchemaName();
    fresh.store = postgresMailbox({ connectionString: url, schema: fresh.schema });
    await fresh.store.start?.();
  };
  const fresh = {
    async renew() {
      await fresh.store.close();
      await dropTestSchema(url, fresh.schema);
      await open();
    },
  } as FreshStore;
  beforeEach(async () => {
    await open();
    fresh.client = new pg.Client({ connectionString: url });
    await fresh.client.connect();
  });
  afterEach(async () => {
    await fresh.client.end();
    await fresh.store.close();
    await dropTestSchema(url, fresh.schema);
  });
  return fresh;
}
