'use server';
// "Link Open edX account": from a member's own session, the LMS account they sign in with next becomes theirs.
import { cookies, headers } from 'next/headers';
import { signIn } from '@/lib/auth';
import { intentCookie, LINK_COOKIE, linkIntent } from '@/lib/auth/openedx-intent';
import { requireAdminAction } from '@/lib/auth/session';

export async function linkOpenedxAction(): Promise<void> {
  const admin = await requireAdminAction('viewer');
  (await cookies()).set(LINK_COOKIE, linkIntent(admin.id), intentCookie(await headers()));
  await signIn('openedx', { redirectTo: '/webhooks' });
}
