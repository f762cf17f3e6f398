/**
 * What the demo tells a newcomer after its first sync: how to connect (the owner, and a read-only
 * login for BI tools), three queries to start with, where the views are documented, how `status`
 * sees the demo's schedule, and, after --once, that the server is stopped and how to keep it.
 */

/** The demo's schedule: a sync every 20 s. */
export const DEMO_SCHEDULE = '*/20 * * * * *';

/** Queries on the public surface (docs/sql.md) that answer on the demo's data; one line each for `psql -c`. */
export const STARTER_QUERIES: { title: string; sql: string }[] = [
  {
    title: 'worst images now',
    sql: 'select image_type, image_id, worst_severity, failed_items, coverage from hss.image_posture where baselines > 0 order by worst_severity_rank desc, failed_items desc, image_id limit 10',
  },
  {
    title: 'images per coverage state',
    sql: 'select image_type, coverage, count(*) as images from hss.image_coverage group by image_type, coverage order by image_type, coverage',
  },
  {
    title: 'rules failing on most images',
    sql: 'select check_rule_name, severity, count(distinct image_id) as images from hss.image_failed_rules group by check_rule_name, severity order by images desc, check_rule_name limit 10',
  },
];

/** A shell word: the text in single quotes. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ConnectHints {
  /** The owner's psql URL (without its password when it is the user's own secret). */
  ownerUrl: string;
  /** The read-only login's URL, or null when the demo made none (--use-database-url). */
  readerUrl: string | null;
  /** Where the reader's password is kept. */
  readerPasswordFile: string | null;
  /** Whether the owner URL is the demo's own (then `status` is given it; else DATABASE_URL stays as set). */
  ownDatabase: boolean;
}

/** The lines after the first sync: logins, starter queries, docs, status. */
export function formatConnectHints(h: ConnectHints): string {
  const lines = [
    '',
    `Connect with: psql ${shellQuote(h.ownerUrl)}`,
    h.readerUrl
      ? `Read-only login for BI tools (role hss_reader, schema hss only; password kept in ${h.readerPasswordFile}):\n  psql ${shellQuote(h.readerUrl)}`
      : 'Read-only login: none made with --use-database-url; grant hss_reader to a login of yours (docs/sql.md, "Access: roles and least privilege")',
    'Start with:',
    ...STARTER_QUERIES.map(
      (q) => `  psql ${shellQuote(h.readerUrl ?? h.ownerUrl)} -c ${shellQuote(q.sql)}   # ${q.title}`,
    ),
    'Every view and column: docs/sql.md',
    // `status` tells the next run from the schedule the demo recorded with its runs.
    `The demo's runs and scopes: ${h.ownDatabase ? `DATABASE_URL=${shellQuote(h.ownerUrl)} ` : ''}npx hss-baseline-sync status`,
  ];
  return `${lines.join('\n')}\n`;
}

/** After --once: what is stopped, and how to keep it running. */
export function formatOnceEnd(dataDir: string | null): string {
  if (dataDir === null) {
    return '\n--once: done; to keep syncing every 20 s, run npm run demo -- --use-database-url (without --once).\n';
  }
  return `\n--once: the demo's PostgreSQL is stopped now (its data stays in ${dataDir}); to keep it running and syncing every 20 s, run npm run demo (without --once).\n`;
}
