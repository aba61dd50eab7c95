'use server';
// Creates an API key; the token is returned once, to be shown once.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { createApiKey } from '@/lib/auth/api-keys';
import { apiKeyInput } from '@/lib/validation/api-key';

export type CreateKeyState = { error?: string; token?: string; name?: string };

export async function createApiKeyAction(_prev: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  const admin = await requireAdminAction('owner');
  const parsed = apiKeyInput.safeParse({
    name: form.get('name'),
    scopes: form.getAll('scopes'),
    expires_in_days: form.get('expires_in_days') || undefined,
  });
  if (!parsed.success) return { error: parsed.error.issues[0]!.message };
  const { db } = await getDb();
  const { expires_in_days: days, ...input } = parsed.data;
  const expiresAt = days ? new Date(Date.now() + days * 86_400_000) : null;
  const { token, key } = await createApiKey(db, { ...input, createdBy: admin.id, expiresAt }, await actionAudit(admin));
  revalidatePath('/api-keys');
  return { token, name: key.name };
}
