// API keys: random tokens shown once, stored as SHA-256, scoped, revocable.
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, ne } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys, users, type ApiKey } from '../db/schema';
import { audited, type AuditContext } from '../audit/record';

export const SCOPES = ['events', 'filters', 'admin', 'metrics'] as const;
export type Scope = (typeof SCOPES)[number];

export function generateToken(): string {
  return `oewh_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type PublicApiKey = Omit<ApiKey, 'tokenHash'>;

const INITIAL_KEY_NAME = 'Initial key (INITIAL_API_KEY)';

function toPublic({ tokenHash: _omit, ...rest }: ApiKey): PublicApiKey {
  // A row an older version stored with INITIAL_API_KEY's first characters shows the label all the same.
  return rest.name === INITIAL_KEY_NAME ? { ...rest, prefix: INITIAL_KEY_LABEL } : rest;
}

export async function createApiKey(
  db: Db,
  input: { name: string; scopes: readonly Scope[]; token?: string; prefix?: string; createdBy?: string | null; expiresAt?: Date | null },
  audit?: AuditContext,
): Promise<{ key: PublicApiKey; token: string }> {
  const token = input.token ?? generateToken();
  const prefix = input.prefix ?? token.slice(0, 12);
  const row = await audited(db, audit, async (tx) => {
    const [created] = await tx
      .insert(apiKeys)
      .values({
        name: input.name,
        scopes: [...input.scopes],
        prefix,
        tokenHash: hashToken(token),
        createdBy: input.createdBy ?? null,
        expiresAt: input.expiresAt ?? null,
      })
      .returning();
    const after = { name: created!.name, scopes: created!.scopes, expires_at: created!.expiresAt?.toISOString() ?? null };
    return {
      value: created!,
      entry: { action: 'api_key.created', targetType: 'api_key', targetId: created!.id, changes: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, { before: null, after: v }])) },
    };
  });
  return { key: toPublic(row), token };
}

export type ListedApiKey = PublicApiKey & { createdByEmail: string | null };

export async function listApiKeys(db: Db): Promise<ListedApiKey[]> {
  const rows = await db
    .select({ key: apiKeys, email: users.email })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map((r) => ({ ...toPublic(r.key), createdByEmail: r.email }));
}

export async function revokeApiKey(db: Db, id: string, audit?: AuditContext): Promise<boolean> {
  const revoked = await audited(db, audit, async (tx) => {
    const rows = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, revokedAt: apiKeys.revokedAt });
    const row = rows[0];
    return {
      value: !!row,
      entry: row ? { action: 'api_key.revoked', targetType: 'api_key', targetId: id, changes: { revoked_at: { before: null, after: row.revokedAt!.toISOString() } } } : null,
    };
  });
  clearApiKeyCache();
  return revoked;
}

/**
 * Shown instead of INITIAL_API_KEY's first characters: the operator chose that token (it may be short or
 * reused), so none of it is shown. Generated tokens show 12 of their 48 random characters.
 */
export const INITIAL_KEY_LABEL = 'INITIAL_API_KEY';

/** Stores INITIAL_API_KEY with every scope unless a key with that token already exists. */
export async function ensureInitialApiKey(db: Db, token: string): Promise<void> {
  const hash = hashToken(token);
  const existing = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.tokenHash, hash));
  if (existing.length === 0) {
    await createApiKey(db, { name: INITIAL_KEY_NAME, scopes: SCOPES, token, prefix: INITIAL_KEY_LABEL });
  } else {
    // Stored by an older version with the token's first characters.
    await db.update(apiKeys).set({ prefix: INITIAL_KEY_LABEL }).where(and(eq(apiKeys.tokenHash, hash), ne(apiKeys.prefix, INITIAL_KEY_LABEL)));
  }
}

// The LMS calls with the same key many times a second: remember lookups briefly.
// Revocation clears this process's cache at once; other processes see it within CACHE_MS.
// On globalThis: the LMS hot paths and Next.js's bundles load this module apart, and a revocation in one
// must reach the other's cache. Known keys and unknown tokens are kept apart, each bounded and evicting
// its oldest entries: a flood of random tokens pushes out other random tokens, never the LMS's key.
const CACHE_MS = 5_000;
const MAX_KNOWN = 1_000;
const MAX_UNKNOWN = 10_000;
type Cached = { key: ApiKey | null; at: number };
const CACHE_KEY = Symbol.for('openedx-webhooks.api-key-cache.v2');
const shared = ((globalThis as { [CACHE_KEY]?: unknown })[CACHE_KEY] ??= {
  known: new Map<string, Cached>(),
  unknown: new Map<string, Cached>(),
  lastUsedWritten: new Map<string, number>(),
}) as { known: Map<string, Cached>; unknown: Map<string, Cached>; lastUsedWritten: Map<string, number> };
const { known, unknown, lastUsedWritten } = shared;

function remember(hash: string, entry: Cached) {
  known.delete(hash);
  unknown.delete(hash);
  const map = entry.key ? known : unknown;
  const max = entry.key ? MAX_KNOWN : MAX_UNKNOWN;
  // Maps keep insertion order: the first entries are the oldest.
  while (map.size >= max) map.delete(map.keys().next().value!);
  map.set(hash, entry);
}

export async function findActiveKey(db: Db, token: string): Promise<ApiKey | null> {
  const hash = hashToken(token);
  const hit = known.get(hash) ?? unknown.get(hash);
  const now = Date.now();
  if (hit && now - hit.at < CACHE_MS) return hit.key;
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.tokenHash, hash));
  const key = row && !row.revokedAt ? row : null;
  remember(hash, { key, at: now });
  const expired = !!key?.expiresAt && key.expiresAt.getTime() <= now;
  if (key && !expired && now - (lastUsedWritten.get(key.id) ?? 0) > 60_000) {
    if (lastUsedWritten.size >= MAX_KNOWN) lastUsedWritten.delete(lastUsedWritten.keys().next().value!);
    lastUsedWritten.set(key.id, now);
    // Last use is informative: written at most once a minute, never on the request's path.
    void db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, key.id)).catch(() => {});
  }
  return key;
}

/** For tests: whether a token's lookup is remembered. */
export function apiKeyCached(token: string): boolean {
  const hash = hashToken(token);
  return known.has(hash) || unknown.has(hash);
}

/** For tests: how many lookups are remembered, known keys and unknown tokens. */
export function apiKeyCacheSizes() {
  return { known: known.size, unknown: unknown.size };
}

export function clearApiKeyCache() {
  known.clear();
  unknown.clear();
}
