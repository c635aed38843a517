import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

describeWithPostgres("PostgreSQL schema 22: commits say what work they left", (url) => {
  const schema = testSchemaName();
  afterEach(async () => {
    await dropTestSchema(url, schema);
  });

  it("keeps the functions an older instance calls, as they were, beside the new ones", async () => {
    // During a rolling deploy an instance of the previous version still calls ingest_batch,
    // complete_turn and settle_sent on the migrated schema and reads their old results.
    const store = postgresMailbox({ connectionString: url, schema });
    await store.start?.();
    await store.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; result: string }>(
        `SELECT p.proname AS name, pg_get_function_result(p.oid) AS result
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = $1 AND p.proname = ANY ($2::text[]) ORDER BY p.proname`,
        [
          schema,
          [
            "complete_turn",
            "complete_turn_v2",
            "ingest_batch",
            "ingest_batch_v2",
            "settle_sent",
            "settle_sent_v2",
          ],
        ],
      );
      const results = Object.fromEntries(rows.map((row) => [row.name, row.result]));
      expect(results).toEqual({
        complete_turn: "text",
        complete_turn_v2: "TABLE(o_outcome text, o_pending_left boolean)",
        ingest_batch:
          "TABLE(o_status text, o_policy_mode text, o_policy_window_ms bigint, o_interrupted_version bigint)",
        ingest_batch_v2:
          "TABLE(o_status text, o_policy_mode text, o_policy_window_ms bigint, o_interrupted_version bigint, o_gap_free boolean)",
        settle_sent: "TABLE(o_outcome text, o_conversation_sid text)",
        settle_sent_v2: "TABLE(o_outcome text, o_conversation_sid text, o_open_left boolean)",
      });
    } finally {
      await client.end();
    }
  });
});
