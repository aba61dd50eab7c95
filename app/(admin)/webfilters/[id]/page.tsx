// One webfilter's editor, with delete.
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAdminPage } from '@/lib/auth/session';
import { editorCatalog } from '@/lib/platforms/catalog';
import { getDb } from '@/lib/db';
import { getWebfilter, webfilterValues } from '@/lib/manage/webfilters';
import { targetWarning } from '@/lib/manage/target-warning';
import { PageHeader } from '@/components/ui/card';
import { BackLink } from '@/components/ui/back-link';
import { DeleteWebfilter } from '@/components/webfilters/delete-webfilter';
import { WebfilterForm } from '@/components/webfilters/webfilter-form';
import { maskTargetUrl } from '@/lib/secrets/target-url';

export const metadata: Metadata = { title: 'Edit webfilter' };

export default async function EditWebfilterPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdminPage();
  const platform = await editorCatalog(await getDb());
  const { id } = await params;
  const webfilter = await getWebfilter(await getDb(), id);
  if (!webfilter) notFound();
  return (
    <>
      <BackLink href="/webfilters">Webfilters</BackLink>
      <PageHeader
        title={webfilter.description || 'Webfilter'}
        description={
          <>
            Created {webfilter.createdAt.toISOString().slice(0, 10)} ·{' '}
            <Link className="text-indigo-700 underline underline-offset-2 hover:text-indigo-900" href={`/deliveries?target_id=${webfilter.id}`}>
              calls
            </Link>
          </>
        }
      />
      <WebfilterForm platform={platform} id={webfilter.id} initial={{ ...webfilterValues(webfilter), url: maskTargetUrl(webfilter.url), headers: Object.keys(webfilter.headers ?? {}).map((name) => ({ name, value: '' })) }}
        storedHeaders={Object.keys(webfilter.headers ?? {})}
        warning={await targetWarning(webfilter.url)}>
        <DeleteWebfilter id={webfilter.id} name={webfilter.description || maskTargetUrl(webfilter.url)} />
      </WebfilterForm>
    </>
  );
}
