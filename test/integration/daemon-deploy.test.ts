/**
 * The deployment files: the Dockerfile's stages, docker-compose.yml (its structure always, and
 * `docker-compose config -q` where a compose client is installed), the Kubernetes manifests and
 * the BI role script. No container engine is needed: nothing here builds or runs an image.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

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
    expect(Object.keys(services).sort()).toEqual(['bi-setup', 'grafana', 'postgres', 'simulator', 'worker']);
    expect(services.postgres.image).toBe('postgres:17');
    expect(services.postgres.healthcheck.test).toEqual(['CMD-SHELL', 'pg_isready -U hss -d hss']);
    expect(services.postgres.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes)).toEqual(['pgdata', 'grafana-data']);
    expect(services.postgres.profiles).toBeUndefined();
    expect(services.worker.profiles).toBeUndefined();
    expect(services.worker.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.worker.build).toBe('.');
    expect(services.worker.command).toEqual(['start']);
    expect(services.worker.environment.DATABASE_URL).toBe(
      `postgres://hss:${interp('POSTGRES_PASSWORD:-hss-local-only')}@postgres:5432/hss`,
    );
  });

  it('runs the worker and simulator hardened: read-only root, /tmp only, no capabilities', () => {
    for (const name of ['worker', 'simulator']) {
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

  it('bi profile: hss_bi set up after PostgreSQL, then Grafana with the provisioning mounts', () => {
    expect(services['bi-setup']).toMatchObject({
      profiles: ['bi'],
      image: 'postgres:17',
      depends_on: { postgres: { condition: 'service_healthy' } },
      entrypoint: ['sh', '/bi-role.sh'],
      volumes: ['./deploy/postgres/bi-role.sh:/bi-role.sh:ro'],
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
      interp('HSS_READER_PASSWORD:-hss-reader-local-only'),
    );
    expect(services['bi-setup'].environment.HSS_READER_PASSWORD).toBe(
      services.grafana.environment.HSS_READER_PASSWORD,
    );
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

describe('deploy/postgres/bi-role.sh', () => {
  it('is valid sh and passes the password as a psql variable, never in SQL text', () => {
    execFileSync('sh', ['-n', join(ROOT, 'deploy/postgres/bi-role.sh')]);
    const script = read('deploy/postgres/bi-role.sh');
    expect(script).toContain(`-v pw="$HSS_READER_PASSWORD"`);
    expect(script).toContain(`PASSWORD :'pw';`);
    expect(script).toContain('GRANT hss_reader TO hss_bi;');
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
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(d.spec.template.metadata.annotations['prometheus.io/path']).toBe('/metrics');
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
