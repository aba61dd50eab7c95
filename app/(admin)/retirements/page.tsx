// Retirements (owners, SPEC §13): retire a learner with a preview, and every retirement done (counts only).
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { listRetirements } from '@/lib/personal/retire';
import { PageHeader } from '@/components/ui/card';
import { RetireForm } from '@/components/retirements/retire-form';
import { scrollRegion } from '@/components/ui/scroll-region';

export const metadata: Metadata = { title: 'Retirements' };
export const dynamic = 'force-dynamic';

export default async function RetirementsPage() {
  await requireAdminPage('owner');
  const items = await listRetirements(await getDb());
  return (
    <>
      <PageHeader
        title="Retirements"
        description="When a learner asks to be forgotten, their username, email and user id are erased from every stored event, delivery and filter call, and their pending deliveries are cancelled. Only the user id and the counts are kept."
      />
      <div className="space-y-6">
        <RetireForm />
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" {...scrollRegion('Retirements')}>
          <table className="w-full text-sm">
            <caption className="sr-only">Retirements, newest first</caption>
            <thead className="bg-slate-50 text-xs text-slate-600">
              <tr>
                {['When', 'LMS user id', 'Events', 'Deliveries', 'Filter calls', 'Cancelled'].map((h) => (
                  <th key={h} scope="col" className="px-3 py-2 text-left font-medium">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.length === 0 ? (
                <tr>
                  <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                    No learner has been retired yet.
                  </td>
                </tr>
              ) : (
                items.map((r) => (
                  <tr key={r.id} className="border-t border-slate-100" data-testid="retirement-row">
                    <td className="px-3 py-2 font-mono text-xs">{r.requested_at.slice(0, 19).replace('T', ' ')} UTC</td>
                    <td className="px-3 py-2">{r.user_id ?? '—'}</td>
                    <td className="px-3 py-2 tabular-nums">{r.events}</td>
                    <td className="px-3 py-2 tabular-nums">{r.deliveries}</td>
                    <td className="px-3 py-2 tabular-nums">{r.filter_calls}</td>
                    <td className="px-3 py-2 tabular-nums">{r.cancelled}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
