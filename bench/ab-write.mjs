// Same-machine A/B of the write path (docs/performance.md, "The chain's cost, measured again"):
// each side is a build of the bench (`npx tsc -p tsconfig.build.json && npx tsc -p bench/tsconfig.json`;
// commit a25f3b0 builds to dist/, later ones to dist-bench/). Sides run alternately, each round on
// fresh databases. Two modes:
//   node bench/ab-write.mjs wall ROUNDS label=DIR/bench/measure-write.js ...
//     measureWrite({ images: 8000, batchImages: 100 }) per side: medians of the write path and of
//     write_vs_history_copy.
//   node bench/ab-write.mjs cpu ROUNDS label=ROOT[,SRC,WRITER] ...
//     the same 32,000 rows through writeImageResults, measuring CPU instead of wall time: the
//     worker's (process.cpuUsage) and its backends' (utime + stime of /proc/<pid>/stat, so the
//     database must run on this machine). CPU time holds on a loaded machine where wall time does not.
// ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) must be allowed to create databases.
import { readFileSync } from 'node:fs';

const [mode, rounds, ...sides] = process.argv.slice(2);
const admin = process.env.ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUN = '00000000-0000-4000-8000-000000000001';
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const ticksMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

async function load(spec) {
  if (mode === 'wall') return { mw: await import(spec) };
  const [root, src = `${root}/src`, writer = '/db/writer/index.js'] = spec.split(',');
  return {
    sup: await import(`${root}/bench/support.js`),
    mw: await import(`${root}/bench/measure-write.js`),
    pool: await import(`${src}/db/pool.js`),
    w: await import(src + writer),
  };
}

async function cpuRound(m) {
  const db = await m.sup.freshDatabase(admin);
  const h = m.pool.createDb(db.url);
  try {
    const items = m.mw.syntheticItems(8000);
    await h.pool.query('select 1');
    const pids = async () =>
      (await h.pool.query('select pid from pg_stat_activity where datname = current_database()')).rows.map(
        (x) => x.pid,
      );
    const before = new Map((await pids()).map((p) => [p, ticksMs(p)]));
    const c0 = process.cpuUsage();
    const t0 = Date.now();
    const at = new Date();
    for (let i = 0; i < items.length; i += 100)
      await m.w.writeImageResults(h, RUN, at, items.slice(i, i + 100));
    const wall = Date.now() - t0;
    const c = process.cpuUsage(c0);
    let backend = 0;
    for (const p of await pids()) backend += ticksMs(p) - (before.get(p) ?? 0);
    return { wall, node: Math.round((c.user + c.system) / 1000), backend };
  } finally {
    await h.close();
    await db.drop();
  }
}

const mods = [];
for (const s of sides) {
  const [label, spec] = s.split('=');
  mods.push({ label, runs: [], ...(await load(spec)) });
}
for (let r = 0; r < Number(rounds); r++) {
  for (const m of r % 2 ? [...mods].reverse() : mods) {
    const x =
      mode === 'wall'
        ? await m.mw.measureWrite(admin, { images: 8000, batchImages: 100 })
        : await cpuRound(m);
    m.runs.push(x);
    console.log(r, m.label, JSON.stringify(x));
  }
}
for (const m of mods) {
  const med = (f) => median(m.runs.map(f));
  console.log(
    mode === 'wall'
      ? `${m.label}: write median ${med((x) => x.write_seconds)} s, COPY into the history median ${med((x) => x.copy_history_seconds)} s, write_vs_history_copy median ${med((x) => x.write_vs_history_copy)}`
      : `${m.label}: median wall ${med((x) => x.wall)} ms, worker cpu ${med((x) => x.node)} ms, backend cpu ${med((x) => x.backend)} ms, total cpu ${med((x) => x.node + x.backend)} ms`,
  );
}
