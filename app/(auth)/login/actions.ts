'use server';
// Sign-in action: checks the credentials through next-auth and answers the form with an error or a redirect.
import { AuthError } from 'next-auth';
import { signIn, SignInThrottled, throttledSentence } from '@/lib/auth';

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
