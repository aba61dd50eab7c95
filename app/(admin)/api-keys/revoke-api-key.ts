'use server';
// Revokes an API key at once.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { revokeApiKey } from '@/lib/auth/api-keys';

export async function revokeApiKeyAction(id: string): Promise<{ error?: string }> {
  const admin = await requireAdminAction('owner');
  if (!z.uuid().safeParse(id).success) return { error: 'Unknown API key.' };
  const { db } = await getDb();
  if (!(await revokeApiKey(db, id, await actionAudit(admin)))) return { error: 'This key was already revoked.' };
  revalidatePath('/api-keys');
  return {};
}
