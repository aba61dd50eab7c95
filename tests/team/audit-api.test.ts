// The audit log through the management API (SPEC §10): each kind of change leaves exactly one entry with the
// right before/after, actor and address; no entry holds a secret; GET /api/v1/audit filters and pages; the
// last owner stays; an expired key answers 401 saying so. Route handlers in-process on a real PGlite.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../lib/auth/api-keys';
import { createFirstAdmin } from '../../lib/auth/users';
import type { DbHandle } from '../../lib/db';
import type { AuditItem } from '../../lib/audit/list';
import { purgeAudit } from '../../lib/audit/retention';
import { adminApi, call, ctx } from '../helpers/api';
import { seedDeliveries } from '../deliveries/seed';
import { GET as listHooks, POST as createHook } from '../../app/api/v1/webhooks/route';
import { DELETE as deleteHook, PATCH as patchHook } from '../../app/api/v1/webhooks/[id]/route';
import { POST as rotate } from '../../app/api/v1/webhooks/[id]/rotate-secret/route';
import { POST as createFilter } from '../../app/api/v1/webfilters/route';
import { DELETE as deleteFilter, PATCH as patchFilter } from '../../app/api/v1/webfilters/[id]/route';
import { POST as retry } from '../../app/api/v1/deliveries/[id]/retry/route';
import { POST as runImport } from '../../app/api/v1/import/openedx-webhooks/route';
import { GET as listUsers, POST as createUser } from '../../app/api/v1/users/route';
import { DELETE as deleteUser, PATCH as patchUser } from '../../app/api/v1/users/[id]/route';
import { POST as invite } from '../../app/api/v1/invitations/route';
import { GET as audit } from '../../app/api/v1/audit/route';

const ENROLLED = 'org.openedx.learning.course.enrollment.created.v1';
const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';
const ADDRESS = '198.51.100.7';
const PASSWORD = 'a long enough password 42';

let handle: DbHandle;
let token: string;
let keyId: string;
/** Every secret the test has seen: none may appear in the log. */
const secrets: string[] = [];

function request(method: string, path: string, body?: unknown, key: string | null = token) {
  return new Request(`http://localhost${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': ADDRESS,
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
const none = undefined as never;

async function entries(query = ''): Promise<AuditItem[]> {
  const res = await call(audit(request('GET', `/api/v1/audit${query}`), none));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

/** Runs a change and returns the one entry it left (failing when it left none or several). */
async function onlyEntry(change: () => Promise<unknown>): Promise<AuditItem> {
  const before = (await entries('?limit=1'))[0]?.id ?? '0';
  await change();
  const after = (await entries('?limit=200')).filter((e) => Number(e.id) > Number(before));
  expect(after.map((e) => e.action)).toHaveLength(1);
  const entry = after[0]!;
  expect(entry.actor).toEqual({ type: 'api_key', id: keyId, label: 'admin' });
  expect(entry.ip).toBe(ADDRESS);
  expect(Object.keys(entry).sort()).toEqual(['action', 'actor', 'at', 'changes', 'id', 'ip', 'target_id', 'target_type']);
  return entry;
}

beforeAll(async () => {
  ({ handle, token } = await adminApi());
  const [k] = await handle.rows<{ id: string }>(sql`select id from api_keys`);
  keyId = k!.id;
  secrets.push(token);
});
afterAll(() => handle.close());

describe('each change through the API leaves exactly one entry', () => {
  let hookId = '';
  let filterId = '';

  it('webhooks: created, updated (only the changed fields), secret rotated (masked), deleted', async () => {
    let secret = '';
    const created = await onlyEntry(async () => {
      const res = await call(createHook(request('POST', '/api/v1/webhooks', { event_type: ENROLLED, url: 'https://example.com/a', description: 'first' }), none));
      expect(res.status).toBe(201);
      hookId = res.body.id;
      secret = res.body.secret;
    });
    secrets.push(secret);
    expect(created).toMatchObject({ action: 'webhook.created', target_type: 'webhook', target_id: hookId });
    expect(created.changes).toEqual({
      description: { before: null, after: 'first' },
      event_type: { before: null, after: ENROLLED },
      url: { before: null, after: 'https://example.com/a' },
      enabled: { before: null, after: true },
      use_www_form_encoding: { before: null, after: false },
      // SPEC §9 fields at their defaults; header values would show as "••••", never in clear.
      headers: { before: null, after: {} },
      conditions: { before: null, after: [] },
      exclude_fields: { before: null, after: [] },
      rate_limit_per_second: { before: null, after: null },
      transformation: { before: null, after: null },
      personal_data: { before: null, after: 'send' },
      disabled_reason: { before: null, after: null },
    });

    const updated = await onlyEntry(async () => {
      const res = await call(patchHook(request('PATCH', `/api/v1/webhooks/${hookId}`, { url: 'https://example.com/b', enabled: false, description: 'first' }), ctx(hookId)));
      expect(res.status).toBe(200);
    });
    expect(updated).toMatchObject({ action: 'webhook.updated', target_id: hookId });
    expect(updated.changes).toEqual({ url: { before: 'https://example.com/a', after: 'https://example.com/b' }, enabled: { before: true, after: false } });

    const rotated = await onlyEntry(async () => {
      const res = await call(rotate(request('POST', `/api/v1/webhooks/${hookId}/rotate-secret`), ctx(hookId)));
      expect(res.status).toBe(200);
      secrets.push(res.body.secret);
    });
    expect(rotated).toMatchObject({ action: 'webhook.secret_rotated', changes: { secret: { before: '••••', after: '••••' } } });

    const deleted = await onlyEntry(async () => {
      expect((await deleteHook(request('DELETE', `/api/v1/webhooks/${hookId}`), ctx(hookId))).status).toBe(204);
    });
    expect(deleted).toMatchObject({ action: 'webhook.deleted', target_id: hookId });
    expect(deleted.changes.url).toEqual({ before: 'https://example.com/b', after: null });
  });

  it('a save that changes nothing, a refused change and a read leave no entry', async () => {
    const res = await call(createHook(request('POST', '/api/v1/webhooks', { event_type: ENROLLED, url: 'https://example.com/c' }), none));
    const id = res.body.id;
    secrets.push(res.body.secret);
    const count = (await entries('?limit=200')).length;
    await patchHook(request('PATCH', `/api/v1/webhooks/${id}`, { url: 'https://example.com/c' }), ctx(id));
    await patchHook(request('PATCH', `/api/v1/webhooks/${id}`, { url: 'not a url' }), ctx(id));
    await listHooks(request('GET', '/api/v1/webhooks'), none);
    expect((await entries('?limit=200')).length).toBe(count);
  });

  it('webfilters: created, updated, reordered (position), deleted', async () => {
    const created = await onlyEntry(async () => {
      const res = await call(createFilter(request('POST', '/api/v1/webfilters', { filter_type: REGISTRATION, url: 'https://example.com/f' }), none));
      expect(res.status).toBe(201);
      filterId = res.body.id;
    });
    expect(created).toMatchObject({ action: 'webfilter.created', target_type: 'webfilter', target_id: filterId });
    expect(created.changes.position).toEqual({ before: null, after: 0 });
    const updated = await onlyEntry(async () => {
      expect((await patchFilter(request('PATCH', `/api/v1/webfilters/${filterId}`, { halt_on_4xx: true, position: 3 }), ctx(filterId))).status).toBe(200);
    });
    expect(updated.changes).toEqual({ halt_on_4xx: { before: false, after: true }, position: { before: 0, after: 3 } });
    const deleted = await onlyEntry(async () => {
      expect((await deleteFilter(request('DELETE', `/api/v1/webfilters/${filterId}`), ctx(filterId))).status).toBe(204);
    });
    expect(deleted).toMatchObject({ action: 'webfilter.deleted', changes: { url: { before: 'https://example.com/f', after: null } } });
  });

  it('a retry names the delivery', async () => {
    const [d] = await seedDeliveries(handle.db, [{ status: 'failed' }]);
    const entry = await onlyEntry(async () => {
      expect((await retry(request('POST', `/api/v1/deliveries/${d!.id}/retry`), ctx(String(d!.id)))).status).toBe(202);
    });
    expect(entry).toMatchObject({ action: 'delivery.retried', target_type: 'delivery', target_id: String(d!.id) });
  });

  it('an import lists what it created; a dry run leaves nothing', async () => {
    const dump = [{ model: 'openedx_webhooks.webhook', pk: 1, fields: { event: 'COURSE_ENROLLMENT_CREATED', webhook_url: 'https://example.com/imported', enabled: true, use_www_form_encoding: false } }];
    const count = (await entries('?limit=200')).length;
    expect((await runImport(request('POST', '/api/v1/import/openedx-webhooks?dry_run=1', dump), none)).status).toBe(200);
    expect((await entries('?limit=200')).length).toBe(count);
    const entry = await onlyEntry(async () => {
      const res = await call(runImport(request('POST', '/api/v1/import/openedx-webhooks', dump), none));
      expect(res.body.created).toBe(1);
    });
    expect(entry).toMatchObject({ action: 'import.ran', target_type: 'import' });
    expect(entry.changes.webhooks!.after).toHaveLength(1);
  });

  it('users: created (never the password), role changed, removed; invitations: created (never the token)', async () => {
    let userId = '';
    const created = await onlyEntry(async () => {
      const res = await call(createUser(request('POST', '/api/v1/users', { email: 'ed@example.org', name: 'Ed', role: 'editor', password: PASSWORD }), none));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ email: 'ed@example.org', role: 'editor', sign_in: ['password'], last_sign_in_at: null });
      userId = res.body.id;
    });
    secrets.push(PASSWORD);
    expect(created).toMatchObject({ action: 'user.created', target_id: userId });
    expect(created.changes).toEqual({ email: { before: null, after: 'ed@example.org' }, name: { before: null, after: 'Ed' }, role: { before: null, after: 'editor' } });
    const changed = await onlyEntry(async () => {
      const res = await call(patchUser(request('PATCH', `/api/v1/users/${userId}`, { role: 'viewer' }), ctx(userId)));
      expect(res.body.role).toBe('viewer');
    });
    expect(changed).toMatchObject({ action: 'user.role_changed', changes: { role: { before: 'editor', after: 'viewer' } } });
    const removed = await onlyEntry(async () => {
      expect((await deleteUser(request('DELETE', `/api/v1/users/${userId}`), ctx(userId))).status).toBe(204);
    });
    expect(removed).toMatchObject({ action: 'user.removed', changes: { email: { before: 'ed@example.org', after: null } } });

    const invited = await onlyEntry(async () => {
      const res = await call(invite(request('POST', '/api/v1/invitations', { email: 'new@example.org', role: 'editor' }), none));
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['expires_at', 'url']);
      expect(res.body.url).toMatch(/^http:\/\/localhost\/invite\/oewi_[A-Za-z0-9_-]+$/);
      const days = (Date.parse(res.body.expires_at) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.99);
      expect(days).toBeLessThanOrEqual(7);
      secrets.push(res.body.url.split('/').at(-1));
    });
    expect(invited).toMatchObject({ action: 'invitation.created', target_type: 'invitation', changes: { email: { before: null, after: 'new@example.org' }, role: { before: null, after: 'editor' } } });
  });

  it('API keys: created (never the token), revoked', async () => {
    const ctxOf = { actor: { type: 'api_key' as const, id: keyId, label: 'admin', role: 'owner' as const }, ip: ADDRESS };
    let made = { key: { id: '' }, token: '' };
    const created = await onlyEntry(async () => {
      made = await createApiKey(handle.db, { name: 'relay', scopes: ['events'] }, ctxOf);
    });
    secrets.push(made.token);
    expect(created).toMatchObject({ action: 'api_key.created', target_id: made.key.id, changes: { name: { before: null, after: 'relay' }, scopes: { before: null, after: ['events'] } } });
    const revoked = await onlyEntry(() => revokeApiKey(handle.db, made.key.id, ctxOf));
    expect(revoked).toMatchObject({ action: 'api_key.revoked', target_id: made.key.id });
  });

  it('no entry holds a secret, a token, a password or its hash', async () => {
    const rows = await handle.rows<{ t: string }>(sql`select a::text as t from audit_log a`);
    const all = rows.map((r) => r.t).join('\n');
    expect(rows.length).toBeGreaterThan(10);
    const hashes = await handle.rows<{ h: string }>(sql`select password_hash as h from users where password_hash is not null union all select token_hash from api_keys union all select token_hash from invitations`);
    for (const s of [...secrets, ...hashes.map((h) => h.h)]) expect(all.includes(s), `the log holds ${s.slice(0, 12)}…`).toBe(false);
    expect(all).not.toMatch(/whsec_|oewh_|oewi_|scrypt\$/);
  });
});

describe('GET /api/v1/audit', () => {
  it('filters by action, target, actor and time, newest first, in keyset pages', async () => {
    const all = await entries('?limit=200');
    expect(all.map((e) => Number(e.id))).toEqual([...all.map((e) => Number(e.id))].sort((a, b) => b - a));
    const hooks = await entries('?target_type=webhook&action=webhook.updated');
    expect(hooks.length).toBe(1);
    expect(await entries(`?actor=${keyId}&limit=200`)).toHaveLength(all.length);
    expect(await entries('?actor=admin&limit=200')).toHaveLength(all.length);
    expect(await entries('?actor=someone-else')).toHaveLength(0);
    expect(await entries(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toHaveLength(0);
    expect(await entries(`?to=${encodeURIComponent(new Date().toISOString())}&limit=200`)).toHaveLength(all.length);
    // Pages of 3 walk the whole log once.
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 100; i++) {
      const res = await call(audit(request('GET', `/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`), none));
      seen.push(...res.body.items.map((e: AuditItem) => e.id));
      if (!res.body.next_cursor) break;
      cursor = res.body.next_cursor;
    }
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('refuses bad filters with 400 and one sentence', async () => {
    for (const q of ['?limit=0', '?limit=abc', '?from=yesterday', '?cursor=x', '?colour=red']) {
      const res = await call(audit(request('GET', `/api/v1/audit${q}`), none));
      expect(res.status, q).toBe(400);
      expect(res.body.error, q).toMatch(/\.$/);
    }
  });

  it('no route changes or deletes an entry: the audit route has GET only', async () => {
    const mod = await import('../../app/api/v1/audit/route');
    expect(Object.keys(mod).filter((k) => /^(POST|PUT|PATCH|DELETE)$/.test(k))).toEqual([]);
  });
});

describe('the last owner', () => {
  it('cannot be demoted nor removed; once another owner exists, can', async () => {
    const owner = (await createFirstAdmin(handle.db, { email: 'owner@example.org', password: PASSWORD }))!;
    expect(owner.role).toBe('owner');
    const count = (await entries('?limit=200')).length;
    const demote = await call(patchUser(request('PATCH', `/api/v1/users/${owner.id}`, { role: 'editor' }), ctx(owner.id)));
    expect(demote.status).toBe(409);
    expect(demote.body.error).toBe('This is the last owner: make someone else an owner first.');
    expect((await call(deleteUser(request('DELETE', `/api/v1/users/${owner.id}`), ctx(owner.id)))).status).toBe(409);
    expect((await entries('?limit=200')).length, 'a refusal leaves no entry').toBe(count);
    // Two demotions at once of the only two owners: one wins, one is refused.
    const second = await call(createUser(request('POST', '/api/v1/users', { email: 'o2@example.org', role: 'owner', password: PASSWORD }), none));
    const both = await Promise.all(
      [owner.id, second.body.id].map((id) => call(patchUser(request('PATCH', `/api/v1/users/${id}`, { role: 'viewer' }), ctx(id)))),
    );
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const users = await call(listUsers(request('GET', '/api/v1/users'), none));
    expect(users.body.filter((u: { role: string }) => u.role === 'owner')).toHaveLength(1);
  });

  it('a bad role or an unknown user is refused', async () => {
    const [u] = (await call(listUsers(request('GET', '/api/v1/users'), none))).body;
    expect((await call(patchUser(request('PATCH', `/api/v1/users/${u.id}`, { role: 'admin' }), ctx(u.id)))).status).toBe(422);
    expect((await call(patchUser(request('PATCH', `/api/v1/users/${u.id}`, { role: 'viewer', email: 'x@y.z' }), ctx(u.id)))).status).toBe(400);
    expect((await call(deleteUser(request('DELETE', '/api/v1/users/6f1c2b1e-9c1d-4a55-8c1b-2f0e5d7a9b11'), ctx('6f1c2b1e-9c1d-4a55-8c1b-2f0e5d7a9b11')))).status).toBe(404);
  });
});

describe('API keys expire', () => {
  it('an expired key answers 401 with a sentence saying it expired; a live one works', async () => {
    const past = await createApiKey(handle.db, { name: 'old', scopes: ['admin'], expiresAt: new Date(Date.now() - 1000) });
    const res = await call(listHooks(request('GET', '/api/v1/webhooks', undefined, past.token), none));
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/^This API key expired on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const future = await createApiKey(handle.db, { name: 'new', scopes: ['admin'], expiresAt: new Date(Date.now() + 3600_000) });
    expect((await listHooks(request('GET', '/api/v1/webhooks', undefined, future.token), none)).status).toBe(200);
  });
});

describe('retention', () => {
  it('AUDIT_RETENTION_DAYS: entries older than that are deleted, in batches; newer ones stay', async () => {
    const kept = (await entries('?limit=200')).length;
    await handle.rows(sql`insert into audit_log (at, actor_type, actor_id, actor_label, action, target_type, target_id, changes)
      select now() - interval '400 days', 'user', 'x', 'x', 'old.entry', 'test', g::text, '{}'::jsonb from generate_series(1, 7) g`);
    await handle.rows(sql`insert into audit_log (at, actor_type, actor_id, actor_label, action, target_type, target_id, changes)
      values (now() - interval '364 days', 'user', 'x', 'x', 'recent.entry', 'test', 'r', '{}'::jsonb)`);
    expect(await purgeAudit(handle, 365, 3)).toBe(7);
    const left = await entries('?limit=200');
    expect(left.filter((e) => e.action === 'old.entry')).toHaveLength(0);
    expect(left.filter((e) => e.action === 'recent.entry')).toHaveLength(1);
    expect(left.length).toBe(kept + 1);
  });
});
