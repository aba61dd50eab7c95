// next-auth (Auth.js v5): email + password sign-in, and Open edX when configured; JWT sessions backed by a revocable row.
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { NextRequest } from 'next/server';
import { z } from 'zod';
import { getDb } from '../db';
import { env } from '../env';
import { requestOrigin } from './origin';
import { PasswordBusyError } from './password';
import { clearSignIn, reserveSignIn, waitText } from './rate-limit';
import { authSecret } from './secret';
import { createSession, deleteSession, sessionValid } from './sessions';
import { clientAddress } from './trust-proxy';
import { verifyCredentials } from './users';
import { INVITE_COOKIE, LINK_COOKIE, readLinkIntent } from './openedx-intent';
import { cookies, headers } from 'next/headers';
import { openedxEnabled, openedxProvider, type OpenedxProfile } from './openedx';
import { admitOpenedx } from '../team/openedx-admit';
import { eq } from 'drizzle-orm';
import { users } from '../db/schema';

const credentials = z.object({ email: z.string().trim().min(1), password: z.string().min(1) });
const SESSION_MAX_AGE = 7 * 24 * 3600;

/** A sign-in refused before its password was checked: the budget is spent (or too many checks run at once). */
export class SignInThrottled extends CredentialsSignin {
  constructor(readonly retryAfterSeconds: number) {
    super();
    // Travels in the error redirect (?code=throttled_120), where the route turns it into a 429.
    this.code = `throttled_${retryAfterSeconds}`;
  }
}

export const throttledSentence = (seconds: number) =>
  `Too many sign-in attempts for this account or from this address. Try again in ${waitText(seconds)}.`;

const nextAuth = NextAuth(() => ({
  secret: authSecret(),
  // The host is ours to judge: server.ts keeps a forwarded host only from a proxy TRUST_PROXY names.
  trustHost: true,
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE },
  pages: { signIn: '/login' },
  logger: {
    // Wrong passwords and refusals are expected answers, not errors worth a stack trace each.
    error(error: Error) {
      if (error instanceof CredentialsSignin) return;
      console.error('[auth]', error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) throw new CredentialsSignin();
        const { email, password } = parsed.data;
        const address = clientAddress(request.headers);
        const handle = await getDb();
        // Counted before the password is checked, so parallel guesses are counted too.
        const check = await reserveSignIn(handle, email, address);
        if (!check.ok) throw new SignInThrottled(check.retryAfterSeconds);
        let user;
        try {
          user = await verifyCredentials(handle.db, email, password);
        } catch (err) {
          if (err instanceof PasswordBusyError) throw new SignInThrottled(1);
          throw err;
        }
        if (!user) throw new CredentialsSignin();
        await clearSignIn(handle, email, address);
        return { id: user.id, email: user.email, name: user.name || user.email };
      },
    }),
    ...(openedxEnabled(env()) ? [openedxProvider(env())] : []),
  ],
  callbacks: {
    async signIn({ account, profile, user }) {
      if (account?.provider !== 'openedx') return true;
      const handle = await getDb();
      // What the visitor asked for before leaving for the LMS: read once, then forgotten.
      const jar = await cookies();
      const linkUserId = readLinkIntent(jar.get(LINK_COOKIE)?.value);
      const invitationToken = jar.get(INVITE_COOKIE)?.value ?? null;
      for (const name of [LINK_COOKIE, INVITE_COOKIE]) if (jar.has(name)) jar.delete({ name, path: '/api/auth' });
      const address = clientAddress(await headers());
      const admitted = await admitOpenedx(handle, profile as unknown as OpenedxProfile, {
        staffRole: env().OPENEDX_OAUTH_STAFF_ROLE,
        ip: address === 'unknown' ? null : address,
        linkUserId,
        invitationToken,
      });
      if (!admitted.ok) return `/login?error=openedx_${admitted.reason}`;
      // The session is this service's user (the provider named the LMS user): jwt() below reads it from here.
      user.id = admitted.user.id;
      user.email = admitted.user.email;
      return true;
    },
    async jwt({ token, user }) {
      const { db } = await getDb();
      if (user?.id) {
        const id = user.id;
        token.sub = id;
        token.sid = await createSession(db, id, SESSION_MAX_AGE);
        await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, id));
        return token;
      }
      // Signed out elsewhere, expired, or the user was removed: the cookie no longer opens anything.
      return (await sessionValid(db, token.sid, token.sub)) ? token : null;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    async signOut(message) {
      if ('token' in message && message.token) await deleteSession((await getDb()).db, message.token.sid);
    },
  },
}));

export const { auth, signIn, signOut } = nextAuth;

/**
 * The request as the visitor addressed it: Next.js gives route handlers http://localhost:<port>/… (its
 * NextURL even turns 127.0.0.1 and [::1] into "localhost"), from which next-auth would build its redirects
 * and choose Secure cookies. A plain Request keeps the origin as given. AUTH_URL, when set, is applied by
 * next-auth itself (from the NextRequest).
 */
function atPublicOrigin(req: NextRequest): Request {
  if (env().AUTH_URL) return req;
  const origin = requestOrigin(req.headers);
  if (!origin) return req;
  const { pathname, search } = req.nextUrl;
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(origin + pathname + search, {
    method: req.method,
    headers: req.headers,
    body: hasBody ? req.body : undefined,
    duplex: 'half',
  } as RequestInit);
}

/** A refused sign-in answers 429 with Retry-After, not a redirect to the form. */
function refusedAs429(res: Response): Response {
  const location = res.headers.get('location');
  const code = location ? /[?&]code=throttled_(\d+)/.exec(location) : null;
  if (!code) return res;
  const seconds = Number(code[1]);
  return Response.json({ error: throttledSentence(seconds) }, { status: 429, headers: { 'retry-after': String(seconds) } });
}

// next-auth's handlers read only url, method, headers and body of a plain Request (nextUrl only for AUTH_URL).
type AuthHandler = (req: NextRequest) => Promise<Response>;
const forward = (handler: AuthHandler, req: Request) => handler(req as NextRequest);

export const handlers = {
  GET: (req: NextRequest) => forward(nextAuth.handlers.GET, atPublicOrigin(req)),
  POST: async (req: NextRequest) => refusedAs429(await forward(nextAuth.handlers.POST, atPublicOrigin(req))),
};
