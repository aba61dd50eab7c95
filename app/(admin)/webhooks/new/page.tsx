// The "new webhook" editor.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { editorCatalog } from '@/lib/platforms/catalog';
import { getDb } from '@/lib/db';
import { findEvent } from '@/lib/catalog';
import { PageHeader } from '@/components/ui/card';
import { BackLink } from '@/components/ui/back-link';
import { WebhookForm } from '@/components/webhooks/webhook-form';

export const metadata: Metadata = { title: 'New webhook' };

// ?event_type= preselects an event (a signal name works too).
export default async function NewWebhookPage({ searchParams }: { searchParams: Promise<{ event_type?: string }> }) {
  await requireAdminPage('editor');
  const platform = await editorCatalog(await getDb());
  const { event_type } = await searchParams;
  const initial = {
    description: '',
    event_type: (event_type && findEvent(event_type)?.eventType) || '',
    url: '',
    enabled: true,
    use_www_form_encoding: false,
    headers: [],
    conditions: [],
    exclude_fields: '',
    rate_limit_per_second: '',
    transformation: '',
    personal_data: 'send' as const,
  };
  return (
    <>
      <BackLink href="/webhooks">Webhooks</BackLink>
      <PageHeader title="New webhook" description="Each time the event happens, its data is POSTed to your URL, signed and retried until it is accepted." />
      <WebhookForm platform={platform} id={null} initial={initial} warning={null} />
    </>
  );
}
