'use server';
// Creates a webfilter from the editor.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';
import { createWebfilter } from '@/lib/manage/webfilters';

export async function createWebfilterAction(
  values: unknown,
): Promise<{ ok: true; id: string; warning: string | null } | ActionFailure> {
  const admin = await requireAdminAction('editor');
  const saved = await createWebfilter(await getDb(), values, await actionAudit(admin));
  if (!saved.ok) return actionFailure(saved);
  revalidatePath('/webfilters');
  return { ok: true, id: saved.value.row.id, warning: saved.value.warning };
}
