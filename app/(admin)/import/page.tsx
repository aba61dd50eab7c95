// Import from the openedx-webhooks plugin: how to export its configuration, then the file, preview and confirm.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { BackLink } from '@/components/ui/back-link';
import { Card, PageHeader } from '@/components/ui/card';
import { ImportFlow } from '@/components/import/import-flow';
import { scrollRegion } from '@/components/ui/scroll-region';

export const metadata: Metadata = { title: 'Import from openedx-webhooks' };

const code = 'block overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs whitespace-pre text-slate-100';

export default async function ImportPage({ searchParams }: { searchParams: Promise<{ from?: string }> }) {
  await requireAdminPage('editor');
  const from = (await searchParams).from === 'webfilters' ? 'webfilters' : 'webhooks';
  return (
    <>
      <BackLink href={`/${from}`}>{from === 'webfilters' ? 'Webfilters' : 'Webhooks'}</BackLink>
      <PageHeader
        title="Import from openedx-webhooks"
        description="Bring the webhooks and webfilters typed into the openedx-webhooks plugin's Django admin over in one step. Rows already here are skipped, so importing twice is safe."
      />
      <div className="space-y-6">
        <Card className="space-y-3 p-4 text-sm text-slate-700 sm:p-6">
          <p>
            1. Export the plugin&apos;s configuration on the Open edX host, with Django&apos;s standard command:
          </p>
          <code {...scrollRegion('Export command')} className={code}>./manage.py lms dumpdata openedx_webhooks --indent 2 &gt; openedx-webhooks.json</code>
          <p>In Tutor:</p>
          <code {...scrollRegion('Export command in Tutor')} className={code}>tutor local run lms ./manage.py lms dumpdata openedx_webhooks &gt; openedx-webhooks.json</code>
          <p>
            2. Choose that file below, read what will be created, then confirm. Webhooks get a signing secret of their own; webfilters keep
            their flags and their order.
          </p>
        </Card>
        <ImportFlow maxBytes={env().MAX_BODY_BYTES} />
      </div>
    </>
  );
}
