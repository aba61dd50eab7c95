import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { EmptyState, PageHeader } from '@/components/ui/card';

export const metadata: Metadata = { title: 'Webhooks' };

export default async function Page() {
  await requireAdminPage();
  return (
    <>
      <PageHeader title="Webhooks" description="POST each Open edX event to the URLs you configure, signed and retried." />
      <EmptyState title="Nothing here yet">This section is being built.</EmptyState>
    </>
  );
}
