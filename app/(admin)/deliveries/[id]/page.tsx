// One delivery: its facts, what a webfilter call did, the request as sent and every attempt (masked, §7).
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { requireAdminPage } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getDeliveryDetail } from '@/lib/deliveries/detail';
import { contentTypeOf } from '@/lib/deliveries/mask';
import { deliveryDetailJson } from '@/lib/deliveries/present';
import { parseDeliveryId } from '@/lib/deliveries/query';
import { findTarget } from '@/lib/deliveries/targets';
import { Badge, StatusBadge } from '@/components/ui/badge';
import { ButtonLink } from '@/components/ui/button';
import { Card, PageHeader } from '@/components/ui/card';
import { AttemptTimeline } from '@/components/deliveries/attempt-timeline';
import { AutoRefresh } from '@/components/deliveries/auto-refresh';
import { BodyView } from '@/components/deliveries/body-view';
import { DeliveryFacts } from '@/components/deliveries/delivery-facts';
import { FilterOutcome } from '@/components/deliveries/filter-outcome';
import { HeadersList } from '@/components/deliveries/headers-list';
import { RetryButton } from '@/components/deliveries/retry-button';
import { TransformationOutcome } from '@/components/deliveries/transformation-outcome';
import { retryRefusal } from '@/lib/deliveries/transformed';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Delivery #${(await params).id}` };
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card>
      <h2 className="border-b border-slate-200 px-5 py-3 text-sm font-semibold text-slate-900">{title}</h2>
      <div className="p-5">{children}</div>
    </Card>
  );
}

export default async function DeliveryPage({ params }: Props) {
  await requireAdminPage();
  const id = parseDeliveryId((await params).id);
  const { db } = await getDb();
  const detail = id === null ? null : await getDeliveryDetail(db, id);
  if (!detail) notFound();
  const d = deliveryDetailJson(detail);
  const target = await findTarget(db, d.kind, d.target_id);
  const webhook = d.kind === 'webhook';
  return (
    <>
      {d.status === 'pending' && <AutoRefresh intervalMs={2000} />}
      <PageHeader
        title={`Delivery #${d.id}`}
        description={
          <span className="flex flex-wrap items-center gap-2" data-testid="delivery-header">
            <StatusBadge status={d.status} />
            <Badge tone={webhook ? 'blue' : 'indigo'}>{d.kind}</Badge>
            {!webhook
              ? 'Webfilter calls are synchronous and cannot be replayed.'
              : d.status === 'skipped'
                ? 'Skipped: its transformation cancelled it, so nothing was sent.'
                : 'Delivered in the background, retried on failure.'}
          </span>
        }
        actions={
          <>
            <ButtonLink href="/deliveries" variant="secondary">← All deliveries</ButtonLink>
            {webhook && !retryRefusal(detail.delivery) && <RetryButton id={d.id} />}
          </>
        }
      />
      <div className="space-y-4">
        <Card>
          <DeliveryFacts d={d} target={target} />
        </Card>
        {!webhook && (
          <Section title="What the webfilter did">
            <FilterOutcome outcome={d.outcome} />
          </Section>
        )}
        {webhook && d.outcome?.transformation !== undefined && (
          <Section title="Transformation">
            <TransformationOutcome outcome={d.outcome} ownUrl={detail.delivery.urlFromTransformation} />
          </Section>
        )}
        <Section title="Request">
          <div className="space-y-4">
            <p className="font-mono text-xs break-all text-slate-700">
              <b>POST</b> {d.url}
            </p>
            <HeadersList headers={d.request.headers} />
            <BodyView body={d.request.body} contentType={contentTypeOf(d.request.headers)} testId="request-body" label="Request body" />
            {webhook && (
              <p className="text-xs text-slate-500">
                Signature headers (webhook-id, webhook-timestamp, webhook-signature) are computed for each attempt: see the attempts below.
              </p>
            )}
          </div>
        </Section>
        <Section title={`Attempts (${d.attempts.length})`}>
          {d.attempts.length === 0 && retryRefusal(detail.delivery) ? (
            <p className="text-sm text-slate-600">None: its transformation {d.status === 'skipped' ? 'cancelled it' : 'failed'}, so nothing was sent.</p>
          ) : (
            <AttemptTimeline attempts={d.attempts} />
          )}
        </Section>
      </div>
    </>
  );
}
