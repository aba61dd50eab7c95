// AUTH_SECRET from the environment, or generated once and kept in DATA_DIR so the embedded default needs no setup.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { env } from '../env';

let cached: string | undefined;

export function authSecret(): string {
  if (cached) return cached;
  const e = env();
  if (e.AUTH_SECRET) return (cached = e.AUTH_SECRET);
  const file = path.join(e.dataDir, 'auth-secret');
  try {
    cached = fs.readFileSync(file, 'utf8').trim();
    if (cached.length >= 32) return cached;
  } catch {
    // not created yet
  }
  fs.mkdirSync(e.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx' fails if another process wrote it first; then theirs is read back.
    fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    cached = secret;
  } catch {
    cached = fs.readFileSync(file, 'utf8').trim();
  }
  return cached;
}
