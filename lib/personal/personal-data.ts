// Personal data per webhook (SPEC §13): "send" as it is, "omit" (removed before sending) or "pseudonymize" (each
// value replaced by a stable keyed hash, the same for the same value and webhook, so a receiver can join records
// without learning who). Which fields are personal: personal-fields.ts.
import { createHmac, hkdfSync } from 'node:crypto';
import { authSecret } from '../auth/secret';
import { personalView, type PersonalMode } from './personal-fields';

export type { PersonalMode };

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

const keys = new Map<string, Buffer>();
/** A key per webhook, derived from ENCRYPTION_KEY (or AUTH_SECRET): stable across restarts and secret rotations. */
export function pseudonymKey(webhookId: string): Buffer {
  const source = process.env.ENCRYPTION_KEY?.trim() || authSecret();
  const cacheKey = `${source.length}:${webhookId}`;
  let k = keys.get(cacheKey);
  if (!k) {
    k = Buffer.from(hkdfSync('sha256', source, 'openedx-webhooks', `pseudonyms:${webhookId}`, 32));
    if (keys.size > 10_000) keys.clear();
    keys.set(cacheKey, k);
  }
  return k;
}

/** "anon_" + base32(HMAC-SHA256(webhook key, value))[:20] (SPEC §13). */
export function pseudonym(key: Buffer, value: string): string {
  return `anon_${base32(createHmac('sha256', key).update(value).digest()).slice(0, 20)}`;
}

/** The payload with its personal data omitted, or pseudonymized with the webhook's key. */
export function applyPersonalData(payload: Record<string, unknown>, mode: PersonalMode, key: Buffer | null): Record<string, unknown> {
  return personalView(payload, mode, (v) => pseudonym(key!, v));
}
