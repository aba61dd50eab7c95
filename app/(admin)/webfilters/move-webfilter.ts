'use server';
// Moves a webfilter one place earlier or later among those of its filter (later ones override earlier ones).
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { moveWebfilter } from '@/lib/manage/webfilters';

export async function moveWebfilterAction(id: string, direction: 'up' | 'down'): Promise<{ error?: string }> {
  await requireAdminAction();
  const moved = await moveWebfilter(await getDb(), id, direction === 'up' ? 'up' : 'down');
  if (!moved.ok) return { error: moved.error };
  revalidatePath('/webfilters');
  return {};
}
