// The webfilters list, in the order their answers apply, with reorder, enabled switch and call health.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { allows } from '@/lib/auth/roles';
import { findFilter } from '@/lib/catalog';
import { getDb } from '@/lib/db';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { listWebfilters } from '@/lib/manage/webfilters';
import { targetStats } from '@/lib/manage/stats';
import { ButtonLink } from '@/components/ui/button';
import { EmptyState, PageHeader } from '@/components/ui/card';
import { WebfilterTable } from '@/components/webfilters/webfilter-table';
import { maskTargetUrl } from '@/lib/secrets/target-url';
import { storedBreakers } from '@/lib/dispatch/filters/breaker';
import { listFilterPolicies } from '@/lib/manage/filter-policies';
import { env } from '@/lib/env';
import { FilterPolicies, type PolicyRow } from '@/components/webfilters/filter-policies';

export const metadata: Metadata = { title: 'Webfilters' };

export default async function WebfiltersPage() {
  const admin = await requireAdminPage();
  const canEdit = allows(admin.role, 'editor');
  const handle = await getDb();
  await platformCatalogReady(handle);
  const filters = await listWebfilters(handle);
  const stats = await targetStats(handle, 'webfilter', filters.map((f) => f.id));
  const breakers = await storedBreakers(handle, filters.map((f) => f.id));
  const counts = new Map<string, number>();
  for (const f of filters) counts.set(f.filterType, (counts.get(f.filterType) ?? 0) + 1);
  const seen = new Map<string, number>();
  const rows = filters.map((f) => {
    const order = (seen.get(f.filterType) ?? 0) + 1;
    seen.set(f.filterType, order);
    return {
      id: f.id,
      description: f.description,
      filterType: f.filterType,
      filterLabel: findFilter(f.filterType)?.label ?? f.filterType,
      url: maskTargetUrl(f.url),
      enabled: f.enabled,
      order,
      count: counts.get(f.filterType)!,
      health: stats.get(f.id)!,
      safety: { id: f.id, name: f.description || maskTargetUrl(f.url), mode: f.mode, breaker: breakers.get(f.id)! },
    };
  });
  const policies = new Map((await listFilterPolicies(handle)).map((p) => [p.filter_type, p]));
  const policyRows: PolicyRow[] = [...counts.keys()].map((type) => {
    const p = policies.get(type);
    return { filterType: type, label: findFilter(type)?.label ?? type, policy: p ? { timeout_ms: p.timeout_ms, on_unreachable: p.on_unreachable } : null };
  });
  const create = <ButtonLink href="/webfilters/new">New webfilter</ButtonLink>;
  const health = (
    <ButtonLink href="/webfilters/health" variant="secondary">
      Filter health
    </ButtonLink>
  );
  const importLink = (
    <ButtonLink href="/import?from=webfilters" variant="secondary">
      Import from openedx-webhooks
    </ButtonLink>
  );
  return (
    <>
      <PageHeader
        title="Webfilters"
        description="Let your own services change or stop Open edX processes, synchronously. Answers apply in order: later webfilters override earlier ones."
        actions={
          <>
            {rows.length > 0 && health}
            {canEdit && importLink}
            {canEdit && rows.length > 0 && create}
          </>
        }
      />
      {rows.length ? (
        <>
          <WebfilterTable rows={rows} />
          <FilterPolicies rows={policyRows} defaultTimeoutMs={env().FILTER_TIMEOUT_MS} />
        </>
      ) : (
        <EmptyState title="No webfilters yet" action={canEdit ? create : undefined}>
          A webfilter lets a URL of yours take part in an Open edX filter, such as a sign-in or a registration: it can change
          the data or stop the process. Create one, pick its filter, then use <b>Send test</b> to see how its answer applies.
        </EmptyState>
      )}
    </>
  );
}
