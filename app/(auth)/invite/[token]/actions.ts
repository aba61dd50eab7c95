'use server';
// Accepting an invitation: the invitee chooses a password, the invitation is used (once), and they are signed in.
import { headers } from 'next/headers';
import { signIn } from '@/lib/auth';
import { clientAddress } from '@/lib/auth/trust-proxy';
import { getDb } from '@/lib/db';
import { acceptInvitation } from '@/lib/team/invitations';
import { password } from '@/lib/team/users';
import { z } from 'zod';

export type AcceptState = { error?: string; fieldErrors?: Record<string, string>; name?: string };

const schema = z
  .object({ token: z.string().min(1).max(200), name: z.string().trim().max(100), password, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The passwords do not match.' });

export async function acceptInvitationAction(_prev: AcceptState, form: FormData): Promise<AcceptState> {
  const parsed = schema.safeParse(Object.fromEntries(form));
  const name = String(form.get('name') ?? '');
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const i of parsed.error.issues) fieldErrors[String(i.path[0])] ??= i.message;
    return { fieldErrors, name };
  }
  const address = clientAddress(await headers());
  const used = await acceptInvitation(await getDb(), parsed.data.token, { name: parsed.data.name, password: parsed.data.password, ip: address === 'unknown' ? null : address });
  if (!used.ok) return { error: used.error, name };
  await signIn('credentials', { email: used.user.email, password: parsed.data.password, redirectTo: '/webhooks' });
  return {};
}
