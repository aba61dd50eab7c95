// Admin accounts: the first-run check, creation and credential verification.
import { eq, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client';
import { users, type User } from '../db/schema';
import { hashPassword, verifyPassword } from './password';

let someAdminExists = false;

/** True once any admin exists (remembered: admins are never all deleted from the app). */
export async function hasAdmin(db: Db): Promise<boolean> {
  if (someAdminExists) return true;
  const rows = await db.select({ id: users.id }).from(users).limit(1);
  someAdminExists = rows.length > 0;
  return someAdminExists;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`);
  return row;
}

export async function createAdmin(db: Db, input: { email: string; name?: string; password: string }): Promise<User> {
  const [row] = await db
    .insert(users)
    .values({ email: input.email.trim(), name: input.name?.trim() ?? '', passwordHash: await hashPassword(input.password) })
    .returning();
  someAdminExists = true;
  return row!;
}

/**
 * First-run creation: only succeeds while there is no admin at all. Two setups at once must not both see an
 * empty table (each would insert under READ COMMITTED): a transaction-scoped advisory lock orders them.
 */
export async function createFirstAdmin(
  db: Db,
  input: { email: string; name?: string; password: string },
): Promise<User | null> {
  const hash = await hashPassword(input.password);
  const created = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`);
    const rows = await tx.execute(sql`
      insert into users (email, name, password_hash)
      select ${input.email.trim()}, ${input.name?.trim() ?? ''}, ${hash}
      where not exists (select 1 from users)
      returning id`);
    return rowsOf(rows).length > 0;
  });
  if (!created) return null;
  someAdminExists = true;
  return (await findUserByEmail(db, input.email)) ?? null;
}

/** Any constant shared by every process; "oewh" first-admin. */
const FIRST_ADMIN_LOCK = 0x6f657768;

/** Creates ADMIN_EMAIL with ADMIN_PASSWORD at start when that admin does not exist yet. */
export async function ensureAdmin(db: Db, email: string, password: string): Promise<void> {
  if (!(await findUserByEmail(db, email))) await createAdmin(db, { email, password, name: 'Admin' });
}

export async function verifyCredentials(db: Db, email: string, password: string): Promise<User | null> {
  const user = await findUserByEmail(db, email);
  // Hash anyway when the user is unknown, so timing does not tell which emails exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  return user && ok ? user : null;
}

export async function userExists(db: Db, id: string): Promise<boolean> {
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.id, id));
  return rows.length > 0;
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
