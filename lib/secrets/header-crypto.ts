// Custom header values are secrets (SPEC §9): stored as AES-256-GCM ciphertext, the key derived with HKDF-SHA256
// from ENCRYPTION_KEY when set, otherwise from AUTH_SECRET (generated in DATA_DIR when absent).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { authSecret } from '../auth/secret';

const PREFIX = 'v1:';
const INFO = 'openedx-webhooks header values v1';
const SALT = 'openedx-webhooks';

let cached: { source: string; key: Buffer } | undefined;

function key(): Buffer {
  const source = process.env.ENCRYPTION_KEY?.trim() || authSecret();
  if (cached?.source === source) return cached.key;
  const k = Buffer.from(hkdfSync('sha256', source, SALT, INFO, 32));
  cached = { source, key: k };
  return k;
}

/** "v1:" + base64url(iv ‖ tag ‖ ciphertext). */
export function encryptValue(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/** The clear value; throws when the ciphertext was not made with the current key. */
export function decryptValue(stored: string): string {
  if (!stored.startsWith(PREFIX)) throw new Error('Not an encrypted header value.');
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

export function encryptHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, encryptValue(v)]));
}

/**
 * Clear headers for sending. A value that cannot be decrypted (the key changed) is left out and named in
 * `unreadable`, so the call still goes and the log can say why the header is missing.
 */
export function decryptHeaders(stored: Record<string, string> | null | undefined): {
  headers: Record<string, string>;
  unreadable: string[];
} {
  const headers: Record<string, string> = {};
  const unreadable: string[] = [];
  for (const [k, v] of Object.entries(stored ?? {})) {
    try {
      headers[k] = decryptValue(v);
    } catch {
      unreadable.push(k);
    }
  }
  return { headers, unreadable };
}

export const MASK = '••••';

/** Names only, as the API and the log show them. */
export function maskedHeaders(stored: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.keys(stored ?? {}).map((k) => [k, MASK]));
}
