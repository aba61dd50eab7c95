'use server';
// The import page's confirm: imports the dumpdata file in one transaction.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { importOpenedxWebhooks, type ImportReport } from '@/lib/import/run';
import { parseImportText } from '@/lib/import/text';

export async function runImportAction(text: unknown): Promise<{ ok: true; report: ImportReport } | { ok: false; error: string }> {
  const admin = await requireAdminAction('editor');
  const file = parseImportText(text, env().MAX_BODY_BYTES);
  if (!file.ok) return file;
  const report = await importOpenedxWebhooks(await getDb(), file.value, { dryRun: false }, await actionAudit(admin));
  if (!report.ok) return { ok: false, error: report.error };
  revalidatePath('/webhooks');
  revalidatePath('/webfilters');
  return { ok: true, report: report.value };
}
