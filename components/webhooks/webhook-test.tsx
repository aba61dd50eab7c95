'use client';
// "Send test" for the webhook editor: posts a sample of the chosen event to the URL being edited.
import type { UseFormReturn } from 'react-hook-form';
import { testWebhookAction } from '@/app/(admin)/webhooks/test-webhook';
import type { WebhookFormInput, WebhookFormValues } from '@/lib/validation/webhook';
import { SendTestPanel } from '@/components/targets/send-test-panel';
import { exchangeSummary, HttpExchange } from '@/components/ui/http-exchange';

export function WebhookTest({ id, form }: { id: string | null; form: UseFormReturn<WebhookFormInput, unknown, WebhookFormValues> }) {
  return (
    <SendTestPanel
      description="Posts the request in the preview (the sample, through the transformation if there is one) to its URL, signed like a real delivery. Nothing is logged."
      idle="The answer will show here: status, time, headers and body."
      check={async () => ((await form.trigger(['event_type', 'url'])) ? null : 'Choose an event and enter a valid URL first.')}
      send={() => testWebhookAction(id, form.getValues())}
      announce={(result) => `Test answered: ${exchangeSummary(result.exchange)}.`}
    >
      {(result) => (
        <>
          <HttpExchange exchange={result.exchange} />
          <p className="mt-3 text-xs text-slate-500">
            {result.signedWith === 'webhook'
              ? "Signed with this webhook's secret (webhook-id, webhook-timestamp, webhook-signature headers)."
              : 'Signed with a one-off secret: save the webhook to sign tests with its own secret.'}
          </p>
        </>
      )}
    </SendTestPanel>
  );
}
