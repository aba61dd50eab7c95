'use server';
// Saves the webfilter editor, or the list's enabled toggle (a partial change).
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';
import { updateWebfilter } from '@/lib/manage/webfilters';

export async function updateWebfilterAction(
  id: string,
  values: unknown,
): Promise<{ ok: true; warning: string | null; position: number } | ActionFailure> {
  const admin = await requireAdminAction('editor');
  const saved = await updateWebfilter(await getDb(), id, values, await actionAudit(admin));
  if (!saved.ok) return actionFailure(saved);
  revalidatePath('/webfilters');
  revalidatePath(`/webfilters/${id}`);
  return { ok: true, warning: saved.value.warning, position: saved.value.row.position };
}
