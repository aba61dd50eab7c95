// Deep merge of webfilter `data` answers (SPEC §5 rule 4): objects merge key by key, anything else replaces.

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// JSON.parse makes "__proto__" an own key; plain assignment would set the prototype instead of the key.
function put(target: JsonObject, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A new value: `patch` merged into `base`. Neither argument is changed. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    put(out, key, Object.hasOwn(base, key) ? deepMerge(base[key], value) : value);
  }
  return out;
}

/** deepMerge for the top-level object, typed. */
export function mergeInto(base: JsonObject, patch: JsonObject): JsonObject {
  return deepMerge(base, patch) as JsonObject;
}
