/**
 * The deployment files: the Dockerfile's stages, docker-compose.yml (its structure always, and
 * `docker-compose config -q` where a compose client is installed), the Kubernetes manifests, the
 * Grafana entrypoint's password check and the login script (run with psql against the test
 * database). No container engine is needed: nothing here builds or runs an image.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
/** `${expr}` as compose and Dockerfiles write it (not a JavaScript placeholder). */
const interp = (expr: string) => `\${${expr}}`;

interface Stage {
  from: string;
  name: string | null;
  lines: string[];
}

/** Dockerfile instructions (continuations joined, comments dropped), grouped by FROM. */
function dockerStages(text: string): Stage[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2] ?? null, lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** The compose client here, if any: the v2 plugin or the standalone binary. */
function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0)
    return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return null;
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const stages = dockerStages(text);
  const final = stages.at(-1)!;

  it('builds in stages and runs Node 24 slim with production dependencies only', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', null]);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    expect(stages.every((s) => s.from === interp('NODE_IMAGE'))).toBe(true);
    const deps = stages[1]!.lines.join('\n');
    expect(deps).toMatch(/npm ci --omit=dev --omit=optional --ignore-scripts/);
    expect(stages[0]!.lines.join('\n')).toMatch(/npx tsc -p tsconfig\.build\.json/);
    expect(final.lines.filter((l) => /^RUN /.test(l))).toEqual([]);
    expect(final.lines).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(final.lines).toContain('COPY --from=build /app/dist ./dist');
    expect(final.lines).toContain('COPY migrations ./migrations');
  });

  it('runs the final stage as a numeric non-root user', () => {
    const users = final.lines.filter((l) => /^USER\s/.test(l));
    expect(users).toEqual(['USER 1000:1000']);
    const uid = users[0]!.split(/\s+/)[1]!.split(':')[0]!;
    expect(['root', '0']).not.toContain(uid);
    // The USER comes before the entrypoint, so nothing after it runs as root.
    expect(final.lines.findIndex((l) => l.startsWith('USER'))).toBeLessThan(
      final.lines.findIndex((l) => l.startsWith('ENTRYPOINT')),
    );
  });

  it('checks /healthz with node (slim images have no curl) and starts the daemon by default', () => {
    const hc = final.lines.find((l) => l.startsWith('HEALTHCHECK'))!;
    expect(hc).toContain(
      'CMD ["node", "-e", "fetch(\'http://127.0.0.1:\'+(process.env.HTTP_PORT||9464)+\'/healthz\')',
    );
    expect(final.lines).toContain('ENTRYPOINT ["node", "/app/bin/hss-baseline-sync.js"]');
    expect(final.lines).toContain('CMD ["start"]');
  });

  it('keeps the build context small with .dockerignore', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['**/node_modules', 'dist', '.git', '.demo-data', 'test', '.env'])
      expect(ignored).toContain(p);
    // What the build copies must not be ignored.
    for (const p of ['src', 'bin', 'migrations', 'package.json', 'package-lock.json'])
      expect(ignored).not.toContain(p);
  });
});

describe('docker-compose.yml', () => {
  // biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document, checked field by field.
  const compose = parse(read('docker-compose.yml'), { merge: true }) as any;
  const services = compose.services;

  it('runs PostgreSQL 17 with a health check and a volume, and the worker once it is healthy', () => {
    expect(Object.keys(services).sort()).toEqual([
      'bi-setup',
      'grafana',
      'migrate',
      'postgres',
      'simulator',
      'worker',
      'worker-login',
    ]);
    expect(services.postgres.image).toBe('postgres:17');
    expect(services.postgres.healthcheck.test).toEqual(['CMD-SHELL', 'pg_isready -U hss -d hss']);
    expect(services.postgres.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes)).toEqual(['pgdata', 'grafana-data']);
    for (const name of ['postgres', 'migrate', 'worker-login', 'worker']) {
      expect([name, services[name].profiles]).toEqual([name, undefined]);
    }
    expect(services.worker.build).toBe('.');
    expect(services.worker.command).toEqual(['start']);
  });

  it('two logins: the owner migrates in a one-shot, the worker syncs as hss_worker (hss_writer only)', () => {
    const owner = services.postgres.environment.POSTGRES_USER;
    const ownerPassword = services.postgres.environment.POSTGRES_PASSWORD;
    expect([owner, ownerPassword]).toEqual(['hss', interp('POSTGRES_PASSWORD:-hss-local-only')]);
    // migrate: the owner's URL, once, after PostgreSQL is healthy.
    expect(services.migrate).toMatchObject({
      image: 'hss-baseline-sync:local',
      command: ['migrate'],
      depends_on: { postgres: { condition: 'service_healthy' } },
      restart: 'no',
    });
    expect(services.migrate.environment.DATABASE_URL).toBe(
      `postgres://${owner}:${ownerPassword}@postgres:5432/hss`,
    );
    // worker-login: as the owner, after migrate created hss_writer, creates hss_worker in it.
    const workerPassword = interp('HSS_WORKER_PASSWORD:-hss-worker-local-only');
    expect(services['worker-login']).toMatchObject({
      image: 'postgres:17',
      depends_on: { migrate: { condition: 'service_completed_successfully' } },
      entrypoint: ['sh', '/login-role.sh'],
      volumes: ['./deploy/postgres/login-role.sh:/login-role.sh:ro'],
      restart: 'no',
    });
    expect(services['worker-login'].environment).toEqual({
      PGHOST: 'postgres',
      PGDATABASE: 'hss',
      PGUSER: owner,
      PGPASSWORD: ownerPassword,
      LOGIN_ROLE: 'hss_worker',
      GROUP_ROLE: 'hss_writer',
      LOGIN_PASSWORD: workerPassword,
    });
    // The worker: only once both one-shots succeeded, as hss_worker, never migrating.
    expect(services.worker.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      'worker-login': { condition: 'service_completed_successfully' },
    });
    const url = new URL(
      services.worker.environment.DATABASE_URL.replace(workerPassword, 'password-placeholder'),
    );
    expect([url.username, url.host, url.pathname]).toEqual(['hss_worker', 'postgres:5432', '/hss']);
    expect(url.username).not.toBe(owner);
    expect(services.worker.environment.DATABASE_URL).toContain(`:${workerPassword}@`);
    expect(services.worker.environment.SYNC_MIGRATE_ON_START).toBe('false');
  });

  it('runs the worker and simulator hardened: read-only root, /tmp only, no capabilities', () => {
    for (const name of ['worker', 'simulator', 'migrate', 'worker-login', 'bi-setup']) {
      expect(services[name]).toMatchObject({
        read_only: true,
        tmpfs: ['/tmp'],
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
      });
    }
  });

  it('demo profile: the simulator on 0.0.0.0, and the default worker settings point at it', () => {
    expect(services.simulator.profiles).toEqual(['demo']);
    expect(services.simulator.command.slice(0, 5)).toEqual([
      'simulate',
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
    ]);
    expect(services.worker.env_file).toEqual([interp('HSS_ENV_FILE:-deploy/compose/demo.env')]);
    const env = Object.fromEntries(
      read('deploy/compose/demo.env')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({
      HSS_ENDPOINT: 'http://simulator:8080',
      HSS_ALLOW_INSECURE_HTTP: 'true',
      HSS_AUTH_TOKEN: 'sim-token',
      HSS_PROJECT_ID: 'proj-demo',
    });
    expect(existsSync(join(ROOT, 'deploy/compose/hss.env.example'))).toBe(true);
  });

  it('bi profile: hss_bi set up after migrate, then Grafana with the provisioning mounts', () => {
    expect(services['bi-setup']).toMatchObject({
      profiles: ['bi'],
      image: 'postgres:17',
      depends_on: { migrate: { condition: 'service_completed_successfully' } },
      entrypoint: ['sh', '/login-role.sh'],
      volumes: ['./deploy/postgres/login-role.sh:/login-role.sh:ro'],
    });
    expect(services['bi-setup'].environment).toMatchObject({
      LOGIN_ROLE: 'hss_bi',
      GROUP_ROLE: 'hss_reader',
      LOGIN_PASSWORD: interp('HSS_READER_PASSWORD:-hss-reader-local-only'),
    });
    expect(services.grafana.profiles).toEqual(['bi']);
    expect(services.grafana.depends_on).toEqual({
      'bi-setup': { condition: 'service_completed_successfully' },
    });
    expect(services.grafana.volumes).toEqual([
      './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
      './deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      'grafana-data:/var/lib/grafana',
    ]);
    expect(services.grafana.environment.HSS_READER_PASSWORD).toBe(
      services['bi-setup'].environment.LOGIN_PASSWORD,
    );
  });

  it('Grafana has no default admin password: it refuses to start without GRAFANA_ADMIN_PASSWORD', () => {
    expect(services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toBe(interp('GRAFANA_ADMIN_PASSWORD:-'));
    // `:?` would be checked for every profile (compose resolves variables first): never used.
    const code = read('docker-compose.yml').replace(/^\s*#.*$/gm, '');
    expect(code).not.toMatch(/\$\{[A-Z_]+:?\?/);
    const [sh, flag, script] = services.grafana.entrypoint as string[];
    expect([sh, flag]).toEqual(['sh', '-c']);
    expect(script).toMatch(/; exec \/run\.sh$/);
    // The script as the container runs it ($$ is compose's escape for $), Grafana's start replaced.
    const run = (password: string | undefined) =>
      spawnSync(
        'sh',
        ['-c', script!.replaceAll('$$', '$').replace(/exec \/run\.sh$/, 'echo grafana starts')],
        {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH ?? '',
            ...(password === undefined ? {} : { GF_SECURITY_ADMIN_PASSWORD: password }),
          },
        },
      );
    const message =
      'grafana: GRAFANA_ADMIN_PASSWORD is not set: put GRAFANA_ADMIN_PASSWORD=<a long random password> in .env beside docker-compose.yml\n';
    for (const unset of [undefined, '']) {
      expect(run(unset)).toMatchObject({ status: 78, stdout: '', stderr: message });
    }
    expect(run('s3cret-enough')).toMatchObject({ status: 0, stdout: 'grafana starts\n', stderr: '' });
  });

  const compose_ = composeCommand();
  it.skipIf(compose_ === null)(
    'passes `config -q` of the installed compose client, with every profile',
    () => {
      const [cmd, ...pre] = compose_!;
      for (const profiles of [[], ['--profile', 'demo'], ['--profile', 'demo', '--profile', 'bi']]) {
        const r = spawnSync(cmd!, [...pre, '-f', 'docker-compose.yml', ...profiles, 'config', '-q'], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '' },
        });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      }
    },
  );
});

describe('deploy/postgres/login-role.sh', () => {
  const script = join(ROOT, 'deploy/postgres/login-role.sh');
  const psql = spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0;
  const login = `hss_test_login_${randomBytes(4).toString('hex')}`;
  let t: TestDatabase | undefined;

  /** Runs the script as compose does, against the test database as the admin login. */
  const runScript = (vars: Record<string, string>) => {
    const url = new URL(t!.url);
    return spawnSync('sh', [script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        PGHOST: url.hostname,
        PGPORT: url.port || '5432',
        PGDATABASE: t!.name,
        PGUSER: decodeURIComponent(url.username),
        PGPASSWORD: decodeURIComponent(url.password),
        ...vars,
      },
    });
  };
  const roleOf = async (name: string) =>
    (
      await t!.pool.query(
        `SELECT r.rolcanlogin, r.rolsuper, r.rolinherit, r.rolpassword IS NOT NULL AS has_password,
                array(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid ORDER BY 1) AS member_of
           FROM pg_authid r WHERE r.rolname = $1`,
        [name],
      )
    ).rows;

  beforeAll(async () => {
    if (psql) t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.pool.query(`DROP ROLE IF EXISTS ${login}`);
    await t?.drop();
  });

  it('is valid sh and passes names and the password as psql variables, never in SQL text', () => {
    execFileSync('sh', ['-n', script]);
    const text = read('deploy/postgres/login-role.sh');
    expect(text).toContain(`-v login="$LOGIN_ROLE" -v grp="$GROUP_ROLE" -v pw="$LOGIN_PASSWORD"`);
    expect(text).toContain(`PASSWORD :'pw';`);
    expect(text).not.toMatch(/\$LOGIN_PASSWORD[^"]/);
  });

  it.skipIf(!psql)('creates a login in hss_writer only; run again it revokes anything else', async () => {
    const vars = { LOGIN_ROLE: login, GROUP_ROLE: 'hss_writer', LOGIN_PASSWORD: "it's a pass word" };
    const first = runScript(vars);
    expect({ status: first.status, stdout: first.stdout, stderr: first.stderr }).toEqual({
      status: 0,
      stdout: `login-role: ${login} can log in and is a member of hss_writer only\n`,
      stderr: '',
    });
    const expected = { rolcanlogin: true, rolsuper: false, rolinherit: true, has_password: true };
    expect(await roleOf(login)).toEqual([{ ...expected, member_of: ['hss_writer'] }]);
    await t!.pool.query(`GRANT hss_reader TO ${login}`);
    const again = runScript(vars);
    expect([again.status, again.stderr]).toEqual([0, '']);
    expect(await roleOf(login)).toEqual([{ ...expected, member_of: ['hss_writer'] }]);
  });

  it.skipIf(!psql)('refuses the login running it (the owner) and any group but the two', async () => {
    const admin = decodeURIComponent(new URL(t!.url).username);
    const before = await roleOf(admin);
    const self = runScript({ LOGIN_ROLE: admin, GROUP_ROLE: 'hss_writer', LOGIN_PASSWORD: 'x' });
    expect(self.status).toBe(3);
    expect(self.stderr).toContain(
      `login-role: ${admin} runs this script or owns the database, choose another name for the login\n`,
    );
    expect(await roleOf(admin)).toEqual(before);
    const group = runScript({ LOGIN_ROLE: login, GROUP_ROLE: admin, LOGIN_PASSWORD: 'x' });
    expect([group.status, group.stderr]).toEqual([
      64,
      `login-role: GROUP_ROLE must be hss_writer or hss_reader, not "${admin}"\n`,
    ]);
  });
});

describe('deploy/kubernetes', () => {
  // biome-ignore lint/suspicious/noExplicitAny: parsed manifests, checked field by field.
  const docs = (file: string): any[] =>
    parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJSON();
    });

  it('lists the Deployment variant in kustomization.yaml, every file present', () => {
    const k = docs('kustomization.yaml')[0];
    expect(k.resources).toEqual(['namespace.yaml', 'configmap.yaml', 'deployment.yaml', 'service.yaml']);
    for (const f of k.resources as string[]) expect(docs(f).length).toBe(1);
  });

  it('Deployment: one replica, probes on /healthz and /readyz, non-root, read-only root', () => {
    const d = docs('deployment.yaml')[0];
    expect(d.kind).toBe('Deployment');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const c = pod.containers[0];
    expect(c.args).toEqual(['start']);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9464 }]);
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(c.volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'db-ca', mountPath: '/etc/hss/db-ca', readOnly: true },
    ]);
    expect(d.spec.template.metadata.annotations['prometheus.io/path']).toBe('/metrics');
  });

  /** Secrets a container reads, by name; every env entry must be a plain value or a reference. */
  const secretsOf = (c: { envFrom?: { secretRef?: { name: string } }[] }) =>
    (c.envFrom ?? []).flatMap((e) => (e.secretRef ? [e.secretRef.name] : []));

  it('two logins: the init container migrates with the owner Secret, the worker has the writer one', () => {
    for (const [file, pod, main] of [
      ['deployment.yaml', docs('deployment.yaml')[0].spec.template.spec, 'start'],
      ['cronjob.yaml', docs('cronjob.yaml')[0].spec.jobTemplate.spec.template.spec, 'sync'],
    ] as const) {
      expect([file, pod.initContainers.map((c: { args: string[] }) => c.args)]).toEqual([
        file,
        [['migrate']],
      ]);
      expect([file, secretsOf(pod.initContainers[0])]).toEqual([file, ['hss-baseline-sync-owner']]);
      expect([file, pod.containers.map((c: { args: string[] }) => c.args)]).toEqual([file, [[main]]]);
      expect([file, secretsOf(pod.containers[0])]).toEqual([file, ['hss-baseline-sync']]);
      // Secrets only by reference: no value in the manifests.
      for (const c of [...pod.initContainers, ...pod.containers]) {
        for (const e of c.env ?? []) expect([file, e.name]).not.toEqual([file, 'DATABASE_URL']);
      }
      // The database's CA for sslmode=verify-full, optional, for both containers.
      expect(pod.volumes).toContainEqual({
        name: 'db-ca',
        secret: { secretName: 'hss-db-ca', optional: true },
      });
      for (const c of [...pod.initContainers, ...pod.containers]) {
        expect(c.volumeMounts).toContainEqual({ name: 'db-ca', mountPath: '/etc/hss/db-ca', readOnly: true });
      }
    }
    const worker = docs('deployment.yaml')[0].spec.template.spec.containers[0];
    expect(worker.env).toEqual([{ name: 'SYNC_MIGRATE_ON_START', value: 'false' }]);
    // The ConfigMap holds no secret; its comment shows both Secrets and a verified remote URL.
    const cm = docs('configmap.yaml')[0];
    for (const key of Object.keys(cm.data)) expect(key).not.toMatch(/DATABASE_URL|SECRET|PASSWORD|TOKEN/);
    const text = read('deploy/kubernetes/configmap.yaml');
    expect(text).toContain('create secret generic hss-baseline-sync-owner');
    expect(text).toContain(
      "DATABASE_URL='postgres://hss_worker:…@db.example.internal:5432/hss?sslmode=verify-full&sslrootcert=/etc/hss/db-ca/ca.pem'",
    );
  });

  it('CronJob alternative: migrate, then `sync`, never two at once', () => {
    const j = docs('cronjob.yaml')[0];
    expect(j.kind).toBe('CronJob');
    expect(j.spec.concurrencyPolicy).toBe('Forbid');
    const pod = j.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.initContainers.map((c: { args: string[] }) => c.args)).toEqual([['migrate']]);
    expect(pod.containers.map((c: { args: string[] }) => c.args)).toEqual([['sync']]);
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    }
  });
});
