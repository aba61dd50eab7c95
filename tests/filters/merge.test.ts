// The deep merge behind rule 4: objects key by key, anything else replaces, inputs untouched.
import { describe, expect, it } from 'vitest';
import { deepMerge } from '../../lib/dispatch/filters/merge';

describe('deepMerge', () => {
  it.each([
    ['nested objects merge', { a: { b: 1, c: 2 } }, { a: { c: 3, d: 4 } }, { a: { b: 1, c: 3, d: 4 } }],
    ['arrays replace', { a: [1, 2] }, { a: [3] }, { a: [3] }],
    ['null replaces', { a: { b: 1 } }, { a: null }, { a: null }],
    ['an object replaces a scalar', { a: 1 }, { a: { b: 1 } }, { a: { b: 1 } }],
    ['a scalar replaces an object', { a: { b: 1 } }, { a: 'x' }, { a: 'x' }],
  ])('%s', (_, base, patch, expected) => {
    const before = structuredClone(base);
    expect(deepMerge(base, patch)).toEqual(expected);
    expect(base).toEqual(before);
  });

  it('keeps "__proto__" as a plain key instead of changing the prototype', () => {
    const merged = deepMerge({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect((merged as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(merged))).toEqual(JSON.parse('{"a": 1, "__proto__": {"polluted": true}}'));
  });
});
