// One webhook's editor, with its signing secret and delete.
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAdminPage } from '@/lib/auth/session';
import { editorCatalog } from '@/lib/platforms/catalog';
import { getDb } from '@/lib/db';
import { getWebhook } from '@/lib/manage/webhooks';
import { targetWarning } from '@/lib/manage/target-warning';
import { PageHeader } from '@/components/ui/card';
import { BackLink } from '@/components/ui/back-link';
import { DeleteWebhook } from '@/components/webhooks/delete-webhook';
import { SecretPanel } from '@/components/webhooks/secret-panel';
import { WebhookForm } from '@/components/webhooks/webhook-form';
import { ReplayPanel } from '@/components/webhooks/replay-panel';
import { conditionRow } from '@/lib/validation/webhook';
import { maskTargetUrl } from '@/lib/secrets/target-url';

export const metadata: Metadata = { title: 'Edit webhook' };

export default async function EditWebhookPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdminPage();
  const platform = await editorCatalog(await getDb());
  const { id } = await params;
  const webhook = await getWebhook(await getDb(), id);
  if (!webhook) notFound();
  const name = webhook.description || maskTargetUrl(webhook.url);
  return (
    <>
      <BackLink href="/webhooks">Webhooks</BackLink>
      <PageHeader
        title={webhook.description || 'Webhook'}
        description={
          <>
            Created {webhook.createdAt.toISOString().slice(0, 10)} ·{' '}
            <Link className="text-indigo-700 underline underline-offset-2 hover:text-indigo-900" href={`/deliveries?target_id=${webhook.id}`}>
              deliveries
            </Link>
          </>
        }
      />
      <WebhookForm
platform={platform}         id={webhook.id}
        initial={{
          description: webhook.description,
          event_type: webhook.eventType,
          // Its password and query values are write-only: sent back masked, they keep the stored ones.
          url: maskTargetUrl(webhook.url),
          enabled: webhook.enabled,
          use_www_form_encoding: webhook.useWwwFormEncoding,
          // Values are write-only: the names come back with blank values (blank keeps the stored one).
          headers: Object.keys(webhook.headers ?? {}).map((name) => ({ name, value: '' })),
          conditions: (webhook.conditions ?? []).map(conditionRow),
          exclude_fields: (webhook.excludeFields ?? []).join('\n'),
          rate_limit_per_second: webhook.rateLimitPerSecond ? String(webhook.rateLimitPerSecond) : '',
          transformation: webhook.transformation?.source ?? '',
          personal_data: webhook.personalData ?? 'send',
        }}
        storedHeaders={Object.keys(webhook.headers ?? {})}
        disabledReason={webhook.disabledReason}
        warning={await targetWarning(webhook.url)}
      >
        <ReplayPanel id={webhook.id} eventType={webhook.eventType} />
        <SecretPanel id={webhook.id} />
        <DeleteWebhook id={webhook.id} name={name} />
      </WebhookForm>
    </>
  );
}
