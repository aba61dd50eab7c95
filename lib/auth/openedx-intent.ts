// What a visitor asked for before going to the LMS, kept in short-lived httpOnly cookies that only the sign-in
// callback reads: "link my Open edX account" (signed with the auth secret and bound to the member who asked,
// from their own session) or "join with this invitation" (the invitation's token, checked again on return).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { requestOrigin } from './origin';
import { authSecret } from './secret';

export const LINK_COOKIE = 'oewh-openedx-link';
export const INVITE_COOKIE = 'oewh-openedx-invite';
/** Long enough to sign in on the LMS, short enough that a forgotten intent does not linger. */
export const INTENT_SECONDS = 600;

const mac = (text: string) => createHmac('sha256', authSecret()).update(`openedx-link:${text}`).digest('base64url');

/** "<user id>.<expiry>.<mac>" for the member who asked to link their Open edX account. */
export function linkIntent(userId: string, now = Date.now()): string {
  const body = `${userId}.${Math.floor(now / 1000) + INTENT_SECONDS}`;
  return `${body}.${mac(body)}`;
}

/** The member a link intent was made for, or null when it is forged, altered or expired. */
export function readLinkIntent(value: string | undefined, now = Date.now()): string | null {
  const parts = value?.split('.') ?? [];
  if (parts.length !== 3) return null;
  const [userId, expiry, given] = parts as [string, string, string];
  const expected = Buffer.from(mac(`${userId}.${expiry}`));
  const got = Buffer.from(given);
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  return Number(expiry) * 1000 > now ? userId : null;
}

/** Cookie options for an intent: only the sign-in routes get it back; Secure when the visitor came over HTTPS. */
export const intentCookie = (headers: Headers) => ({
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: requestOrigin(headers)?.startsWith('https:') ?? false,
  path: '/api/auth',
  maxAge: INTENT_SECONDS,
});
