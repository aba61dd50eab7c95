import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { EmptyState, PageHeader } from '@/components/ui/card';

export const metadata: Metadata = { title: 'Webfilters' };

export default async function Page() {
  await requireAdminPage();
  return (
    <>
      <PageHeader title="Webfilters" description="Let your own services change or stop Open edX processes, synchronously." />
      <EmptyState title="Nothing here yet">This section is being built.</EmptyState>
    </>
  );
}
