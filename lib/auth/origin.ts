// The origin the visitor used (scheme and host), for sign-in redirects and the same-origin check of
// cookie-authenticated changes. AUTH_URL pins it; otherwise the Host header, or the forwarded host and
// scheme where TRUST_PROXY lets a proxy set them (applyTrustProxy has already dropped them elsewhere).
import { env } from '../env';

export function requestOrigin(headers: Headers): string | null {
  const pinned = env().AUTH_URL;
  if (pinned) return new URL(pinned).origin;
  const host = headers.get('x-forwarded-host') ?? headers.get('host');
  if (!host) return null;
  const proto = headers.get('x-forwarded-proto') === 'https' ? 'https' : 'http';
  // A "host" with a path, credentials or spaces in it is not one.
  if (/[\s/?#@\\]/.test(host)) return null;
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return null;
  }
}
