// Open edX identities of removed members (review finding 5): "Sign in with Open edX" keeps them out, even as
// LMS staff with OPENEDX_OAUTH_STAFF_ROLE, until an owner invites that person again and they use the link.
import { eq, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { openedxExclusions, type User } from '../db/schema';
import type { OpenedxProfile } from '../auth/openedx';

const sameEmail = (email: string) => sql`lower(${openedxExclusions.email}) = ${email.trim().toLowerCase()}`;

/** Whether an owner removed this LMS identity (by username, or by its email when the LMS verified it). */
export async function isExcluded(db: Db, p: Pick<OpenedxProfile, 'username' | 'email' | 'emailVerified'>): Promise<boolean> {
  const byUsername = eq(openedxExclusions.openedxUsername, p.username);
  const where = p.email && p.emailVerified ? or(byUsername, sameEmail(p.email)) : byUsername;
  const [row] = await db.select({ id: openedxExclusions.id }).from(openedxExclusions).where(where).limit(1);
  return !!row;
}

/** Remembers a removed member's email and LMS username. */
export async function excludeIdentity(db: Db, member: Pick<User, 'email' | 'openedxUsername'>): Promise<void> {
  await db.insert(openedxExclusions).values({ email: member.email, openedxUsername: member.openedxUsername });
}

/** Forgets a removal: the person came back through an owner's invitation. */
export async function clearExclusion(db: Db, email: string, username: string | null): Promise<void> {
  await db.delete(openedxExclusions).where(username ? or(sameEmail(email), eq(openedxExclusions.openedxUsername, username)) : sameEmail(email));
}
