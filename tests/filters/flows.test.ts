// Several webfilters at once: concurrency, merge order, first halt wins, the registration example end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteDb } from '../helpers/db';
import { startReceiver, type Receiver, type Responder } from '../helpers/receiver';
import { USER_AGENT } from '../../lib/version';
import { FORM_DATA, REGISTRATION, filterEnv, harness, type Harness } from './harness';

// examples/org.openedx.learning.student.registration.requested.v1.response.json of the shared catalog.
const EXAMPLE_ANSWER = { data: { form_data: { level_of_education: 'b', terms_of_service: 'true' } } };
const json = (body: unknown, delayMs = 0) => ({ status: 200, body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, delayMs });

let h: Harness;
let receiver: Receiver;
const replies = new Map<string, ReturnType<Responder>>();
const created: string[] = [];

async function webfilters(rows: Parameters<Harness['addWebfilters']>[0], filterType = REGISTRATION) {
  const ids = await h.addWebfilters(rows, filterType);
  created.push(...ids);
  return ids;
}

beforeAll(async () => {
  filterEnv();
  h = await harness(await pgliteDb());
  receiver = await startReceiver((req) => replies.get(req.url));
});
afterAll(async () => {
  await receiver.close();
  await h.handle.close();
});
const reset = async () => {
  await h.removeWebfilters(created.splice(0));
  receiver.requests.length = 0;
  replies.clear();
};

describe('registration example (StudentRegistrationRequested)', () => {
  it('one webfilter changes the form, another refuses with PreventRegistration', async () => {
    await reset();
    const refusal = { PreventRegistration: 'Registrations from this domain need an invitation.' };
    // The catalog's example answer, plus a changed name.
    const edit = { data: { form_data: { ...EXAMPLE_ANSWER.data.form_data, name: 'María G. García' } } };
    replies.set('/edit', json(edit));
    replies.set('/gate', json({ exception: refusal }));
    const ids = await webfilters([{ url: `${receiver.url}/edit` }, { url: `${receiver.url}/gate`, position: 1 }]);

    const { status, body } = await h.call({ filter_type: 'StudentRegistrationRequested', data: { form_data: FORM_DATA } });
    expect(status).toBe(200);
    expect(body).toEqual({
      filter_type: REGISTRATION,
      data: { form_data: { ...FORM_DATA, name: 'María G. García', level_of_education: 'b', terms_of_service: 'true' } },
      changes: { form_data: { name: 'María G. García', level_of_education: 'b', terms_of_service: 'true' } },
      exception: { name: 'PreventRegistration', message: refusal.PreventRegistration },
      // The call's id, which each webfilter got as event_metadata.id (the relay reports refused changes with it).
      call_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });

    // What each webfilter received: the data keys plus event_metadata, JSON, unsigned.
    expect(receiver.requests).toHaveLength(2);
    const sent = receiver.requests.map((r) => JSON.parse(r.body));
    expect(sent[0]).toEqual(sent[1]);
    expect(sent[0]).toEqual({
      form_data: FORM_DATA,
      event_metadata: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        event_type: REGISTRATION,
        filter: 'StudentRegistrationRequested',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
    });
    for (const r of receiver.requests) {
      expect(r.headers['user-agent']).toBe(USER_AGENT);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['webhook-signature']).toBeUndefined();
    }

    // Both calls logged under the one filter call id.
    const log = await h.logOf(ids);
    expect(log.map((l) => l.outcome?.result)).toEqual(['applied', 'halted']);
    expect(new Set(log.map((l) => l.eventId))).toEqual(new Set([sent[0].event_metadata.id]));
    expect(log[0]).toMatchObject({
      kind: 'webfilter', eventType: REGISTRATION, status: 'succeeded', attemptCount: 1, lastStatusCode: 200,
      lastError: null, nextAttemptAt: null, requestBody: receiver.requests[0]!.body,
      requestHeaders: expect.objectContaining({ 'content-type': 'application/json', 'user-agent': USER_AGENT }),
      outcome: { result: 'applied', reason: expect.any(String), applied_data: edit.data },
    });
    expect(log[0]!.completedAt).toBeInstanceOf(Date);
    expect(log[0]!.lastDurationMs).toBeGreaterThanOrEqual(0);
    expect(log[0]!.attempts[0]).toMatchObject({
      attemptNo: 1, responseStatus: 200, error: null, responseBody: JSON.stringify(edit),
      responseHeaders: expect.objectContaining({ 'content-type': 'application/json' }),
    });
    expect(log[1]!.outcome).toMatchObject({ result: 'halted', exception: body.exception });
  });

  it('form-encodes the body for a webfilter that uses WWW form encoding', async () => {
    await reset();
    replies.set('/form', json({}));
    await webfilters([{ url: `${receiver.url}/form`, useWwwFormEncoding: true }]);
    await h.call({ filter_type: REGISTRATION, data: { form_data: { name: 'Ana', year: 1990, ok: true, none: null } } });
    const [r] = receiver.requests;
    expect(r!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(r!.body);
    expect(Object.fromEntries(form)).toMatchObject({
      form_data_name: 'Ana', form_data_year: '1990', form_data_ok: 'true', form_data_none: '',
      event_metadata_event_type: REGISTRATION, event_metadata_filter: 'StudentRegistrationRequested',
    });
    expect(form.get('event_metadata_id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('merging several answers', () => {
  it('applies changes to different keys of the same object from two webfilters', async () => {
    await reset();
    replies.set('/a', json({ data: { form_data: { name: 'A' } } }));
    replies.set('/b', json({ data: { form_data: { country: 'AR' } } }));
    await webfilters([{ url: `${receiver.url}/a` }, { url: `${receiver.url}/b` }]);
    const { body } = await h.call({ filter_type: REGISTRATION, data: { form_data: FORM_DATA } });
    expect(body.changes).toEqual({ form_data: { name: 'A', country: 'AR' } });
    expect(body.data.form_data).toEqual({ ...FORM_DATA, name: 'A', country: 'AR' });
  });

  it('lets the later webfilter win on the same key, in position order then creation', async () => {
    await reset();
    for (const n of ['1', '2', '3']) replies.set(`/${n}`, json({ data: { form_data: { name: n, nested: { [`k${n}`]: n } } } }));
    // Created 1, 2, 3 but positioned so the order is 3 (pos 0), then 1 and 2 (pos 5, by creation).
    await webfilters([{ url: `${receiver.url}/1`, position: 5 }, { url: `${receiver.url}/2`, position: 5 }, { url: `${receiver.url}/3` }]);
    const { body } = await h.call({ filter_type: REGISTRATION, data: { form_data: FORM_DATA } });
    expect(body.changes).toEqual({ form_data: { name: '2', nested: { k1: '1', k2: '2', k3: '3' } } });
  });

  it('replaces non-object values whole (arrays are values, not merged)', async () => {
    await reset();
    replies.set('/a', json({ data: { form_data: { tags: ['x', 'y'], extra: { a: 1 } } } }));
    replies.set('/b', json({ data: { form_data: { tags: ['z'], extra: 'flat' } } }));
    await webfilters([{ url: `${receiver.url}/a` }, { url: `${receiver.url}/b` }]);
    const { body } = await h.call({ filter_type: REGISTRATION, data: { form_data: { tags: ['q'], extra: { b: 2 } } } });
    expect(body.data.form_data).toEqual({ tags: ['z'], extra: 'flat' });
  });
});

describe('first halt in webfilter order wins', () => {
  it('an earlier slow halt beats a later webfilter that answered first', async () => {
    await reset();
    replies.set('/slow', json({ exception: { PreventRegistration: 'first in order' } }, 250));
    replies.set('/fast', json({ data: { form_data: { name: 'late' } }, exception: { PreventRegistration: 'first to answer' } }));
    const ids = await webfilters([{ url: `${receiver.url}/slow` }, { url: `${receiver.url}/fast`, position: 1 }]);
    const { body } = await h.call({ filter_type: REGISTRATION, data: { form_data: FORM_DATA } });
    expect(receiver.requests.map((r) => r.url)).toEqual(['/slow', '/fast']);
    expect(body.exception).toEqual({ name: 'PreventRegistration', message: 'first in order' });
    expect(body.changes).toEqual({});
    expect(body.data).toEqual({ form_data: FORM_DATA });
    const log = await h.logOf(ids);
    expect(log.map((l) => l.outcome?.result)).toEqual(['halted', 'not_applied']);
    expect(log[1]!.outcome!.reason).toMatch(/earlier webfilter .*\/slow\) halted/);
  });

  it('answers at the halt without waiting for the slower webfilters after it, and still logs them', async () => {
    await reset();
    replies.set('/halt', json({ exception: { PreventRegistration: 'stop' } }));
    replies.set('/slow', json({ data: { form_data: { name: 'x' } } }, 400));
    const ids = await webfilters([{ url: `${receiver.url}/halt` }, { url: `${receiver.url}/slow`, position: 1 }]);
    const t0 = performance.now();
    const { body } = await h.call({ filter_type: REGISTRATION, data: { form_data: FORM_DATA } });
    expect(performance.now() - t0).toBeLessThan(300);
    expect(body.exception?.message).toBe('stop');
    const log = await h.logOf(ids);
    expect(log.map((l) => [l.outcome?.result, l.lastStatusCode])).toEqual([['halted', 200], ['not_applied', 200]]);
  });

  it('applies data from webfilters before the halt, not after', async () => {
    await reset();
    replies.set('/a', json({ data: { form_data: { name: 'before' } } }));
    replies.set('/b', { status: 500 });
    replies.set('/c', json({ data: { form_data: { country: 'after' } } }));
    await webfilters([{ url: `${receiver.url}/a` }, { url: `${receiver.url}/b`, position: 1, haltOn5xx: true }, { url: `${receiver.url}/c`, position: 2 }]);
    const { body } = await h.call({ filter_type: REGISTRATION, data: { form_data: FORM_DATA } });
    expect(body.changes).toEqual({ form_data: { name: 'before' } });
    expect(body.exception).toMatchObject({ name: 'PreventRegistration', status_code: 500 });
  });
});

describe('concurrency and the time budget', () => {
  it('calls three 350 ms webfilters at once: one after another they would overrun the 800 ms budget', async () => {
    await reset();
    for (const n of ['1', '2', '3']) replies.set(`/${n}`, json({ data: { form_data: { [`k${n}`]: n } } }, 350));
    await webfilters(['1', '2', '3'].map((n) => ({ url: `${receiver.url}/${n}` })));
    await h.call({ filter_type: REGISTRATION, data: { form_data: {} } }); // warm connections and caches
    // In turn they would take 1,050 ms: the third would be cut off at FILTER_TIMEOUT_MS and its data lost.
    const { body } = await h.call({ filter_type: REGISTRATION, data: { form_data: {} } });
    expect(body.changes).toEqual({ form_data: { k1: '1', k2: '2', k3: '3' } });
  });
});
