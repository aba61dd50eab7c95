// "Sign in with Open edX" (SPEC §10): an OAuth2 authorization-code provider against the LMS's own OAuth2
// server (django-oauth-toolkit at /oauth2/authorize and /oauth2/access_token). The token is asked for as a
// JWT (token_type=jwt), whose claims carry the username, email, name and the staff/superuser flags; an LMS
// that answers with an opaque token is asked /api/user/v1/me and /api/user/v1/accounts/{username} instead.
// Who may enter is decided by this service (see admitOpenedx), never by the LMS.
import type { OAuthConfig } from 'next-auth/providers';
import { customFetch } from 'next-auth';
import type { Env } from '../env';

export interface OpenedxProfile {
  username: string;
  email: string;
  name: string;
  /** is_staff or is_superuser on the LMS (false when the LMS did not say). */
  staff: boolean;
  /**
   * Whether the LMS says the email is verified: the JWT's email_verified, which edx-platform sets from
   * user.is_active (openedx/core/djangoapps/oauth_dispatch/jwt.py), or the account's is_active. False when
   * the LMS did not say: anyone can register any email on an LMS before activating it.
   */
  emailVerified: boolean;
}

const base = (e: Env) => e.OPENEDX_OAUTH_URL!.replace(/\/+$/, '');

export const openedxEnabled = (e: Env) => !!(e.OPENEDX_OAUTH_URL && e.OPENEDX_OAUTH_CLIENT_ID && e.OPENEDX_OAUTH_CLIENT_SECRET);

/** The claims of a JWT, unverified: it came straight from the LMS's token endpoint, over our own connection. */
function jwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export async function openedxProfile(lms: string, accessToken: string, fetchImpl: typeof fetch = fetch): Promise<OpenedxProfile> {
  const claims = jwtClaims(accessToken);
  if (claims && str(claims.preferred_username) && str(claims.email)) {
    return {
      username: str(claims.preferred_username),
      email: str(claims.email),
      name: str(claims.name),
      staff: claims.administrator === true || claims.superuser === true,
      emailVerified: claims.email_verified === true,
    };
  }
  const auth = { authorization: `${claims ? 'JWT' : 'Bearer'} ${accessToken}`, accept: 'application/json' };
  const me = await fetchImpl(`${lms}/api/user/v1/me`, { headers: auth });
  if (!me.ok) throw new Error(`The LMS answered ${me.status} to /api/user/v1/me.`);
  const { username } = (await me.json()) as { username?: string };
  if (!username) throw new Error('The LMS did not say who signed in.');
  const account = await fetchImpl(`${lms}/api/user/v1/accounts/${encodeURIComponent(username)}`, { headers: auth });
  if (!account.ok) throw new Error(`The LMS answered ${account.status} to /api/user/v1/accounts/${username}.`);
  const a = (await account.json()) as Record<string, unknown>;
  return { username, email: str(a.email), name: str(a.name), staff: a.is_staff === true || a.is_superuser === true, emailVerified: a.is_active === true };
}

export function openedxProvider(e: Env): OAuthConfig<OpenedxProfile> {
  const lms = base(e);
  return {
    id: 'openedx',
    name: 'Open edX',
    type: 'oauth',
    // The LMS's OAuth2 server sends no "iss" with the code; a server that does (RFC 9207) must name the LMS.
    issuer: lms,
    clientId: e.OPENEDX_OAUTH_CLIENT_ID,
    clientSecret: e.OPENEDX_OAUTH_CLIENT_SECRET,
    client: { token_endpoint_auth_method: 'client_secret_post' },
    checks: ['pkce', 'state'],
    authorization: { url: `${lms}/oauth2/authorize`, params: { scope: 'profile email' } },
    token: {
      url: `${lms}/oauth2/access_token`,
      // The LMS names a JWT access token's type "JWT"; the OAuth library takes only Bearer or DPoP.
      async conform(res: Response) {
        const body = (await res.clone().json().catch(() => null)) as Record<string, unknown> | null;
        if (!body || typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'jwt') return res;
        return Response.json({ ...body, token_type: 'Bearer' }, { status: res.status });
      },
    },
    userinfo: {
      url: `${lms}/api/user/v1/me`,
      async request({ tokens }: { tokens: { access_token?: string } }) {
        const profile = await openedxProfile(lms, tokens.access_token ?? '');
        return profile as unknown as Record<string, unknown>;
      },
    },
    profile(p) {
      return { id: p.username, email: p.email, name: p.name || p.username };
    },
    // Ask the token endpoint for a JWT (Open edX's token_type parameter).
    [customFetch]: async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === `${lms}/oauth2/access_token` && init?.body instanceof URLSearchParams) init.body.set('token_type', 'jwt');
      return fetch(input, init);
    },
  } as OAuthConfig<OpenedxProfile>;
}
