'use client';
// "Send test" in a webhook or webfilter editor: checks the form, runs the test action, shows the error or the answer.
import { useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';

export function SendTestPanel<R>({
  description,
  idle,
  check,
  send,
  announce,
  children,
}: {
  /** The line under the heading: what the test does. */
  description: string;
  /** Shown until the first answer. */
  idle: string;
  /** Validates the fields the test needs; returns why it cannot run yet, or null. */
  check: () => Promise<string | null>;
  send: () => Promise<({ ok: true } & R) | { ok: false; error: string }>;
  /** The one line a screen reader hears when the answer arrives (the details stay on screen, not read out). */
  announce: (result: R) => string;
  children: (result: R) => ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<R | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setError(null);
    const blocked = await check();
    if (blocked) {
      setError(blocked);
      return;
    }
    setBusy(true);
    try {
      const r = await send();
      if (r.ok) setResult(r);
      else setError(r.error);
    } catch {
      setError('The test could not be run: try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="test-heading">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 id="test-heading" className="text-sm font-semibold text-slate-900">
            Send test
          </h2>
          <p className="text-xs text-slate-500">{description}</p>
        </div>
        <Button variant="secondary" onClick={run} disabled={busy} aria-busy={busy}>
          {busy ? 'Sending…' : 'Send test'}
        </Button>
      </div>
      <p role="status" className="sr-only" data-testid="test-announcement">
        {busy ? 'Sending the test…' : !error && result ? announce(result) : ''}
      </p>
      <div className="mt-4 min-h-16">
        {error && (
          <p role="alert" className="text-sm font-medium text-red-600">
            {error}
          </p>
        )}
        {!error && result && children(result)}
        {!error && !result && <p className="text-xs text-slate-500">{idle}</p>}
      </div>
    </section>
  );
}
