// SPEC §5 rules 1–5 and every webfilter flag, one webfilter at a time, through the real route and database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewWebfilter } from '../../lib/db/schema';
import { pgliteDb } from '../helpers/db';
import { startReceiver, type Receiver, type Responder } from '../helpers/receiver';
import { FILTER_TIMEOUT_MS, FORM_DATA, REGISTRATION, filterEnv, harness, type Harness } from './harness';

type Config = Omit<NewWebfilter, 'filterType' | 'url'>;
interface Case {
  name: string;
  filter?: string;
  data?: Record<string, unknown>;
  config?: Config;
  /** Answer of the webfilter; 'refused' points it at a closed port. */
  reply: ReturnType<Responder> | 'refused';
  exception: Record<string, unknown> | null;
  changes?: Record<string, unknown>;
  result: 'applied' | 'ignored' | 'halted';
  reason: RegExp;
  delivery: 'succeeded' | 'failed';
}

const reg = (body: unknown, status = 200) => ({ status, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const LOGIN = 'org.openedx.learning.student.login.requested.v1';
const SETTINGS = 'org.openedx.learning.student.settings.render.started.v1';
const DASHBOARD = 'org.openedx.learning.dashboard.render.started.v1';
const ORA = 'org.openedx.learning.ora.submission_view.render.started.v1';
const IDV = 'org.openedx.learning.idv.page.url.requested.v1';
const REDIRECT = 'https://lms.example.com/blocked';

const CASES: Case[] = [
  // Rules 3–4: a 2xx answer is read as JSON and its data merged.
  { name: 'data is merged', reply: reg({ data: { form_data: { name: 'Maria G.' } } }), exception: null,
    changes: { form_data: { name: 'Maria G.' } }, result: 'applied', reason: /Applied data \(form_data\)/, delivery: 'succeeded' },
  { name: 'non-JSON answer counts as {}', reply: { status: 200, body: '<html>ok</html>' }, exception: null, changes: {},
    result: 'ignored', reason: /not JSON: treated as \{\}/, delivery: 'succeeded' },
  { name: 'empty answer counts as {}', reply: { status: 204 }, exception: null, changes: {},
    result: 'ignored', reason: /empty: treated as \{\}/, delivery: 'succeeded' },
  { name: 'JSON array counts as {}', reply: reg([1, 2]), exception: null, changes: {},
    result: 'ignored', reason: /not an object/, delivery: 'succeeded' },
  { name: 'data keys outside the arguments are dropped', reply: reg({ data: { form_data: { a: 1 }, user: { id: 1 } } }),
    exception: null, changes: { form_data: { a: 1 } }, result: 'applied', reason: /not arguments of StudentRegistrationRequested ignored: user/,
    delivery: 'succeeded' },
  { name: 'Disable filtering ignores data', config: { disableFiltering: true }, reply: reg({ data: { form_data: { name: 'X' } } }),
    exception: null, changes: {}, result: 'ignored', reason: /Disable filtering is on/, delivery: 'succeeded' },
  // Rule 5: the answer's exception.
  { name: 'exception as a message string halts', reply: reg({ exception: { PreventRegistration: 'Closed.' } }),
    exception: { name: 'PreventRegistration', message: 'Closed.' }, result: 'halted', reason: /Halted with PreventRegistration/,
    delivery: 'succeeded' },
  { name: 'exception as an object keeps its arguments and extra kwargs',
    reply: reg({ exception: { PreventRegistration: { message: 'No.', redirect_to: REDIRECT, status_code: 403, error_code: 'x' } } }),
    exception: { name: 'PreventRegistration', message: 'No.', redirect_to: REDIRECT, status_code: 403, error_code: 'x' },
    result: 'halted', reason: /Halted/, delivery: 'succeeded' },
  { name: 'data and exception in one answer: both', reply: reg({ data: { form_data: { name: 'Y' } }, exception: { PreventRegistration: 'no' } }),
    exception: { name: 'PreventRegistration', message: 'no' }, changes: { form_data: { name: 'Y' } }, result: 'halted',
    reason: /data applied/, delivery: 'succeeded' },
  { name: 'unknown exception name is ignored', reply: reg({ exception: { PreventLogin: 'no' } }), exception: null, changes: {},
    result: 'ignored', reason: /PreventLogin is not an exception of StudentRegistrationRequested \(valid: PreventRegistration\)/,
    delivery: 'succeeded' },
  { name: 'two exception names are ignored', reply: reg({ exception: { PreventRegistration: 'a', Other: 'b' } }), exception: null,
    result: 'ignored', reason: /exactly one key/, delivery: 'succeeded' },
  { name: '"exceptions" (plural) is not the key', reply: reg({ exceptions: { PreventRegistration: 'a' } }), exception: null,
    result: 'ignored', reason: /"exceptions" \(plural\) ignored/, delivery: 'succeeded' },
  { name: 'Disable halting ignores the exception', config: { disableHalting: true },
    reply: reg({ data: { form_data: { name: 'Z' } }, exception: { PreventRegistration: 'no' } }), exception: null,
    changes: { form_data: { name: 'Z' } }, result: 'applied', reason: /exception ignored \(Disable halting is on\)/, delivery: 'succeeded' },
  { name: 'Disable filtering and halting together ignore everything', config: { disableFiltering: true, disableHalting: true },
    reply: reg({ data: { form_data: { name: 'Z' } }, exception: { PreventRegistration: 'no' } }), exception: null, changes: {},
    result: 'ignored', reason: /Disable filtering is on.*Disable halting is on/, delivery: 'succeeded' },
  // Rule 2: 4xx and 5xx.
  { name: '4xx halts with Halt on 4xx', config: { haltOn4xx: true }, reply: { status: 404 },
    exception: { name: 'PreventRegistration', message: expect.stringMatching(/^Webfilter http:\/\/127\.0\.0\.1:\d+\/w answered HTTP 404\.$/), status_code: 404 },
    result: 'halted', reason: /Answered HTTP 404; halted \(Halt on 4xx\)/, delivery: 'failed' },
  { name: '4xx halt carries Redirect on 4xx', config: { haltOn4xx: true, redirectOn4xx: REDIRECT }, reply: { status: 409 },
    exception: { name: 'PreventRegistration', message: expect.stringContaining('409'), redirect_to: REDIRECT, status_code: 409 },
    result: 'halted', reason: /halted/, delivery: 'failed' },
  { name: '4xx without Halt on 4xx is still read', reply: reg({ data: { form_data: { name: 'E' } } }, 422), exception: null,
    changes: { form_data: { name: 'E' } }, result: 'applied', reason: /answered HTTP 422 \(Halt on 4xx is off\), answer read anyway/,
    delivery: 'failed' },
  { name: '4xx answer naming an exception halts without Halt on 4xx', reply: reg({ exception: { PreventRegistration: 'taken' } }, 409),
    exception: { name: 'PreventRegistration', message: 'taken' }, result: 'halted', reason: /Halted with PreventRegistration/, delivery: 'failed' },
  { name: '5xx halts with Halt on 5xx', config: { haltOn5xx: true, redirectOn5xx: REDIRECT }, reply: { status: 503 },
    exception: { name: 'PreventRegistration', message: expect.stringContaining('HTTP 503'), redirect_to: REDIRECT, status_code: 503 },
    result: 'halted', reason: /halted \(Halt on 5xx\)/, delivery: 'failed' },
  { name: 'Halt on 4xx does not halt on 5xx', config: { haltOn4xx: true }, reply: { status: 500, body: 'boom' }, exception: null,
    result: 'ignored', reason: /HTTP 500 \(Halt on 5xx is off\).*not JSON/, delivery: 'failed' },
  { name: 'Halt on 5xx does not halt on 4xx', config: { haltOn5xx: true }, reply: { status: 400 }, exception: null,
    result: 'ignored', reason: /HTTP 400 \(Halt on 4xx is off\)/, delivery: 'failed' },
  // Rule 1: no answer.
  { name: 'refused connection halts with Halt on request exception', config: { haltOnRequestException: true, redirectOnRequestException: REDIRECT },
    reply: 'refused', exception: { name: 'PreventRegistration', message: expect.stringMatching(/failed: Connection failed \(ECONNREFUSED/), redirect_to: REDIRECT },
    result: 'halted', reason: /halted \(Halt on request exception\)/, delivery: 'failed' },
  { name: 'refused connection is ignored otherwise', reply: 'refused', exception: null, result: 'ignored',
    reason: /The call failed: Connection failed.*\(Halt on request exception is off\)/, delivery: 'failed' },
  { name: 'dropped connection halts with Halt on request exception', config: { haltOnRequestException: true }, reply: { destroy: true },
    exception: { name: 'PreventRegistration', message: expect.stringContaining('failed') }, result: 'halted', reason: /request exception/,
    delivery: 'failed' },
  { name: 'Halt on 4xx/5xx do not cover request exceptions', config: { haltOn4xx: true, haltOn5xx: true }, reply: 'refused',
    exception: null, result: 'ignored', reason: /Halt on request exception is off/, delivery: 'failed' },
  // Quirk F6: every exception type can halt, with only the arguments its constructor takes.
  { name: 'PreventLogin on 4xx (no status_code argument)', filter: LOGIN, data: { user: { id: 1 } }, config: { haltOn4xx: true, redirectOn4xx: REDIRECT },
    reply: { status: 403 }, exception: { name: 'PreventLogin', message: expect.stringContaining('HTTP 403'), redirect_to: REDIRECT },
    result: 'halted', reason: /halted/, delivery: 'failed' },
  { name: 'PreventLogin on 5xx', filter: LOGIN, data: { user: { id: 1 } }, config: { haltOn5xx: true }, reply: { status: 502 },
    exception: { name: 'PreventLogin', message: expect.stringContaining('HTTP 502') }, result: 'halted', reason: /halted/, delivery: 'failed' },
  { name: 'PreventLogin answer: kwargs it does not take are dropped', filter: LOGIN, data: { user: { id: 1 } },
    reply: reg({ exception: { PreventLogin: { message: 'Pending.', redirect_to: REDIRECT, error_code: 'pending', status_code: 403 } } }),
    exception: { name: 'PreventLogin', message: 'Pending.', redirect_to: REDIRECT, error_code: 'pending' }, result: 'halted',
    reason: /PreventLogin takes no status_code: dropped/, delivery: 'succeeded' },
  { name: 'RedirectToPage on 4xx with a redirect URL', filter: SETTINGS, data: { context: {}, template_name: 't.html' },
    config: { haltOn4xx: true, redirectOn4xx: REDIRECT }, reply: { status: 401 },
    exception: { name: 'RedirectToPage', message: expect.stringContaining('401'), redirect_to: REDIRECT }, result: 'halted',
    reason: /halted/, delivery: 'failed' },
  { name: 'RedirectToPage filter without a redirect URL uses its next exception', filter: SETTINGS, data: { context: {} },
    config: { haltOn5xx: true }, reply: { status: 500 },
    exception: { name: 'RenderInvalidAccountSettings', message: expect.stringContaining('500') }, result: 'halted', reason: /halted/,
    delivery: 'failed' },
  { name: 'RedirectToPage on request exception', filter: DASHBOARD, data: { context: {} },
    config: { haltOnRequestException: true, redirectOnRequestException: REDIRECT }, reply: 'refused',
    exception: { name: 'RedirectToPage', message: expect.any(String), redirect_to: REDIRECT }, result: 'halted', reason: /halted/,
    delivery: 'failed' },
  { name: 'RedirectToPage answer', filter: DASHBOARD, data: { context: {} },
    reply: reg({ exception: { RedirectToPage: { message: 'Go', redirect_to: REDIRECT, status_code: 302 } } }),
    exception: { name: 'RedirectToPage', message: 'Go', redirect_to: REDIRECT }, result: 'halted', reason: /takes no status_code/,
    delivery: 'succeeded' },
  { name: 'RedirectToPage answer without redirect_to is ignored', filter: DASHBOARD, data: { context: {} },
    reply: reg({ exception: { RedirectToPage: 'Go' } }), exception: null, result: 'ignored', reason: /needs a redirect_to URL/,
    delivery: 'succeeded' },
  { name: 'RenderInvalidDashboard on 5xx', filter: DASHBOARD, data: { context: {} }, config: { haltOn5xx: true }, reply: { status: 500 },
    exception: { name: 'RenderInvalidDashboard', message: expect.any(String) }, result: 'halted', reason: /halted/, delivery: 'failed' },
  { name: 'RenderCustomResponse answer', filter: DASHBOARD, data: { context: {} },
    reply: reg({ exception: { RenderCustomResponse: { message: 'm', response: { content: '<p>hi</p>', status: 200 } } } }),
    exception: { name: 'RenderCustomResponse', message: 'm', response: { content: '<p>hi</p>', status: 200 } }, result: 'halted',
    reason: /Halted with RenderCustomResponse/, delivery: 'succeeded' },
  { name: 'RenderInvalidTemplate on 4xx', filter: ORA, data: { context: {} }, config: { haltOn4xx: true, redirectOn4xx: REDIRECT },
    reply: { status: 404 }, exception: { name: 'RenderInvalidTemplate', message: expect.any(String) }, result: 'halted',
    reason: /halted/, delivery: 'failed' },
  { name: 'a filter without exceptions cannot halt', filter: IDV, data: { url: 'https://idv' }, config: { haltOn4xx: true },
    reply: { status: 404 }, exception: null, result: 'ignored', reason: /IDVPageURLRequested has no exception to halt with/,
    delivery: 'failed' },
];

let h: Harness;
let receiver: Receiver;
let refusedUrl: string;
const replies = new Map<string, ReturnType<Responder>>();

beforeAll(async () => {
  filterEnv();
  h = await harness(await pgliteDb());
  receiver = await startReceiver((req) => replies.get(req.url));
  const closed = await startReceiver();
  refusedUrl = `${closed.url}/w`;
  await closed.close();
});
afterAll(async () => {
  await receiver.close();
  await h.handle.close();
});

describe('one webfilter: rules 1–5 and flags', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const filterType = c.filter ?? REGISTRATION;
    const data = c.data ?? { form_data: FORM_DATA };
    const url = c.reply === 'refused' ? refusedUrl : `${receiver.url}/w`;
    if (c.reply !== 'refused') replies.set('/w', c.reply);
    const ids = await h.addWebfilters([{ url, ...c.config }], filterType);
    try {
      const { status, body } = await h.call({ filter_type: filterType, data });
      expect(status).toBe(200);
      expect(body.filter_type).toBe(filterType);
      expect(body.exception).toEqual(c.exception);
      if (c.changes) expect(body.changes).toEqual(c.changes);
      // data is the input with the changes merged
      const expected = structuredClone(data) as Record<string, Record<string, unknown>>;
      for (const [k, v] of Object.entries(body.changes as Record<string, Record<string, unknown>>)) expected[k] = { ...expected[k], ...v };
      expect(body.data).toEqual(expected);

      const [log] = await h.logOf(ids);
      expect(log).toMatchObject({ kind: 'webfilter', eventType: filterType, url, status: c.delivery, attemptCount: 1, nextAttemptAt: null });
      expect(log!.outcome).toMatchObject({ result: c.result, reason: expect.stringMatching(c.reason) });
      if (c.result === 'halted') expect(log!.outcome!.exception).toEqual(body.exception);
      expect(log!.attempts).toHaveLength(1);
    } finally {
      await h.removeWebfilters(ids);
    }
  });

  it(`cuts off a webfilter slower than FILTER_TIMEOUT_MS and applies its request-exception setting`, async () => {
    replies.set('/slow', { status: 200, body: '{}', delayMs: FILTER_TIMEOUT_MS * 3 });
    for (const halt of [true, false]) {
      const ids = await h.addWebfilters([{ url: `${receiver.url}/slow`, haltOnRequestException: halt }], REGISTRATION);
      const t0 = performance.now();
      const { body } = await h.call({ filter_type: REGISTRATION, data: { form_data: FORM_DATA } });
      const elapsed = performance.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(FILTER_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(FILTER_TIMEOUT_MS + 250);
      expect(body.exception).toEqual(
        halt ? { name: 'PreventRegistration', message: expect.stringContaining(`within`) } : null,
      );
      const [log] = await h.logOf(ids);
      expect(log!.lastError).toMatch(/timeout/);
      expect(log!.outcome).toMatchObject({ result: halt ? 'halted' : 'ignored' });
      await h.removeWebfilters(ids);
    }
  });
});
