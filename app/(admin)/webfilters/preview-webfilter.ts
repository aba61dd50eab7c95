'use server';
// The body a webfilter for this filter receives (sample data), for the editor's live preview.
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { findFilter } from '@/lib/catalog';
import { sampleWebfilterPayload } from '@/lib/manage/samples';

const SAMPLE_ID = '5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';

export async function previewWebfilterAction(filterType: string): Promise<Record<string, unknown> | null> {
  await requireAdminAction('viewer');
  await platformCatalogReady(await getDb()); // a platform's own types too
  const filter = findFilter(filterType);
  return filter ? sampleWebfilterPayload(filter, SAMPLE_ID) : null;
}
