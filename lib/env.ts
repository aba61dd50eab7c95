// Environment, parsed once with zod. The rest of the code reads settings from here, never process.env.
import path from 'node:path';
import { z } from 'zod';

const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

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
    /** Seconds without a worker's heartbeat before the other workers take its deliveries. */
    WORKER_HEARTBEAT_TIMEOUT: z.coerce.number().min(3, 'must be at least 3 seconds').max(3600).default(15),
    /** Calls in flight at once to one webhook, per worker. */
    MAX_IN_FLIGHT_PER_TARGET: positiveInt(64).default(16),
    /** Most failed deliveries one bulk "Retry failed…" queues. */
    BULK_RETRY_LIMIT: positiveInt(1_000_000).default(10_000),
  })
  .refine((e) => !(e.ADMIN_EMAIL && !e.ADMIN_PASSWORD) && !(e.ADMIN_PASSWORD && !e.ADMIN_EMAIL), {
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    path: ['ADMIN_PASSWORD'],
  })
  .refine((e) => !(e.WORKER === 'off' && !e.DATABASE_URL), {
    message: 'WORKER=off needs DATABASE_URL (a separate worker process cannot share the embedded database)',
    path: ['WORKER'],
  });

export type Env = Omit<z.output<typeof schema>, 'RETRY_SCHEDULE'> & {
  RETRY_SCHEDULE: number[];
  /** Absolute path of DATA_DIR. */
  dataDir: string;
};

export class EnvError extends Error {}

/** Parses an environment; throws EnvError whose message is one line naming the variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable counts as unset, as in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
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
