// POST /api/v1/import/openedx-webhooks on PGlite: the plugin's real dumpdata shape (all 24 of its filter names),
// dry run, the rows created with their types and flags, a second import creating nothing, one transaction,
// the sentences for bad files and unknown events, and 401/403.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { FILTERS } from '../../lib/catalog';
import type { DbHandle } from '../../lib/db';
import { webfilters, webhooks } from '../../lib/db/schema';
import { webfiltersFor, webhooksFor } from '../../lib/dispatch/targets';
import { listWebfilters } from '../../lib/manage/webfilters';
import { listWebhooks } from '../../lib/manage/webhooks';
import { adminApi, call, requestTo } from '../helpers/api';
import { POST as importRoute } from '../../app/api/v1/import/openedx-webhooks/route';

type Row = { model: string; pk: number; fields: Record<string, unknown> };
export const FIXTURE: Row[] = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/openedx-webhooks-dumpdata.json'), 'utf8'));
const BASE = 'http://localhost/api/v1/import/openedx-webhooks';
const ENROLLED = 'org.openedx.learning.course.enrollment.created.v1';
const LOGIN = 'org.openedx.learning.student.login.requested.v1';
const F1 = FILTERS.filter((f) => f.inPlugin && f.pluginEvent !== f.name);

let handle: DbHandle;
let token: string;
const req = requestTo(BASE, () => token);
const post = (body: unknown, query = '', t?: string | null) => call(importRoute(req('POST', query, body, t), undefined as never));
const counts = async () => ({ webhooks: (await handle.db.select().from(webhooks)).length, webfilters: (await handle.db.select().from(webfilters)).length });
const clear = async () => {
  await handle.db.delete(webhooks).where(sql`true`);
  await handle.db.delete(webfilters).where(sql`true`);
};
type Item = { model: string; pk: number; result: string; message: string; id?: string; mapped_to?: string };
const byPk = (items: Item[], model: string, pk: number) => items.find((i) => i.model === `openedx_webhooks.${model}` && i.pk === pk)!;

beforeAll(async () => {
  ({ handle, token } = await adminApi());
});
afterAll(() => handle.close());

describe('the fixture', () => {
  it('is shaped like the plugin dumpdata and names all 24 of its filters', () => {
    const filters = FIXTURE.filter((r) => r.model === 'openedx_webhooks.webfilter');
    expect(new Set(filters.map((r) => r.fields.event))).toEqual(new Set(FILTERS.filter((f) => f.inPlugin).map((f) => f.pluginEvent)));
    expect(F1).toHaveLength(10);
    for (const r of filters) {
      expect(Object.keys(r.fields).sort()).toEqual(
        ['created', 'modified', 'description', 'event', 'webhook_url', 'enabled', 'disable_filtering', 'disable_halt', 'halt_on_4xx', 'redirect_on_4xx', 'halt_on_5xx', 'redirect_on_5xx', 'halt_on_request_exception', 'redirect_on_request_exception', 'use_www_form_encoding'].sort(),
      );
    }
    for (const r of FIXTURE.filter((x) => x.model === 'openedx_webhooks.webhook')) {
      expect(Object.keys(r.fields).sort()).toEqual(['created', 'enabled', 'event', 'modified', 'use_www_form_encoding', 'webhook_url']);
    }
  });
});

describe('POST /api/v1/import/openedx-webhooks', () => {
  // Anonymous callers (no key, no session) are refused by the built server in tests/security/access.test.ts.
  it('refuses an unknown key (401) or a key without the admin scope (403), changing nothing', async () => {
    const unknown = await post(FIXTURE, '', 'oewh_unknown_unknown_unknown');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('The API key is unknown or has been revoked.');
    const { token: events } = await createApiKey(handle.db, { name: 'events', scopes: ['events', 'filters'] });
    const wrong = await post(FIXTURE, '', events);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toContain('"admin" scope');
    expect(await counts()).toEqual({ webhooks: 0, webfilters: 0 });
  });

  it('previews with ?dry_run=1: the same answer as an import, without ids, and nothing stored', async () => {
    const res = await post(FIXTURE, '?dry_run=1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dry_run: true, created: 29, skipped: 1, ignored: 0 });
    expect(res.body.items).toHaveLength(30);
    expect(res.body.message).toBe('Would create 5 webhooks and 24 webfilters; skipped 1 (1 duplicate). Nothing was changed (dry run).');
    expect(res.body.items.filter((i: { id?: string }) => i.id)).toEqual([]);
    expect(byPk(res.body.items, 'webhook', 1).message).toMatch(/^Will be created as a webhook for/);
    expect(await counts()).toEqual({ webhooks: 0, webfilters: 0 });
  });

  it('creates exactly the expected rows, with their types and flags, in pk order', async () => {
    const res = await post(FIXTURE);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dry_run: false, created: 29, skipped: 1, ignored: 0 });
    expect(res.body.message).toBe('Created 5 webhooks and 24 webfilters; skipped 1 (1 duplicate).');
    const items = res.body.items as Item[];
    expect(items.map((i) => `${i.model.split('.')[1]}#${i.pk}`)).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((pk) => `webhook#${pk}`),
      ...Array.from({ length: 24 }, (_, i) => `webfilter#${i + 1}`),
    ]);

    // Webhooks: the signal name becomes the event type; the in-file copy of #1 is a duplicate.
    const hooks = await listWebhooks(handle);
    expect(hooks.map((h) => [h.description, h.eventType, h.url, h.enabled, h.useWwwFormEncoding])).toEqual([
      ['openedx-webhooks webhook #1', ENROLLED, 'https://crm.example.com/openedx/enrollments', true, false],
      ['openedx-webhooks webhook #2', 'org.openedx.learning.student.registration.completed.v1', 'https://crm.example.com/openedx/registrations', true, true],
      ['openedx-webhooks webhook #3', 'org.openedx.learning.course.persistent_grade_summary.changed.v1', 'https://lrs.example.com/grades', false, false],
      ['openedx-webhooks webhook #5', 'org.openedx.learning.course.passing.status.updated.v1', 'http://reports.example.com/hooks/passing', true, false],
      ['openedx-webhooks webhook #6', 'org.openedx.content_authoring.xblock.published.v1', 'https://cms-sync.example.com/xblock', true, true],
    ]);
    expect(new Set(hooks.map((h) => h.secret)).size).toBe(5);
    for (const h of hooks) expect(h.secret).toMatch(/^whsec_/);
    expect(byPk(items, 'webhook', 4)).toMatchObject({ result: 'duplicate', message: 'Already here: same type, URL and settings as row #1 of this file.' });
    expect(byPk(items, 'webhook', 1).id).toBe(hooks[0]!.id);
    expect((await webhooksFor(handle, ENROLLED)).map((w) => w.id)).toEqual([hooks[0]!.id]);

    // Webfilters: one per plugin filter, under its filter type; each flag carried over.
    const filters = await listWebfilters(handle);
    expect(filters).toHaveLength(24);
    const rows = FIXTURE.filter((r) => r.model === 'openedx_webhooks.webfilter');
    for (const r of rows) {
      const item = byPk(items, 'webfilter', r.pk);
      const def = FILTERS.find((f) => f.pluginEvent === r.fields.event)!;
      const row = filters.find((f) => f.id === item.id)!;
      expect(item.result, String(r.fields.event)).toBe('created');
      expect(row.filterType).toBe(def.filterType);
      expect(item.mapped_to).toBe(def.filterType);
      expect(row.url).toBe(r.fields.webhook_url);
      expect(row.position).toBe(0);
      expect(row.description).toBe(r.fields.description || `openedx-webhooks webfilter #${r.pk}`);
      expect(row.disableFiltering).toBe(r.fields.disable_filtering);
      expect(row.disableHalting).toBe(r.fields.disable_halt);
      expect(row.useWwwFormEncoding).toBe(r.fields.use_www_form_encoding);
      // The 10 the plugin stored under a name its handlers never looked up: said; enabled carries over as it was.
      const neverFired = F1.includes(def);
      expect(item.message.includes('The original plugin never fired this webfilter'), def.name).toBe(neverFired);
      expect(row.enabled).toBe(r.fields.enabled);
    }
    const get = (name: string) => filters.find((f) => f.id === byPk(items, 'webfilter', rows.find((r) => r.fields.event === name)!.pk).id)!;
    expect(get('StudentLoginRequested')).toMatchObject({ filterType: LOGIN, haltOn4xx: true, redirectOn4xx: 'https://lms.example.com/suspended', haltOnRequestException: true, haltOn5xx: false });
    expect(get('StudentRegistrationRequested')).toMatchObject({ disableHalting: true, useWwwFormEncoding: true, enabled: true });
    expect(get('CourseEnrollmentStarted')).toMatchObject({ haltOn5xx: true, redirectOn5xx: 'https://lms.example.com/enroll-later' });
    expect(get('CertificateRenderStarted')).toMatchObject({ disableFiltering: true, description: 'openedx-webhooks webfilter #7' });
    expect(get('DashboardRenderStarted')).toMatchObject({ enabled: false });
    // F1, and a filter that can halt: the halt flag stays.
    expect(get('StudentSettingsRenderStarted')).toMatchObject({ filterType: 'org.openedx.learning.student.settings.render.started.v1', haltOn4xx: true, enabled: true });
    // F1, and a filter with no exception: the halt and redirect it could never use are left out, and said so.
    expect(get('IdvPageUrlRequested')).toMatchObject({ haltOn4xx: false, redirectOn4xx: '', enabled: true });
    const idv = byPk(items, 'webfilter', rows.find((r) => r.fields.event === 'IdvPageUrlRequested')!.pk);
    expect(idv.message).toContain('Left out halt_on_4xx, redirect_on_4xx: IDVPageURLRequested has no exception, so it cannot halt.');
    expect((await webfiltersFor(handle, LOGIN)).map((w) => w.id)).toEqual([get('StudentLoginRequested').id]);
  });

  it('a second import creates nothing: every row is a duplicate of what the first created', async () => {
    const before = await counts();
    const first = new Map((await listWebhooks(handle)).map((w) => [w.description, w.id]));
    const res = await post(FIXTURE);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 0, skipped: 30 });
    expect(res.body.items.every((i: { result: string }) => i.result === 'duplicate')).toBe(true);
    expect(byPk(res.body.items, 'webhook', 1).id).toBe(first.get('openedx-webhooks webhook #1'));
    expect(byPk(res.body.items, 'webhook', 1).message).toBe('Already here: same type, URL and settings as the existing webhook "openedx-webhooks webhook #1".');
    expect(await counts()).toEqual(before);
    // Changing a setting here makes the plugin's row new again; the description and enabled do not.
    await handle.db.update(webhooks).set({ description: 'renamed', enabled: false }).where(sql`${webhooks.description} = 'openedx-webhooks webhook #2'`);
    await handle.db.update(webhooks).set({ useWwwFormEncoding: true }).where(sql`${webhooks.description} = 'openedx-webhooks webhook #1'`);
    const again = await post(FIXTURE);
    expect(again.body).toMatchObject({ created: 1, skipped: 29 });
    expect(byPk(again.body.items, 'webhook', 1).result).toBe('created');
    expect(byPk(again.body.items, 'webhook', 2).result).toBe('duplicate');
  });

  it('puts imported webfilters after the existing ones of their filter, in pk order', async () => {
    await clear();
    const login = (pk: number, url: string) => ({ model: 'openedx_webhooks.webfilter', pk, fields: { event: 'StudentLoginRequested', webhook_url: url } });
    await post([login(1, 'https://a.example.com/')]);
    const res = await post([login(9, 'https://c.example.com/'), login(3, 'https://b.example.com/')]);
    expect(res.body.created).toBe(2);
    const order = (await listWebfilters(handle)).map((f) => [f.url, f.position]);
    expect(order).toEqual([['https://a.example.com/', 0], ['https://b.example.com/', 1], ['https://c.example.com/', 2]]);
  });

  it('names the unknown event or filter and the closest known ones, and still imports the rest', async () => {
    await clear();
    const res = await post([
      { model: 'openedx_webhooks.webhook', pk: 1, fields: { event: 'COURSE_ENROLMENT_CREATED', webhook_url: 'https://x.example.com/a', enabled: true, use_www_form_encoding: false } },
      { model: 'openedx_webhooks.webhook', pk: 2, fields: { event: 'COURSE_ENROLLMENT_CREATED', webhook_url: 'https://x.example.com/b', enabled: true, use_www_form_encoding: false } },
      { model: 'openedx_webhooks.webfilter', pk: 1, fields: { event: 'StudentLogoutRequested', webhook_url: 'https://x.example.com/c' } },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, skipped: 2 });
    expect(res.body.message).toBe('Created 1 webhook and 0 webfilters; skipped 2 (2 unknown events).');
    const hook = byPk(res.body.items, 'webhook', 1);
    expect(hook.result).toBe('unknown_event');
    expect(hook.message).toMatch(/^Unknown event "COURSE_ENROLMENT_CREATED": no Open edX signal has that name\. Closest known: COURSE_ENROLLMENT_CREATED, /);
    const filter = byPk(res.body.items, 'webfilter', 1);
    expect(filter.result).toBe('unknown_event');
    expect(filter.message).toMatch(/^Unknown filter "StudentLogoutRequested": no Open edX filter has that name\. Closest known: StudentLoginRequested/);
    expect(await counts()).toEqual({ webhooks: 1, webfilters: 0 });
  });

  it('marks rows the service cannot accept as invalid, with the plugin field named', async () => {
    await clear();
    const hook = (pk: number, fields: Record<string, unknown>) => ({ model: 'openedx_webhooks.webhook', pk, fields: { event: 'COURSE_ENROLLMENT_CREATED', webhook_url: 'https://x.example.com/', ...fields } });
    const res = await post([
      hook(1, { webhook_url: 'ftp://files.example.com/drop' }),
      hook(2, { enabled: 'yes' }),
      hook(3, { webhook_url: undefined }),
      { model: 'openedx_webhooks.webfilter', pk: 4, fields: { event: 'StudentLoginRequested', webhook_url: 'https://x.example.com/', halt_on_4xx: true, redirect_on_4xx: 'mailto:a@b.c' } },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { result: string; message: string }) => [i.result, i.message])).toEqual([
      ['invalid', 'webhook_url: Enter a full http:// or https:// URL, like https://example.com/hook.'],
      ['invalid', 'Field "enabled" must be true or false.'],
      ['invalid', 'Field "webhook_url" is missing.'],
      ['invalid', 'redirect_on_4xx: Enter an http:// or https:// URL or a path like /dashboard, or leave it empty.'],
    ]);
    expect(await counts()).toEqual({ webhooks: 0, webfilters: 0 });
  });

  it('answers a clear sentence for a file that is not a dumpdata list, too large, or without plugin rows; stores nothing', async () => {
    await clear();
    const cases: [unknown, number, RegExp][] = [
      ['{"model": ', 400, /^The request body is not valid JSON/],
      [{ model: 'openedx_webhooks.webhook', pk: 1, fields: {} }, 400, /^This is not a Django dumpdata file: expected a JSON list of rows like .*manage\.py lms dumpdata openedx_webhooks/],
      [[FIXTURE[0], 'oops'], 400, /^Row 2 of the list is not a dumpdata row: each row needs "model", "pk" and a "fields" object/],
      [[], 422, /^The file holds no openedx_webhooks rows \(the list is empty\): export them with \.\/manage\.py lms dumpdata openedx_webhooks/],
      [[{ model: 'auth.user', pk: 1, fields: { username: 'x' } }], 422, /^The file holds no openedx_webhooks rows \(it holds 1 row of other models\)/],
      [[{ model: 'x.y', pk: 1, fields: { pad: 'a'.repeat(1_100_000) } }], 413, /^The request body is larger than the 1048576-byte limit \(MAX_BODY_BYTES\)\.$/],
    ];
    for (const [body, status, sentence] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(status);
      expect(res.body.error).toMatch(sentence);
      expect(res.body.error.split(/\.\s/).length, res.body.error).toBeLessThanOrEqual(2);
    }
    const query = await post(FIXTURE, '?dry_run=maybe');
    expect(query.status).toBe(400);
    expect(query.body.error).toBe('dry_run must be 1 (preview, change nothing) or 0, not "maybe".');
    expect(await counts()).toEqual({ webhooks: 0, webfilters: 0 });
  });

  it('ignores rows of other models and says how many', async () => {
    await clear();
    const res = await post([{ model: 'auth.user', pk: 3, fields: { username: 'staff', password: 'pbkdf2_sha256$...' } }, FIXTURE[0], { model: 'sites.site', pk: 1, fields: {} }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, skipped: 0, ignored: 2 });
    expect(res.body.items).toHaveLength(1);
    expect(res.body.message).toBe('Created 1 webhook and 0 webfilters; ignored 2 rows of other models.');
  });

  it('is one transaction: a failure on the last row leaves nothing imported', async () => {
    await clear();
    // A real database error on one webfilter, after the webhooks were inserted in the same transaction.
    await handle.db.execute(sql.raw(`
      create function refuse_boom() returns trigger language plpgsql as $$
      begin if new.url like '%boom%' then raise exception 'refused by the test trigger'; end if; return new; end $$`));
    await handle.db.execute(sql.raw('create trigger refuse_boom before insert on webfilters for each row execute function refuse_boom()'));
    try {
      const body = [...FIXTURE, { model: 'openedx_webhooks.webfilter', pk: 99, fields: { event: 'StudentLoginRequested', webhook_url: 'https://boom.example.com/' } }];
      const res = await post(body);
      expect(res.status).toBe(500);
      expect(await counts()).toEqual({ webhooks: 0, webfilters: 0 });
    } finally {
      await handle.db.execute(sql.raw('drop trigger refuse_boom on webfilters'));
      await handle.db.execute(sql.raw('drop function refuse_boom()'));
    }
    expect((await post(FIXTURE)).body.created).toBe(29);
  });
});
