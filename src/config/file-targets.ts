/** Several targets from a YAML or JSON file (HSS_SYNC_CONFIG), each validated like the environment. */
import { z } from 'zod';
import type { ImageType } from '../domain.js';
import { ConfigError } from '../errors.js';
import { hssEndpoint, iamEndpoint } from '../hss/endpoints.js';
import { Secret } from '../secret.js';
import { resolveAuth } from './auth.js';
import {
  parseEndpoint,
  parseEnterpriseProjects,
  parseImageTypes,
  parseProjectId,
  parseRegion,
} from './parse.js';
import { type ReadFile, readSecretFile } from './read.js';
import { parseConfigDocument } from './syntax-position.js';
import type { TargetConfig } from './types.js';

/** What a file target takes from the environment when it does not say. */
export interface TargetDefaults {
  enterpriseProjectIds: string[];
  imageTypes: ImageType[];
  allowInsecureHttp: boolean;
}

/** The config file: several targets, each may override defaults taken from the environment. */
/** A non-empty string the file may leave out. */
const text = z.string().min(1).optional();

const fileAuthSchema = z
  .object({
    token: text,
    token_file: text,
    access_key: text,
    secret_key: text,
    secret_key_file: text,
    security_token: text,
    security_token_file: text,
    iam_domain: text,
    iam_user: text,
    iam_password: text,
    iam_password_file: text,
    agency_domain: text,
    agency_name: text,
  })
  .strict();

const fileTargetSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    region: z.string().min(1),
    project_id: z.string().min(1),
    endpoint: z.string().min(1).optional(),
    iam_endpoint: z.string().min(1).optional(),
    enterprise_project_ids: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
    image_types: z.array(z.string()).optional(),
    auth: fileAuthSchema,
  })
  .strict();

const fileSchema = z.object({ targets: z.array(fileTargetSchema).min(1) }).strict();

function zodPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

const V = 'HSS_SYNC_CONFIG';

/** The file's document, parsed as JSON (a .json name) or YAML; errors by position only. */
function readDocument(path: string, readFile: ReadFile): unknown {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ConfigError(
      V,
      `cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'a readable YAML or JSON file',
    );
  }
  try {
    // By position only: the parsers' messages quote the text, which may hold a secret key.
    return parseConfigDocument(text, /\.json$/i.test(path) ? 'json' : 'yaml');
  } catch (err) {
    throw new ConfigError(
      V,
      `${JSON.stringify(path)} is ${(err as Error).message}`,
      'a YAML or JSON document with a targets list',
    );
  }
}

function validate(raw: unknown, path: string): z.infer<typeof fileSchema> {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(
      `${V} (${path}) at ${zodPath(issue.path) || 'top level'}`,
      issue.message,
      'see "Several targets" in docs/operations.md',
    );
  }
  return parsed.data;
}

type FileTarget = z.infer<typeof fileTargetSchema>;

/** A target's credentials: each secret inline or from a file (not both), resolved like the environment's. */
function fileAuth(a: FileTarget['auth'], at: (field: string) => string, readFile: ReadFile) {
  const secretOf = (field: string, inline?: string, file?: string): Secret | undefined => {
    if (inline && file)
      throw new ConfigError(at(`auth.${field}`), `both ${field} and ${field}_file are set`, 'only one');
    if (file) return new Secret(readSecretFile(at(`auth.${field}_file`), file, readFile));
    return inline ? new Secret(inline) : undefined;
  };
  return resolveAuth(
    at('auth'),
    {
      token: secretOf('token', a.token, a.token_file),
      accessKey: a.access_key,
      secretKey: secretOf('secret_key', a.secret_key, a.secret_key_file),
      securityToken: secretOf('security_token', a.security_token, a.security_token_file),
      iamDomain: a.iam_domain,
      iamUser: a.iam_user,
      iamPassword: secretOf('iam_password', a.iam_password, a.iam_password_file),
      agencyDomain: a.agency_domain,
      agencyName: a.agency_name,
    },
    {
      token: at('auth.token'),
      accessKey: at('auth.access_key'),
      secretKey: at('auth.secret_key'),
      securityToken: at('auth.security_token'),
      iamDomain: at('auth.iam_domain'),
      iamUser: at('auth.iam_user'),
      iamPassword: at('auth.iam_password'),
      agencyDomain: at('auth.agency_domain'),
      agencyName: at('auth.agency_name'),
    },
  );
}

/** Target `i` of the file, its unset fields taken from `defaults`; `names` holds the names so far. */
function fileTarget(
  t: FileTarget,
  i: number,
  names: Set<string>,
  readFile: ReadFile,
  defaults: TargetDefaults,
): TargetConfig {
  const at = (field: string) => `${V} targets[${i}].${field}`;
  const region = parseRegion(at('region'), t.region);
  const projectId = parseProjectId(at('project_id'), t.project_id);
  const name = t.name ?? `${region}/${projectId}`;
  if (names.has(name))
    throw new ConfigError(at('name'), `duplicate target name ${JSON.stringify(name)}`, 'unique names');
  names.add(name);
  const auth = fileAuth(t.auth, at, readFile);
  return {
    name,
    region,
    projectId,
    endpoint: t.endpoint
      ? parseEndpoint(at('endpoint'), t.endpoint, defaults.allowInsecureHttp)
      : hssEndpoint(region),
    iamEndpoint: t.iam_endpoint
      ? parseEndpoint(at('iam_endpoint'), t.iam_endpoint, defaults.allowInsecureHttp)
      : iamEndpoint(region),
    auth,
    enterpriseProjectIds: t.enterprise_project_ids
      ? parseEnterpriseProjects(at('enterprise_project_ids'), t.enterprise_project_ids)
      : defaults.enterpriseProjectIds,
    imageTypes: t.image_types ? parseImageTypes(at('image_types'), t.image_types) : defaults.imageTypes,
  };
}

export function loadFileTargets(path: string, readFile: ReadFile, defaults: TargetDefaults): TargetConfig[] {
  const data = validate(readDocument(path, readFile), path);
  const names = new Set<string>();
  return data.targets.map((t, i) => fileTarget(t, i, names, readFile, defaults));
}
