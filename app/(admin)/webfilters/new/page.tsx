// The "new webfilter" editor.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { editorCatalog } from '@/lib/platforms/catalog';
import { getDb } from '@/lib/db';
import { findFilter } from '@/lib/catalog';
import { PageHeader } from '@/components/ui/card';
import { BackLink } from '@/components/ui/back-link';
import { WebfilterForm } from '@/components/webfilters/webfilter-form';

export const metadata: Metadata = { title: 'New webfilter' };

// ?filter_type= preselects a filter (a class name works too).
export default async function NewWebfilterPage({ searchParams }: { searchParams: Promise<{ filter_type?: string }> }) {
  await requireAdminPage('editor');
  const platform = await editorCatalog(await getDb());
  const { filter_type } = await searchParams;
  const initial = {
    description: '',
    filter_type: (filter_type && findFilter(filter_type)?.filterType) || '',
    mode: 'enforce' as const,
    personal_data: 'send' as const,
    url: '',
    enabled: true,
    disable_filtering: false,
    disable_halting: false,
    halt_on_4xx: false,
    redirect_on_4xx: '',
    halt_on_5xx: false,
    redirect_on_5xx: '',
    halt_on_request_exception: false,
    redirect_on_request_exception: '',
    use_www_form_encoding: false,
    position: undefined,
  };
  return (
    <>
      <BackLink href="/webfilters">Webfilters</BackLink>
      <PageHeader title="New webfilter" description="When the LMS runs the filter, your URL gets its data and may change it or stop the process." />
      <WebfilterForm platform={platform} id={null} initial={initial} warning={null} />
    </>
  );
}
