// Environment, parsed once with zod. The rest of the code reads settings from here, never process.env.
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/** Where the source of this service is offered (AGPL §13): the project's repository unless SOURCE_URL says otherwise. */
export const DEFAULT_SOURCE_URL = 'https://github.com/openedx-webhooks/openedx-webhooks';
const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

/** Which peers may set X-Forwarded-For/-Host/-Proto: null (none), a hop count, or proxy addresses and CIDRs. */
export type TrustProxy = null | { hops: number } | { proxies: string[] };
const OFF = ['0', 'off', 'false', 'no', 'none'];
const isCidr = (s: string) => {
  const [addr, bits, extra] = s.split('/');
  const kind = net.isIP(addr ?? '');
  if (!kind || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (kind === 4 ? 32 : 128);
};
const trustProxy = z
  .string()
  .trim()
  .refine((v) => OFF.includes(v.toLowerCase()) || /^\d{1,2}$/.test(v) || v.split(',').every((p) => isCidr(p.trim())), {
    message: 'must be off, a number of proxy hops (1), or comma-separated proxy addresses or CIDRs (10.0.0.1,192.168.0.0/16)',
  })
  .transform((v): TrustProxy => {
    if (OFF.includes(v.toLowerCase())) return null;
    if (/^\d{1,2}$/.test(v)) return { hops: Number(v) };
    return { proxies: v.split(',').map((p) => p.trim()) };
  });

const proxyUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of the proxy, like http://proxy.internal:3128' });

const schema = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
      .optional(),
    DATA_DIR: z.string().min(1).default('./.data'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    ADMIN_EMAIL: z.email('must be an email address').optional(),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    INITIAL_API_KEY: z.string().min(20, 'must be at least 20 characters').optional(),
    ALLOW_PRIVATE_TARGETS: flag.default(false),
    DELIVERY_TIMEOUT_MS: positiveInt(600_000).default(10_000),
    FILTER_TIMEOUT_MS: positiveInt(600_000).default(5_000),
    RETRY_SCHEDULE: z
      .string()
      .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, 'must be comma-separated seconds, like 5,300,1800')
      .transform((s) => s.split(',').map((n) => Number(n.trim())))
      .optional(),
    RETENTION_DAYS: z.coerce.number().positive().default(30),
    MAX_BODY_BYTES: positiveInt(1024 * 1024 * 1024).default(1_048_576),
    WORKER: z.enum(['inline', 'off']).default('inline'),
    /** SPEC §8: GET /api/v1/routing answers "events": ["*"], so relays send every event, webhook or not. */
    STORE_ALL_EVENTS: flag.default(false),
    TRUST_PROXY: trustProxy.optional(),
    SOURCE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(DEFAULT_SOURCE_URL),
    AUTH_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Seconds without a worker's heartbeat before the other workers take its deliveries. */
    WORKER_HEARTBEAT_TIMEOUT: z.coerce.number().min(3, 'must be at least 3 seconds').max(3600).default(15),
    /** Calls in flight at once to one webhook, per worker. */
    MAX_IN_FLIGHT_PER_TARGET: positiveInt(64).default(16),
    /** SPEC §11: pino level of the JSON log lines. */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** SPEC §11: a token that may read GET /api/metrics (besides keys with the "metrics" scope). */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** On SIGTERM, how long requests and deliveries in flight may take to finish before the process exits. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(25_000),
    /** SPEC §9: a webhook failing this long, with at least 10 failed deliveries, is disabled. */
    AUTO_DISABLE_AFTER_HOURS: z.coerce.number().positive('must be a positive number of hours').default(120),
    /** SPEC §9: key material for header values at rest (HKDF); AUTH_SECRET when unset. */
    ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Most failed deliveries one bulk "Retry failed…" queues. */
    BULK_RETRY_LIMIT: positiveInt(1_000_000).default(10_000),
    /** SPEC §10: audit entries older than this are deleted by the service. */
    AUDIT_RETENTION_DAYS: z.coerce.number().positive().default(365),
    /** smtp(s)://user:pass@host:port — invitations are also mailed when set (optional). */
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    /** The sender of invitation mails. */
    SMTP_FROM: z.string().min(3).optional(),
    /** Sign in with Open edX: the LMS base URL and its OAuth2 application (all three, or none). */
    OPENEDX_OAUTH_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    OPENEDX_OAUTH_CLIENT_ID: z.string().min(1).optional(),
    OPENEDX_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
    /** The role LMS staff and superusers get when they sign in with Open edX without an invitation; unset: none. */
    OPENEDX_OAUTH_STAFF_ROLE: z.enum(['owner', 'editor', 'viewer'], { error: 'must be owner, editor or viewer' }).optional(),
    /** Outgoing calls through an HTTP proxy: HTTPS_PROXY for https targets, HTTP_PROXY for http ones (or lower case). */
    HTTPS_PROXY: proxyUrl.optional(),
    HTTP_PROXY: proxyUrl.optional(),
    /** Hosts reached without the proxy: comma-separated names (a name covers its subdomains), host:port, or *. */
    NO_PROXY: z.string().optional(),
    /**
     * The HTTP client of plain-HTTP targets reached without a proxy: "lean" (the default), the built-in HTTP/1.1
     * client, which drains a backlog faster (undici reached 0.76× of it, README's figures), or "undici". HTTPS
     * targets and every call through a proxy always go through undici.
     */
    HTTP_CLIENT: z.enum(['lean', 'undici']).default('lean'),
  })
  .refine((e) => !(e.ADMIN_EMAIL && !e.ADMIN_PASSWORD) && !(e.ADMIN_PASSWORD && !e.ADMIN_EMAIL), {
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    path: ['ADMIN_PASSWORD'],
  })
  .refine((e) => [e.OPENEDX_OAUTH_URL, e.OPENEDX_OAUTH_CLIENT_ID, e.OPENEDX_OAUTH_CLIENT_SECRET].filter(Boolean).length % 3 === 0, {
    message: 'OPENEDX_OAUTH_URL, OPENEDX_OAUTH_CLIENT_ID and OPENEDX_OAUTH_CLIENT_SECRET must be set together',
    path: ['OPENEDX_OAUTH_URL'],
  })
  .refine((e) => !(e.WORKER === 'off' && !e.DATABASE_URL), {
    message: 'WORKER=off needs DATABASE_URL (a separate worker process cannot share the embedded database)',
    path: ['WORKER'],
  });

export type Env = Omit<z.output<typeof schema>, 'RETRY_SCHEDULE' | 'TRUST_PROXY'> & {
  RETRY_SCHEDULE: number[];
  TRUST_PROXY: TrustProxy;
  /** Absolute path of DATA_DIR. */
  dataDir: string;
};

export class EnvError extends Error {}

/** Parses an environment; throws EnvError whose message is one line naming the variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable counts as unset, as in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  // The proxy variables are often set in lower case (curl's spelling); upper case wins when both are.
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) cleaned[name] ??= cleaned[name.toLowerCase()];
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) if (cleaned[name] === undefined) delete cleaned[name];
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new EnvError(`Invalid environment variable ${name}: ${issue.message}.`);
  }
  const e = result.data;
  return {
    ...e,
    RETRY_SCHEDULE: e.RETRY_SCHEDULE ?? DEFAULT_RETRY_SCHEDULE,
    TRUST_PROXY: e.TRUST_PROXY ?? null,
    dataDir: path.resolve(e.DATA_DIR),
  };
}

let cached: Env | undefined;

/** The process environment, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests: forget the cached environment. */
export function resetEnv() {
  cached = undefined;
}
