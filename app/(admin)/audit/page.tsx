// Audit log (owners): every change made through the app or the API, newest first, filtered by the URL.
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdminPage } from '@/lib/auth/session';
import { listAudit, parseAuditQuery } from '@/lib/audit/list';
import { getDb } from '@/lib/db';
import { PageHeader } from '@/components/ui/card';
import { AuditFilters } from '@/components/audit/audit-filters';
import { AuditTable } from '@/components/audit/audit-table';

export const metadata: Metadata = { title: 'Audit log' };
export const dynamic = 'force-dynamic';

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage('owner');
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string' && v) params.set(k, v);
  const parsed = parseAuditQuery(params);
  const { db } = await getDb();
  const page = parsed.ok ? await listAudit(db, parsed.query) : { items: [], next_cursor: null };
  const next = new URLSearchParams(params);
  if (page.next_cursor) next.set('cursor', page.next_cursor);
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, when and from where. Secrets and header values are never shown." />
      <AuditFilters values={Object.fromEntries(params)} />
      {!parsed.ok && (
        <p role="alert" className="mb-4 text-sm font-medium text-red-600">
          {parsed.error}
        </p>
      )}
      <AuditTable items={page.items} />
      <div className="mt-4 flex gap-3 text-sm">
        {params.has('cursor') && (
          <Link className="text-indigo-700 hover:underline" href={`/audit?${(() => { const p = new URLSearchParams(params); p.delete('cursor'); return p.toString(); })()}`}>
            Newest
          </Link>
        )}
        {page.next_cursor && (
          <Link className="text-indigo-700 hover:underline" href={`/audit?${next.toString()}`}>
            Older entries
          </Link>
        )}
      </div>
    </>
  );
}
