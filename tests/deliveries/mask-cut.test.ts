// §7 masking of response bodies the log cannot parse as JSON (issue 17.5): a JSON answer cut at 64 KiB, JSON
// labelled as text, JSON quoted in a page. A real receiver answers a worker on PGlite; the log shows the
// stored body with every sensitive value hidden, and the rest as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../lib/db';
import { getDeliveryDetail } from '../../lib/deliveries/detail';
import { MASK, maskBody, maskJsonText } from '../../lib/deliveries/mask';
import { deliveryDetailJson } from '../../lib/deliveries/present';
import { ingestEvent } from '../../lib/dispatch/ingest';
import type { Worker } from '../../lib/dispatch/worker';
import { pgliteDb } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, enrollmentData, eventEnv, settled, worker } from '../dispatch/harness';

const SECRETS = ['tok-SECRET-1', 'pw-SECRET-2', 'key-SECRET-3', 'cs-SECRET-4'];
/** A token response far over 64 KiB, its last secret past the cut. */
const LONG_JSON = JSON.stringify({
  access_token: SECRETS[0],
  user: { name: 'Ada', password: SECRETS[1], keys: [{ api_key: { value: SECRETS[2] } }] },
  pad: 'x'.repeat(80_000),
  client_secret: SECRETS[3],
});

describe('maskJsonText', () => {
  it('masks every sensitive value of JSON cut anywhere, leaving the rest as it was', () => {
    for (const cut of [...Array.from({ length: 200 }, (_, i) => i + 1), 64 * 1024, LONG_JSON.length - 3]) {
      const masked = maskBody(LONG_JSON.slice(0, cut), 'application/json')!;
      // Whatever part of a secret the cut left (5 characters or more) is hidden.
      for (const s of SECRETS) for (let k = 5; k <= s.length; k++) expect(masked, `cut at ${cut}`).not.toContain(s.slice(0, k));
    }
    expect(maskJsonText('{"a": "b\\"c", "token": "q\\"r", "n": 1}')).toBe(`{"a": "b\\"c", "token": "${MASK}", "n": 1}`);
    expect(maskJsonText('{"password": "", "secret": null, "name": "x"')).toBe('{"password": "", "secret": null, "name": "x"');
    expect(maskJsonText('{"token": 12345, "ok": true}')).toBe(`{"token": "${MASK}", "ok": true}`);
  });

  it('masks JSON labelled as text and JSON quoted in a page; plain text stays as it was', () => {
    expect(maskBody('{"token":"abc","n":1}', 'text/plain')).toBe(`{"token":"${MASK}","n":1}`);
    expect(maskBody('<script>var c = {"password": "hunter2", "user": "x"}</script>', 'text/html')).toBe(
      `<script>var c = {"password": "${MASK}", "user": "x"}</script>`,
    );
    expect(maskBody('plain text, no pairs', 'text/plain')).toBe('plain text, no pairs');
  });
});

describe('the log of a real delivery whose answer is cut at 64 KiB', () => {
  let handle: DbHandle;
  let receiver: Receiver;
  let w: Worker;

  beforeAll(async () => {
    eventEnv({ ALLOW_PRIVATE_TARGETS: '1' });
    handle = await pgliteDb();
    receiver = await startReceiver((req) =>
      req.url.endsWith('/text')
        ? { status: 200, headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ refresh_token: 'rt-SECRET-5', ok: true }) }
        : { status: 200, headers: { 'content-type': 'application/json' }, body: LONG_JSON },
    );
    // The answer is what is checked, not the time it takes: a loaded machine can take more than the harness's 2 s
    // to send 80 KB over loopback, and a timed-out attempt stores no answer. The budget is generous.
    w = worker(handle, { deliveryTimeoutMs: 20_000 });
  });
  afterAll(async () => {
    await w.stop();
    await receiver.close();
    await handle.close();
    eventEnv({ ALLOW_PRIVATE_TARGETS: '' });
  });

  it('hides the secrets of the stored, cut answer and of an answer labelled text/plain', async () => {
    await addWebhook(handle, { url: `${receiver.url}/json` });
    await addWebhook(handle, { url: `${receiver.url}/text` });
    const r = await ingestEvent(handle, { event_type: ENROLLMENT, data: enrollmentData() });
    if (!r.ok) throw new Error(r.error);
    const rows = await settled(handle, r.body.id, 2, 60_000);
    for (const row of rows) {
      expect(row.status, row.url).toBe('succeeded');
      const raw = (await getDeliveryDetail(handle.db, row.id))!;
      // The attempt that got the answer (should an earlier one still have failed, it stored none).
      const at = raw.attempts.findIndex((a) => a.responseStatus === 200);
      expect(at, row.url).toBeGreaterThanOrEqual(0);
      const body = deliveryDetailJson(raw).attempts[at]!.response_body!;
      const stored = raw.attempts[at]!.responseBody!;
      if (row.url.endsWith('/json')) {
        expect(stored.length).toBe(64 * 1024); // cut: not valid JSON any more
        expect(() => JSON.parse(stored)).toThrow();
        expect(body).toContain(`"access_token":"${MASK}"`);
        expect(body).toContain('"name":"Ada"');
      } else {
        expect(body).toBe(`{"refresh_token":"${MASK}","ok":true}`);
      }
      for (const s of [...SECRETS, 'rt-SECRET-5']) expect(body).not.toContain(s);
    }
  });
});
