// The API key guard every LMS and management route uses: 401 without a known key, 403 without the scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkApiKey, withApiKey } from '../../lib/auth/api-key-guard';
import { eq } from 'drizzle-orm';
import { apiKeyCacheSizes, apiKeyCached, clearApiKeyCache, hashToken, createApiKey, ensureInitialApiKey, listApiKeys, revokeApiKey } from '../../lib/auth/api-keys';
import { setDb } from '../../lib/db';
import type { DbHandle } from '../../lib/db/client';
import { apiKeys } from '../../lib/db/schema';
import { pgliteDb } from '../helpers/db';

let handle: DbHandle;
let eventsKey: string;
let eventsKeyId: string;

beforeAll(async () => {
  handle = await pgliteDb();
  setDb(handle);
  const created = await createApiKey(handle.db, { name: 'lms', scopes: ['events'] });
  eventsKey = created.token;
  eventsKeyId = created.key.id;
});
afterAll(() => handle.close());

const call = (token?: string) =>
  new Request('http://x/api/events', { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });

const route = withApiKey('events', async () => new Response('ok'));

describe('API key guard', () => {
  it('answers 401 with a clear JSON error without a key', async () => {
    const res = await route(call(), {});
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/Authorization: Bearer/);
  });

  it('answers 401 for an unknown key', async () => {
    const res = await route(call('oewh_unknown'), {});
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/unknown or has been revoked/);
  });

  it('answers 403 for a key without the scope', async () => {
    const check = await checkApiKey(call(eventsKey), 'filters');
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.response.status).toBe(403);
      expect((await check.response.json()).error).toMatch(/"filters" scope/);
    }
  });

  it('lets a key with the scope through', async () => {
    const res = await route(call(eventsKey), {});
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('stores only a hash of the token', async () => {
    const rows = await handle.db.select().from(apiKeys);
    expect(JSON.stringify(rows)).not.toContain(eventsKey);
  });

  it('refuses a revoked key at once', async () => {
    expect(await revokeApiKey(handle.db, eventsKeyId)).toBe(true);
    const res = await route(call(eventsKey), {});
    expect(res.status).toBe(401);
  });

  it('stores INITIAL_API_KEY once, with every scope', async () => {
    const token = 'initial-key-for-tests-0123456789';
    await ensureInitialApiKey(handle.db, token);
    await ensureInitialApiKey(handle.db, token);
    clearApiKeyCache();
    for (const scope of ['events', 'filters', 'admin'] as const) {
      expect((await checkApiKey(call(token), scope)).ok).toBe(true);
    }
    const rows = await handle.db.select().from(apiKeys);
    expect(rows.filter((r) => r.name.includes('INITIAL_API_KEY'))).toHaveLength(1);
  });

  it('shows a fixed label for INITIAL_API_KEY, never its first characters (new rows and older ones)', async () => {
    const token = 'operator-chosen-initial-token-42';
    await ensureInitialApiKey(handle.db, token);
    const listed = () => listApiKeys(handle.db).then((keys) => keys.filter((k) => k.name.includes('INITIAL_API_KEY')));
    for (const k of await listed()) expect(k.prefix).toBe('INITIAL_API_KEY');
    // A row an older version stored with the token's first 12 characters: fixed at the next start.
    await handle.db.update(apiKeys).set({ prefix: token.slice(0, 12) }).where(eq(apiKeys.tokenHash, hashToken(token)));
    expect(JSON.stringify(await listed())).not.toContain(token.slice(0, 12));
    await ensureInitialApiKey(handle.db, token);
    const rows = await handle.db.select().from(apiKeys);
    expect(JSON.stringify(rows)).not.toContain(token.slice(0, 12));
  });

  it('a flood of random tokens does not flush a known key from the cache', async () => {
    const { token } = await createApiKey(handle.db, { name: 'busy lms', scopes: ['events'] });
    clearApiKeyCache();
    expect((await checkApiKey(call(token), 'events')).ok).toBe(true);
    for (let i = 0; i < 10_200; i += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, j) => checkApiKey(call(`oewh_random_${i + j}`), 'events')));
    }
    const sizes = apiKeyCacheSizes();
    expect(sizes.unknown).toBeLessThanOrEqual(10_000);
    expect(sizes.unknown).toBeGreaterThan(9_000); // the oldest went, not all
    expect(apiKeyCached(token)).toBe(true);
  }, 60_000);
});
