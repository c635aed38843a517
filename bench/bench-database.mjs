// The PostgreSQL server the benchmarks use: SWITCHBOARD_BENCH_DATABASE_URL, else
// SWITCHBOARD_TEST_DATABASE_URL, else the local server.
import pg from "pg";

export const benchDatabaseUrl =
  process.env.SWITCHBOARD_BENCH_DATABASE_URL ||
  process.env.SWITCHBOARD_TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";

/** Runs one statement on its own connection (schema set-up and clean-up). */
export async function adminQuery(text) {
  const client = new pg.Client({ connectionString: benchDatabaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
