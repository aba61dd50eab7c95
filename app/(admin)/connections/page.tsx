// Connections: the Open edX platforms that call this service, and how to connect one (SPEC §8).
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { requireAdminPage } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { listConnections } from '@/lib/platforms/connections';
import { EmptyState, PageHeader } from '@/components/ui/card';
import { ConnectGuide } from '@/components/connections/connect-guide';
import { ConnectionTable } from '@/components/connections/connection-table';

export const metadata: Metadata = { title: 'Connections' };
export const dynamic = 'force-dynamic';

/** This service's address as the browser reached it: what the platform's settings should name. */
async function serviceUrl(): Promise<string> {
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host') ?? 'localhost:3000';
  const proto = h.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? 'http';
  return `${proto}://${host}`;
}

export default async function ConnectionsPage() {
  await requireAdminPage();
  const connections = await listConnections(await getDb());
  return (
    <>
      <PageHeader title="Connections" description="The Open edX LMS and Studio instances that send events and filter calls here." />
      <div className="space-y-6">
        {connections.length ? (
          <ConnectionTable connections={connections} />
        ) : (
          <EmptyState title="No platform has connected yet">
            Install the relay in your LMS and Studio with the steps below; each appears here after its first call.
          </EmptyState>
        )}
        <ConnectGuide serviceUrl={await serviceUrl()} open={connections.length === 0} />
      </div>
    </>
  );
}
