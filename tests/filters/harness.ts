// Shared set-up for the /api/filters tests: a real database behind the route, an API key, webfilter rows.
import { eq, inArray } from 'drizzle-orm';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { deliveries, deliveryAttempts, webfilters, type NewWebfilter } from '../../lib/db/schema';
import { flushFilterLogs } from '../../lib/dispatch/filters/log';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { resetEnv } from '../../lib/env';
import { POST } from '../../app/api/filters/route';

export const FILTER_TIMEOUT_MS = 800;

/** Test env: receivers live on 127.0.0.1, and a short filter budget keeps timeout cases quick. */
export function filterEnv(extra: Record<string, string> = {}) {
  Object.assign(process.env, { ALLOW_PRIVATE_TARGETS: '1', FILTER_TIMEOUT_MS: String(FILTER_TIMEOUT_MS), ...extra });
  resetEnv();
}

export interface Harness {
  handle: DbHandle;
  token: string;
  post(body: unknown, init?: { token?: string | null; contentType?: string; raw?: string }): Promise<Response>;
  call(body: unknown): Promise<{ status: number; body: Record<string, any> }>;
  addWebfilters(rows: Omit<NewWebfilter, 'filterType'>[], filterType: string): Promise<string[]>;
  removeWebfilters(ids: string[]): Promise<void>;
  logOf(ids: string[]): Promise<(typeof deliveries.$inferSelect & { attempts: (typeof deliveryAttempts.$inferSelect)[] })[]>;
}

export async function harness(handle: DbHandle): Promise<Harness> {
  setDb(handle);
  const { token } = await createApiKey(handle.db, { name: 'lms', scopes: ['filters'] });
  const post: Harness['post'] = (body, init = {}) => {
    const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' };
    const key = init.token === undefined ? token : init.token;
    if (key) headers.authorization = `Bearer ${key}`;
    return POST(
      new Request('http://localhost/api/filters', { method: 'POST', headers, body: init.raw ?? JSON.stringify(body) }),
      undefined,
    );
  };
  return {
    handle,
    token,
    post,
    async call(body) {
      const res = await post(body);
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    },
    async addWebfilters(rows, filterType) {
      const ids: string[] = [];
      // One by one so created_at orders them as listed when positions tie.
      for (const [i, row] of rows.entries()) {
        const [r] = await handle.db
          .insert(webfilters)
          .values({ position: 0, ...row, filterType, createdAt: new Date(Date.now() + i) })
          .returning({ id: webfilters.id });
        ids.push(r!.id);
      }
      await invalidateTargets(handle);
      return ids;
    },
    async removeWebfilters(ids) {
      if (ids.length) await handle.db.delete(webfilters).where(inArray(webfilters.id, ids));
      await invalidateTargets(handle);
    },
    async logOf(ids) {
      await flushFilterLogs();
      if (!ids.length) return [];
      const rows = await handle.db.select().from(deliveries).where(inArray(deliveries.targetId, ids)).orderBy(deliveries.id);
      return Promise.all(
        rows.map(async (r) => ({
          ...r,
          attempts: await handle.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, r.id)),
        })),
      );
    },
  };
}

export const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';
export const FORM_DATA = {
  email: 'maria.garcia@example.org',
  name: 'María García',
  username: 'mgarcia',
  level_of_education: 'm',
  country: 'ES',
  honor_code: 'true',
  terms_of_service: 'true',
};
