'use server';
// The import page's preview: what importing the chosen dumpdata file would do, changing nothing.
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { importOpenedxWebhooks, type ImportReport } from '@/lib/import/run';
import { parseImportText } from '@/lib/import/text';

export async function previewImportAction(text: unknown): Promise<{ ok: true; report: ImportReport } | { ok: false; error: string }> {
  await requireAdminAction('editor');
  const file = parseImportText(text, env().MAX_BODY_BYTES);
  if (!file.ok) return file;
  const report = await importOpenedxWebhooks(await getDb(), file.value, { dryRun: true });
  return report.ok ? { ok: true, report: report.value } : { ok: false, error: report.error };
}
