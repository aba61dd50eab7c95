'use server';
// A filter type's policy from the webfilters page (SPEC §12): set it, or (reset) return it to the defaults.
import { revalidatePath } from 'next/cache';
import { actionAudit } from '@/lib/audit/context';
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { deleteFilterPolicy, putFilterPolicy } from '@/lib/manage/filter-policies';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';

export async function saveFilterPolicyAction(filterType: string, values: { timeout_ms: number; on_unreachable: string } | null): Promise<{ ok: true } | ActionFailure> {
  const admin = await requireAdminAction('editor');
  const handle = await getDb();
  const ctx = await actionAudit(admin);
  const saved = values === null ? await deleteFilterPolicy(handle, filterType, ctx) : await putFilterPolicy(handle, filterType, values, ctx);
  if (!saved.ok) return actionFailure(saved);
  revalidatePath('/webfilters');
  return { ok: true };
}
