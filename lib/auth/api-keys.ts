// API keys: random tokens shown once, stored as SHA-256, scoped, revocable.
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys, type ApiKey } from '../db/schema';

export const SCOPES = ['events', 'filters', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function generateToken(): string {
  return `oewh_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type PublicApiKey = Omit<ApiKey, 'tokenHash'>;

function toPublic({ tokenHash: _omit, ...rest }: ApiKey): PublicApiKey {
  return rest;
}

export async function createApiKey(
  db: Db,
  input: { name: string; scopes: readonly Scope[]; token?: string },
): Promise<{ key: PublicApiKey; token: string }> {
  const token = input.token ?? generateToken();
  const [row] = await db
    .insert(apiKeys)
    .values({ name: input.name, scopes: [...input.scopes], prefix: token.slice(0, 12), tokenHash: hashToken(token) })
    .returning();
  return { key: toPublic(row!), token };
}

export async function listApiKeys(db: Db): Promise<PublicApiKey[]> {
  const rows = await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));
  return rows.map(toPublic);
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  keyCache.clear();
  return rows.length > 0;
}

/** Stores INITIAL_API_KEY with every scope unless a key with that token already exists. */
export async function ensureInitialApiKey(db: Db, token: string): Promise<void> {
  const existing = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.tokenHash, hashToken(token)));
  if (existing.length === 0) await createApiKey(db, { name: 'Initial key (INITIAL_API_KEY)', scopes: SCOPES, token });
}

// The LMS calls with the same key many times a second: remember lookups briefly.
// Revocation clears this process's cache at once; other processes see it within CACHE_MS.
// On globalThis: the LMS hot paths and Next.js's bundles load this module apart, and a revocation in one
// must reach the other's cache.
const CACHE_MS = 5_000;
const CACHE_KEY = Symbol.for('openedx-webhooks.api-key-cache');
const shared = ((globalThis as { [CACHE_KEY]?: unknown })[CACHE_KEY] ??= {
  keyCache: new Map<string, { key: ApiKey | null; at: number }>(),
  lastUsedWritten: new Map<string, number>(),
}) as { keyCache: Map<string, { key: ApiKey | null; at: number }>; lastUsedWritten: Map<string, number> };
const { keyCache, lastUsedWritten } = shared;

export async function findActiveKey(db: Db, token: string): Promise<ApiKey | null> {
  const hash = hashToken(token);
  const hit = keyCache.get(hash);
  const now = Date.now();
  if (hit && now - hit.at < CACHE_MS) return hit.key;
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.tokenHash, hash));
  const key = row && !row.revokedAt ? row : null;
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(hash, { key, at: now });
  if (key && now - (lastUsedWritten.get(key.id) ?? 0) > 60_000) {
    lastUsedWritten.set(key.id, now);
    // Last use is informative: written at most once a minute, never on the request's path.
    void db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, key.id)).catch(() => {});
  }
  return key;
}

export function clearApiKeyCache() {
  keyCache.clear();
}
