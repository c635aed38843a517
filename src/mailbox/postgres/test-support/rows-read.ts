import type pg from "pg";

/**
 * Runs `work` in a transaction that is rolled back afterwards and answers its row count with
 * the rows it read from `table` (index fetches and sequential reads), from PostgreSQL's own
 * per-transaction statistics: what a cost test counts instead of timing anything.
 */
export async function rowsReadBy(
  client: pg.Client,
  schema: string,
  table: string,
  work: () => Promise<pg.QueryResult>,
): Promise<{ rows: number; read: number }> {
  await client.query("BEGIN");
  try {
    const result = await work();
    const { rows } = await client.query<{ read: string }>(
      `SELECT coalesce(sum(coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0)), 0) AS read
         FROM pg_stat_xact_user_tables WHERE schemaname = $1 AND relname = $2`,
      [schema, table],
    );
    return { rows: result.rowCount ?? 0, read: Number(rows[0]!.read) };
  } finally {
    await client.query("ROLLBACK");
  }
}
