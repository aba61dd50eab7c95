'use server';
// Moves a webfilter one place earlier or later among those of its filter (later ones override earlier ones).
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { moveWebfilter } from '@/lib/manage/webfilters';

export async function moveWebfilterAction(id: string, direction: 'up' | 'down'): Promise<{ error?: string }> {
  const admin = await requireAdminAction('editor');
  const moved = await moveWebfilter(await getDb(), id, direction === 'up' ? 'up' : 'down', await actionAudit(admin));
  if (!moved.ok) return { error: moved.error };
  revalidatePath('/webfilters');
  return {};
}
