'use server';
// First-run action: creates the first admin (only while there is none) and signs them in.
import { z } from 'zod';
import { signIn } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { createFirstAdmin } from '@/lib/auth/users';

export type SetupState = { error?: string; fieldErrors?: Record<string, string>; values?: { name: string; email: string } };

const schema = z
  .object({
    name: z.string().trim().max(100),
    email: z.email('Enter a valid email address.'),
    password: z.string().min(10, 'Use at least 10 characters.').max(200),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The passwords do not match.' });

export async function setup(_prev: SetupState, form: FormData): Promise<SetupState> {
  const parsed = schema.safeParse(Object.fromEntries(form));
  // React resets the form after an action: send back what was typed (never the passwords).
  const values = { name: String(form.get('name') ?? ''), email: String(form.get('email') ?? '') };
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const i of parsed.error.issues) fieldErrors[String(i.path[0])] ??= i.message;
    return { fieldErrors, values };
  }
  const { db } = await getDb();
  const user = await createFirstAdmin(db, parsed.data);
  if (!user) return { error: 'An admin already exists: sign in instead.', values };
  await signIn('credentials', { email: parsed.data.email, password: parsed.data.password, redirectTo: '/webhooks' });
  return {};
}
