// next-auth (Auth.js v5): email + password sign-in for admins, JWT sessions.
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDb } from '../db';
import { authSecret } from './secret';
import { clientAddress, recordFailure, recordSuccess, signInDelayMs } from './rate-limit';
import { verifyCredentials } from './users';

const credentials = z.object({ email: z.string().trim().min(1), password: z.string().min(1) });

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: authSecret(),
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 7 * 24 * 3600 },
  pages: { signIn: '/login' },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) throw new CredentialsSignin();
        // Counted per address and per account: a forwarded-for header can be forged, an email cannot be
        // guessed around.
        const keys = [clientAddress(request.headers), `email:${parsed.data.email.toLowerCase()}`];
        const wait = Math.max(...keys.map(signInDelayMs));
        if (wait) await new Promise((r) => setTimeout(r, wait));
        const { db } = await getDb();
        const user = await verifyCredentials(db, parsed.data.email, parsed.data.password);
        if (!user) {
          keys.forEach(recordFailure);
          throw new CredentialsSignin();
        }
        keys.forEach(recordSuccess);
        return { id: user.id, email: user.email, name: user.name || user.email };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
}));
