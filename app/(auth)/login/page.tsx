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
  openedx_not_invited: 'Your Open edX account may not enter here: ask an owner for an invitation to the email of that account.',
  openedx_no_email: 'Your Open edX account did not give an email address, so it cannot be matched to a member of the team.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { db } = await getDb();
  if (!(await hasAdmin(db))) redirect('/setup');
  if (await currentAdmin()) redirect('/webhooks');
  const { next, error } = await searchParams;
  const failure = error ? (ERRORS[error] ?? (error.startsWith('openedx') || error === 'AccessDenied' ? 'The sign-in with Open edX did not succeed: try again.' : undefined)) : undefined;
  return <LoginForm next={next ?? ''} openedx={openedxEnabled(env())} failure={failure} />;
}
