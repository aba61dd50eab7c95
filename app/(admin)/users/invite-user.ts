'use server';
// Invites someone: the link (valid 7 days, once) is returned to be shown once, and mailed when SMTP_URL is set.
import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { requestOrigin } from '@/lib/auth/origin';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { createInvitation, invitationPath } from '@/lib/team/invitations';
import { mailInvitation } from '@/lib/team/mail';

export type InviteState = { error?: string; url?: string; email?: string; expiresAt?: string; mailed?: boolean; mailError?: string };

export async function inviteUserAction(_prev: InviteState, form: FormData): Promise<InviteState> {
  const admin = await requireAdminAction('owner');
  const input = { email: String(form.get('email') ?? '').trim(), role: String(form.get('role') ?? 'viewer') };
  const created = await createInvitation(await getDb(), input, await actionAudit(admin), { createdBy: admin.id });
  if (!created.ok) return { error: created.error };
  const { token, invitation } = created.value;
  const url = `${requestOrigin(await headers()) ?? ''}${invitationPath(token)}`;
  const mail = await mailInvitation(invitation.email, url, invitation.expiresAt, admin.email);
  revalidatePath('/users');
  return { url, email: invitation.email, expiresAt: invitation.expiresAt.toISOString(), mailed: mail.sent, mailError: mail.error };
}
