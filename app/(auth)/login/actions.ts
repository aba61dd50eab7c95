'use server';
// Sign-in actions: the credentials through next-auth, and Open edX (sign in, or join with an invitation).
import { AuthError } from 'next-auth';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { signIn, SignInThrottled, throttledSentence } from '@/lib/auth';
import { INVITE_COOKIE, intentCookie } from '@/lib/auth/openedx-intent';
import { getDb } from '@/lib/db';
import { checkInvitation } from '@/lib/team/invitations';

export type LoginState = { error?: string; email?: string };

function safeNext(next: FormDataEntryValue | null): string {
  const value = typeof next === 'string' ? next : '';
  // Only same-site paths: never redirect to another origin after sign-in.
  return value.startsWith('/') && !value.startsWith('//') ? value : '/webhooks';
}

export async function login(_prev: LoginState, form: FormData): Promise<LoginState> {
  const email = String(form.get('email') ?? '').trim();
  const password = String(form.get('password') ?? '');
  if (!email || !password) return { error: 'Enter your email and password.', email };
  try {
    await signIn('credentials', { email, password, redirectTo: safeNext(form.get('next')) });
    return {};
  } catch (err) {
    if (err instanceof SignInThrottled) return { error: throttledSentence(err.retryAfterSeconds), email };
    if (err instanceof AuthError) return { error: 'Wrong email or password.', email };
    throw err; // the redirect after a successful sign-in
  }
}

/** "Sign in with Open edX": off to the LMS; who may enter is decided when it sends the visitor back. */
export async function loginWithOpenedx(form: FormData): Promise<void> {
  await signIn('openedx', { redirectTo: safeNext(form.get('next')) });
}

/** Joining from an invitation's page with Open edX: the token travels in a short-lived cookie to the callback. */
export async function joinWithOpenedx(form: FormData): Promise<void> {
  const token = String(form.get('token') ?? '');
  if (!(await checkInvitation((await getDb()).db, token)).ok) redirect(`/invite/${encodeURIComponent(token)}`);
  (await cookies()).set(INVITE_COOKIE, token, intentCookie(await headers()));
  await signIn('openedx', { redirectTo: '/webhooks' });
}
