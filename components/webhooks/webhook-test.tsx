'use client';
// "Send test" for the webhook editor: posts a sample of the chosen event to the URL being edited.
import { useState } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { testWebhookAction } from '@/app/(admin)/webhooks/test-webhook';
import type { WebhookTest as Result } from '@/lib/manage/send-test';
import type { WebhookFormInput, WebhookFormValues } from '@/lib/validation/webhook';
import { Button } from '@/components/ui/button';
import { HttpExchange } from '@/components/ui/http-exchange';

export function WebhookTest({ id, form }: { id: string | null; form: UseFormReturn<WebhookFormInput, unknown, WebhookFormValues> }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setError(null);
    if (!(await form.trigger(['event_type', 'url']))) {
      setError('Choose an event and enter a valid URL first.');
      return;
    }
    setBusy(true);
    try {
      const r = await testWebhookAction(id, form.getValues());
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
          <p className="text-xs text-slate-500">Posts the sample above to the URL in the form, signed like a real delivery. Nothing is logged.</p>
        </div>
        <Button variant="secondary" onClick={run} disabled={busy} aria-busy={busy}>
          {busy ? 'Sending…' : 'Send test'}
        </Button>
      </div>
      <div className="mt-4 min-h-16" aria-live="polite">
        {error && (
          <p role="alert" className="text-sm font-medium text-red-600">
            {error}
          </p>
        )}
        {!error && result && (
          <>
            <HttpExchange exchange={result.exchange} />
            <p className="mt-3 text-xs text-slate-500">
              {result.signedWith === 'webhook'
                ? "Signed with this webhook's secret (webhook-id, webhook-timestamp, webhook-signature headers)."
                : 'Signed with a one-off secret: save the webhook to sign tests with its own secret.'}
            </p>
          </>
        )}
        {!error && !result && <p className="text-xs text-slate-400">The answer will show here: status, time, headers and body.</p>}
      </div>
    </section>
  );
}
