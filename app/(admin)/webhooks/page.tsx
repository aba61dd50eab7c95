// The webhooks list: every webhook with its event, URL, enabled switch and delivery health.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { allows } from '@/lib/auth/roles';
import { findEvent } from '@/lib/catalog';
import { getDb } from '@/lib/db';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { listWebhooks } from '@/lib/manage/webhooks';
import { targetStats } from '@/lib/manage/stats';
import { ButtonLink } from '@/components/ui/button';
import { EmptyState, PageHeader } from '@/components/ui/card';
import { WebhookTable } from '@/components/webhooks/webhook-table';
import { maskTargetUrl } from '@/lib/secrets/target-url';

export const metadata: Metadata = { title: 'Webhooks' };

export default async function WebhooksPage() {
  const admin = await requireAdminPage();
  const canEdit = allows(admin.role, 'editor');
  const handle = await getDb();
  await platformCatalogReady(handle);
  const hooks = await listWebhooks(handle);
  const stats = await targetStats(handle, 'webhook', hooks.map((h) => h.id));
  const rows = hooks.map((h) => ({
    id: h.id,
    description: h.description,
    eventType: h.eventType,
    eventLabel: findEvent(h.eventType)?.label ?? h.eventType,
    url: maskTargetUrl(h.url),
    enabled: h.enabled,
    disabledReason: h.disabledReason,
    transformed: h.transformation !== null,
    health: stats.get(h.id)!,
  }));
  const create = <ButtonLink href="/webhooks/new">New webhook</ButtonLink>;
  const importLink = (
    <ButtonLink href="/import" variant="secondary">
      Import from openedx-webhooks
    </ButtonLink>
  );
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="POST each Open edX event to the URLs you configure, signed and retried."
        actions={
          <>
            {canEdit && importLink}
            {canEdit && rows.length > 0 && create}
          </>
        }
      />
      {rows.length ? (
        <WebhookTable rows={rows} />
      ) : (
        <EmptyState title="No webhooks yet" action={canEdit ? create : undefined}>
          A webhook sends an Open edX event, such as a new enrollment or a passing grade, to a URL of yours. Create one, pick
          its event, then use <b>Send test</b> to check that your receiver answers.
        </EmptyState>
      )}
    </>
  );
}
