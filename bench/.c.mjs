// usage: node claimbench.mjs <worktree> <schema> <max> — times claims on a schema made by setup.mjs
const [wt, schema, maxArg] = process.argv.slice(2);
const { postgresMailbox } = await import(`${wt}/dist/mailbox/postgres/index.js`);
const url = "postgres://postgres@127.0.0.1:5432/test";
const store = postgresMailbox({ connectionString: url, schema, poolSize: 2, settleWindowMs: 150, now: () => 1_700_000_000_000 });
await store.start();
const max = Number(maxArg);
await store.claim("warm", 1, 30_000);
const times = [];
let leased = 0;
for (let i = 0; i < 40; i++) {
  const t = process.hrtime.bigint();
  leased += (await store.claim(`w${i}`, max, 30_000)).length;
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
const mean = times.reduce((a, b) => a + b, 0) / times.length;
console.log(`${wt.split("/").pop()} ${schema} max=${max}: mean ${mean.toFixed(2)} ms p50 ${times[20].toFixed(2)} ms, ${leased} leased`);
await store.close();
