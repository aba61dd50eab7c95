// Personal data per webhook (SPEC §13): omit and pseudonymize checked field by field on the catalog's sample of every
// event that carries personal data; through ingest, pseudonyms stable across deliveries and different between two
// webhooks; a webfilter that omits personal data is called without it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, sampleEventData } from '../../lib/catalog';
import type { DbHandle } from '../../lib/db';
import { webhooks } from '../../lib/db/schema';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { applyPersonalData, pseudonymKey } from '../../lib/personal/personal-data';
import { generateSecret } from '../../lib/dispatch/sign';
import { pgliteDb } from '../helpers/db';
import { ENROLLMENT, enrollmentData, eventEnv, eventsToken, post } from '../dispatch/harness';
import { filterEnv, harness } from '../filters/harness';
import { startReceiver, type Receiver } from '../helpers/receiver';

/** Whether a leaf at this path is a learner's personal data (the rules SPEC §13 names, written out again here). */
function personalPath(path: string[]): boolean {
  const last = path.at(-1)!;
  const parent = path.at(-2);
  if (path[0] === 'event_metadata') return false;
  if (path.includes('pii')) return true;
  if (/email/i.test(last) || /^(username|full_name|first_name|last_name)$/.test(last) || /(^|_)ip(_address)?$/.test(last)) return true;
  return last === 'name' && !!parent && ['user', 'pii', 'form_data', 'profile'].includes(parent);
}

function leaves(v: unknown, path: string[] = []): [string[], unknown][] {
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  return [[path, v]];
}

const at = (v: unknown, path: string[]) => path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), v);

const withPersonal = EVENTS.filter((e) => leaves(sampleEventData(e)).some(([p, v]) => personalPath(p) && typeof v === 'string' && v !== ''));

describe('on the catalog sample of every event with personal data', () => {
  it('there are such events (the learner ones and more)', () => {
    expect(withPersonal.length).toBeGreaterThan(25);
    expect(withPersonal.map((e) => e.eventType)).toContain(ENROLLMENT);
  });

  it('omit removes every personal field and keeps every other field as it was', () => {
    for (const e of withPersonal) {
      const sample = sampleEventData(e);
      const out = applyPersonalData(sample, 'omit', null);
      for (const [path, value] of leaves(sample)) {
        if (personalPath(path)) expect(at(out, path), `${e.eventType} ${path.join('.')}`).toBeUndefined();
        else expect(at(out, path), `${e.eventType} ${path.join('.')}`).toEqual(value);
      }
      expect(JSON.stringify(out)).not.toMatch(/"pii"|@example/);
    }
  });

  it('pseudonymize replaces every personal value with anon_ + 20 base32 characters, stable per webhook', () => {
    const k1 = pseudonymKey('3f0c6f2e-00e9-11f0-9c1a-0242ac120001');
    const k2 = pseudonymKey('3f0c6f2e-00e9-11f0-9c1a-0242ac120002');
    for (const e of withPersonal) {
      const sample = sampleEventData(e);
      const a = applyPersonalData(sample, 'pseudonymize', k1);
      const again = applyPersonalData(structuredClone(sample), 'pseudonymize', k1);
      const b = applyPersonalData(sample, 'pseudonymize', k2);
      expect(again).toEqual(a);
      for (const [path, value] of leaves(sample)) {
        const got = at(a, path);
        if (personalPath(path) && typeof value === 'string' && value !== '') {
          expect(got, `${e.eventType} ${path.join('.')}`).toMatch(/^anon_[a-z2-7]{20}$/);
          expect(at(b, path)).not.toBe(got);
        } else expect(got, `${e.eventType} ${path.join('.')}`).toEqual(value);
      }
    }
  });
});

describe('through ingest and the filter engine', () => {
  let handle: DbHandle;
  let token: string;
  let rx: Receiver;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    eventEnv({ ALLOW_PRIVATE_TARGETS: '1' });
    handle = await pgliteDb();
    token = await eventsToken(handle);
    rx = await startReceiver(() => ({ status: 200, body: '{}' }));
    for (const [name, personalData] of [['send', 'send'], ['omit', 'omit'], ['p1', 'pseudonymize'], ['p2', 'pseudonymize']] as const) {
      const [w] = await handle.db.insert(webhooks).values({ eventType: ENROLLMENT, url: `${rx.url}/${name}`, secret: generateSecret(), personalData }).returning();
      ids[name] = w!.id;
    }
    await invalidateTargets(handle);
  });
  afterAll(async () => {
    await rx.close();
    await handle.close();
    eventEnv({ ALLOW_PRIVATE_TARGETS: '' });
  });

  it('each webhook gets what it chose; pseudonyms are stable across deliveries and differ between webhooks', async () => {
    for (let i = 0; i < 2; i++) expect((await post({ event_type: ENROLLMENT, data: enrollmentData() }, { token })).status).toBe(202);
    const rows = await handle.rows<{ target_id: string; request_body: string }>(sql`select target_id::text, request_body from deliveries order by id`);
    const bodies = (name: string) => rows.filter((r) => r.target_id === ids[name]).map((r) => JSON.parse(r.request_body));
    expect(bodies('send')[0].enrollment.user.pii).toEqual({ username: 'jdoe', email: 'jane.doe@example.com', name: 'Jane Doe' });
    expect(bodies('omit')[0].enrollment.user).toEqual({ id: 42, is_active: true });
    const [p1a, p1b] = bodies('p1').map((b) => b.enrollment.user.pii);
    const [p2a] = bodies('p2').map((b) => b.enrollment.user.pii);
    expect(p1a.username).toMatch(/^anon_[a-z2-7]{20}$/);
    expect(p1a).toEqual(p1b);
    expect(p2a.username).not.toBe(p1a.username);
    expect(bodies('p1')[0].enrollment.course.display_name).toBe('Demonstration Course');
  });

  it('a webfilter that omits personal data is called without it', async () => {
    filterEnv();
    const h = await harness(handle);
    const filterRx = await startReceiver(() => ({ status: 200, body: '{}' }));
    try {
      await h.addWebfilters([{ url: `${filterRx.url}/omit`, personalData: 'omit' }], 'org.openedx.learning.student.registration.requested.v1');
      const { status } = await h.call({ filter_type: 'StudentRegistrationRequested', data: { form_data: { username: 'ada', email: 'ada@example.org', name: 'Ada', country: 'ES' } } });
      expect(status).toBe(200);
      const sent = JSON.parse(filterRx.requests[0]!.body);
      expect(sent.form_data).toEqual({ country: 'ES' });
    } finally {
      await filterRx.close();
    }
  });
});
