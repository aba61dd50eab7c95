// The shared form/API schemas refuse text the database cannot store, with a sentence, before any write.
import { describe, expect, it } from 'vitest';
import { description } from '../../lib/validation/webhook';

describe('description', () => {
  it('accepts ordinary text and trims it', () => {
    expect(description.parse('  CRM sync  ')).toBe('CRM sync');
  });

  it('refuses a NUL character with a clear message', () => {
    const r = description.safeParse('a\u0000b');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/NUL character/);
  });
});
