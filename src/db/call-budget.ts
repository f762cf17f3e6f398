/**
 * The shared call budget in PostgreSQL (src/hss/call-budget.ts SharedCallLog): one row of
 * hss_internal.api_call_budget per (credential fingerprint, API) holding the instants of its
 * recent calls. A reservation is one short transaction: the row is locked (FOR UPDATE), the
 * instants older than the window are dropped, and the call is recorded only if fewer than `rate`
 * remain. Time is the database's (clock_timestamp()), so replicas whose clocks disagree still
 * agree on the window; an app given a clock of its own (tests on a fake clock) passes its time.
 * Every recorded instant is unique in its row (a collision moves it 1 µs later), so a call's
 * token, its start instant, names it exactly; the window is counted in whole milliseconds, so
 * those shifts never lengthen a wait. An instant more than a window ahead of now (the clock went
 * back, or an app with a clock of its own wrote it) is dropped rather than waited for.
 */
import type { Clock } from '../clock.js';
import type { ApiName } from '../domain.js';
import type { Reservation, SharedCallLog } from '../hss/call-budget.js';
import type { DbHandle } from './pool.js';
import { inTransaction, query } from './tx.js';

// Creates the row if need be and locks it (DO UPDATE takes the row lock) in one statement.
const LOCK = `INSERT INTO hss_internal.api_call_budget AS b (credential_key, api) VALUES ($1, $2)
ON CONFLICT (credential_key, api) DO UPDATE SET calls = b.calls`;

// $3: the app's clock (NULL = the database's); $4: the rate; $5: the window in ms.
const RESERVE = `
WITH n AS (SELECT coalesce($3::timestamptz, clock_timestamp()) AS t, make_interval(secs => $5::float8 / 1000) AS span),
k AS (
  SELECT n.t, n.span,
    array(SELECT c FROM unnest(b.calls) AS c
          WHERE date_trunc('milliseconds', c) > n.t - n.span AND c <= n.t + n.span ORDER BY c) AS kept
  FROM hss_internal.api_call_budget b, n WHERE b.credential_key = $1 AND b.api = $2),
m AS (
  SELECT k.*, cardinality(k.kept) < $4::int AS ok,
    greatest(k.t, (SELECT max(c) + interval '1 microsecond' FROM unnest(k.kept) AS c)) AS at
  FROM k)
UPDATE hss_internal.api_call_budget b
SET calls = CASE WHEN m.ok THEN m.kept || m.at ELSE m.kept END
FROM m WHERE b.credential_key = $1 AND b.api = $2
RETURNING m.ok, m.at::text AS token,
  CASE WHEN m.ok THEN 0 ELSE ceil(extract(epoch FROM
    date_trunc('milliseconds', m.kept[cardinality(m.kept) - $4::int + 1]) + m.span - m.t) * 1000)::bigint END AS wait_ms`;

// The call ended: its instant becomes the end (unique in the row), or is added again when it
// already left the window (a call longer than the window). One statement: the expressions read
// the row version the update locks, so concurrent finishes do not lose one another.
const END_AT = `(SELECT greatest(coalesce($4::timestamptz, clock_timestamp()), max(c) + interval '1 microsecond')
  FROM unnest(b.calls) AS c)`;
const FINISH = `
UPDATE hss_internal.api_call_budget b
SET calls = CASE WHEN $3::timestamptz = ANY(b.calls) THEN array_replace(b.calls, $3::timestamptz, ${END_AT})
                 ELSE b.calls || ${END_AT} END
WHERE b.credential_key = $1 AND b.api = $2`;

/**
 * The SharedCallLog of the database behind `h`. `clock`: the app's injected clock, whose time is
 * used instead of the database's (tests on a fake clock); default the database's clock.
 */
export function createPgCallLog(h: DbHandle, clock?: Clock): SharedCallLog {
  const now = () => (clock ? new Date(clock.now()) : null);
  return {
    async reserve(key: string, api: ApiName, rate: number, windowMs: number): Promise<Reservation> {
      return inTransaction(h, { op: 'reserveCall' }, async (c) => {
        await c.query(LOCK, [key, api]);
        const r = await c.query<{ ok: boolean; token: string; wait_ms: string }>(RESERVE, [
          key,
          api,
          now(),
          rate,
          windowMs,
        ]);
        const row = r.rows[0];
        if (!row) throw new Error(`call budget row of ${api} vanished`);
        return row.ok
          ? { ok: true, token: row.token }
          : { ok: false, waitMs: Math.max(1, Number(row.wait_ms)) };
      });
    },
    async finish(key: string, api: ApiName, token: string): Promise<void> {
      await query(h, 'finishCall', FINISH, [key, api, token, now()]);
    },
  };
}
