import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { EmptyState, PageHeader } from '@/components/ui/card';

export const metadata: Metadata = { title: 'Deliveries' };

export default async function Page() {
  await requireAdminPage();
  return (
    <>
      <PageHeader title="Deliveries" description="Every webhook and webfilter call, with its answer." />
      <EmptyState title="Nothing here yet">This section is being built.</EmptyState>
    </>
  );
}
