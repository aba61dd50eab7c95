'use server';
// Creates an API key; the token is returned once, to be shown once.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { createApiKey } from '@/lib/auth/api-keys';
import { apiKeyInput } from '@/lib/validation/api-key';

export type CreateKeyState = { error?: string; token?: string; name?: string };

export async function createApiKeyAction(_prev: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  await requireAdminAction();
  const parsed = apiKeyInput.safeParse({ name: form.get('name'), scopes: form.getAll('scopes') });
  if (!parsed.success) return { error: parsed.error.issues[0]!.message };
  const { db } = await getDb();
  const { token, key } = await createApiKey(db, parsed.data);
  revalidatePath('/api-keys');
  return { token, name: key.name };
}
