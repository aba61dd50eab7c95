'use server';
// The editor's live run of its transformation on the event's sample (SPEC §14), as POST /api/v1/transformations/run.
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { runTransformation, type RunResult } from '@/lib/manage/transformations';

export async function runTransformationAction(input: {
  source: string;
  event_type: string;
  url?: string;
  use_www_form_encoding?: boolean;
}): Promise<RunResult['body'] & { ok: boolean }> {
  await requireAdminAction('editor');
  await platformCatalogReady(await getDb()); // a platform's own types too
  const r = await runTransformation(input);
  return { ok: r.ok, ...r.body };
}
