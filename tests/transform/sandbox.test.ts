// The transformation sandbox (SPEC §14): QuickJS in WebAssembly, 16 MiB and 50 ms per run, nothing of the host
// reachable; a bad transformation fails with a sentence (and its line), never another transformation.
import { describe, expect, it } from 'vitest';
import { transform, type TransformInput } from '../../lib/transform/run';
import { compiledCount } from '../../lib/transform/sandbox';

const input = (over: Partial<TransformInput> = {}): TransformInput => ({
  payload: { enrollment: { user: { pii: { username: 'jdoe' } } } },
  headers: { 'content-type': 'application/json' },
  url: 'https://hooks.example.com/in',
  event_type: 'org.openedx.learning.course.enrollment.created.v1',
  ...over,
});

const timed = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
};

describe('transformation sandbox', () => {
  it('passes {payload, headers, url, event_type} and takes back the changed webhook', async () => {
    const r = await transform('t1', `function handler(webhook) {
  webhook.payload = { text: webhook.event_type + ' ' + webhook.payload.enrollment.user.pii.username };
  webhook.headers['X-Source'] = 'openedx';
  webhook.url = webhook.url + '?via=transform';
  return webhook;
}`, input());
    expect(r).toEqual({
      ok: true,
      output: {
        payload: { text: 'org.openedx.learning.course.enrollment.created.v1 jdoe' },
        headers: { 'content-type': 'application/json', 'x-source': 'openedx' },
        url: 'https://hooks.example.com/in?via=transform',
        cancel: false,
      },
    });
  });

  it('compiles a saved version once: the same context serves every run', async () => {
    const source = 'let runs = 0;\nfunction handler(w) { runs++; w.payload = { runs }; return w; }';
    const before = compiledCount();
    const outs = [];
    for (let i = 0; i < 3; i++) outs.push(await transform('once', source, input()));
    expect(outs.map((o) => o.ok && (o.output.payload as { runs: number }).runs)).toEqual([1, 2, 3]);
    expect(compiledCount()).toBe(before + 1);
    // A new source is a new version (compiled afresh).
    const changed = await transform('once', source + '\n// v2', input());
    expect(changed.ok && changed.output.payload).toEqual({ runs: 1 });
  });

  it('stops a loop at 50 ms, names the limit, and keeps other transformations working', async () => {
    const good = 'let runs = 0;\nfunction handler(w) { runs++; w.payload = { runs }; return w; }';
    await transform('good', good, input());
    const { value: r, ms } = await timed(() => transform('loop', 'function handler(w) {\n  while (true) {}\n}', input()));
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('longer than 50 ms') });
    expect(ms).toBeLessThan(1_000);
    const after = await transform('good', good, input());
    expect(after.ok && after.output.payload).toEqual({ runs: 2 });
  });

  it('stops a 100 MB allocation at the 16 MiB cap', async () => {
    const { value: r, ms } = await timed(() =>
      transform('big', "function handler(w) {\n  const s = 'x'.repeat(100 * 1024 * 1024);\n  w.payload = { s };\n  return w;\n}", input()),
    );
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('more than 16 MiB'), line: 2 });
    expect(ms).toBeLessThan(1_000);
    const array = await transform('big2', 'function handler(w) {\n  const a = [];\n  for (;;) a.push({ n: a.length, pad: "yyyyyyyyyyyyyyyy" });\n}', input());
    expect(array).toMatchObject({ ok: false, error: expect.stringMatching(/16 MiB|50 ms/) });
  });

  it('reports a throw with its message and line', async () => {
    const r = await transform('throw', "function handler(w) {\n  const course = w.payload.course;\n  return course.display_name;\n}", input());
    expect(r).toEqual({ ok: false, error: "The transformation threw (line 3): TypeError: cannot read property 'display_name' of undefined", line: 3 });
    const thrown = await transform('throw2', "function handler(w) {\n  throw new Error('not for this course');\n}", input());
    expect(thrown).toMatchObject({ ok: false, error: 'The transformation threw (line 2): Error: not for this course', line: 2 });
  });

  it('reports a syntax error with its line, and source without a handler', async () => {
    expect(await transform('syntax', 'function handler(w) {\n  return w +;\n}', input())).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^The transformation does not compile \(line 2\): SyntaxError/),
      line: 2,
    });
    expect(await transform('none', 'function other(w) { return w; }', input())).toMatchObject({
      ok: false,
      error: 'The transformation must define function handler(webhook).',
    });
  });

  it('refuses results that are not the webhook object', async () => {
    const cases: [string, RegExp][] = [
      ['return 42;', /must return an object .* it returned a number/],
      ['return null;', /it returned null/],
      ['return [w];', /it returned an array/],
      ['', /returned nothing/],
      ['return { headers: {} };', /no "payload"/],
      ['w.cancel = "yes"; return w;', /"cancel" must be true or false/],
      ["w.url = 'ftp://files.example.com/'; return w;", /"url" must be a full http/],
      ["w.headers['webhook-signature'] = 'v1,forged'; return w;", /reserved/],
      ['w.headers.Authorization = 7; return w;', /must be a string/],
      ['return Promise.resolve(w);', /async handlers and Promises are not supported/],
    ];
    for (const [body, expected] of cases) {
      const r = await transform('bad', `function handler(w) {\n  ${body}\n}`, input());
      expect(r.ok, body).toBe(false);
      if (!r.ok) expect(r.error, body).toMatch(expected);
    }
  });

  it('has no network, timers, require or host objects', async () => {
    const r = await transform('host', `function handler(w) {
  w.payload = [typeof fetch, typeof setTimeout, typeof require, typeof process, typeof XMLHttpRequest, typeof WebSocket, typeof console].join(',');
  return w;
}`, input());
    expect(r.ok && r.output.payload).toBe('undefined,undefined,undefined,undefined,undefined,undefined,undefined');
  });

  it('turns cancel: true into a cancel', async () => {
    const r = await transform('cancel', 'function handler(w) {\n  w.cancel = w.payload.enrollment.user.pii.username === "jdoe";\n  return w;\n}', input());
    expect(r.ok && r.output.cancel).toBe(true);
  });
});
