'use server';
// "Send test": runs a sample filter call through the filter engine with just the webfilter in the editor.
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';
import { testWebfilter, type WebfilterTest } from '@/lib/manage/send-test';

export async function testWebfilterAction(id: string | null, values: unknown): Promise<({ ok: true } & WebfilterTest) | ActionFailure> {
  const admin = await requireAdminAction('editor');
  await platformCatalogReady(await getDb()); // a platform's own types too
  const result = await testWebfilter(await getDb(), id, values, await actionAudit(admin));
  return result.ok ? { ok: true, ...result.value } : actionFailure(result);
}
