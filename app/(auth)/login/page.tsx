import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getDb } from '@/lib/db';
import { hasAdmin } from '@/lib/auth/users';
import { currentAdmin } from '@/lib/auth/session';
import { LoginForm } from '@/components/auth/login-form';
import { openedxEnabled } from '@/lib/auth/openedx';
import { env } from '@/lib/env';

export const metadata: Metadata = { title: 'Sign in' };

const ERRORS: Record<string, string> = {
  openedx_not_invited: 'Your Open edX account may not enter here: ask an owner for an invitation, and open its link.',
  openedx_no_email: 'Your Open edX account did not give an email address, so it cannot be matched to a member of the team.',
  openedx_unverified: 'Your Open edX account has not confirmed its email address: activate it on Open edX first, or ask an owner for an invitation.',
  openedx_not_linked:
    'A member of the team has this email but has not linked an Open edX account: sign in with your password, then choose "Link Open edX account" at the top of the page.',
  openedx_linked_elsewhere: 'This Open edX account is already linked to another member of the team.',
  openedx_removed: 'Your Open edX account was removed from the team: ask an owner to invite you again.',
  openedx_invitation: 'The invitation could not be used: it has expired or was used already. Ask an owner for a new one.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { db } = await getDb();
  if (!(await hasAdmin(db))) redirect('/setup');
  if (await currentAdmin()) redirect('/webhooks');
  const { next, error } = await searchParams;
  const failure = error ? (ERRORS[error] ?? (error.startsWith('openedx') || error === 'AccessDenied' ? 'The sign-in with Open edX did not succeed: try again.' : undefined)) : undefined;
  return <LoginForm next={next ?? ''} openedx={openedxEnabled(env())} failure={failure} />;
}
