// exclude_fields (SPEC §9): dotted payload paths removed before the body is encoded (JSON or form alike).

/** A copy of the payload without the given paths; the input is not changed. Missing paths are ignored. */
export function withoutFields<T extends Record<string, unknown>>(payload: T, paths: readonly string[] | null | undefined): T {
  if (!paths?.length) return payload;
  const out = structuredClone(payload);
  for (const path of paths) {
    const keys = path.split('.');
    let cur: unknown = out;
    for (const key of keys.slice(0, -1)) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, key)) {
        cur = undefined;
        break;
      }
      cur = (cur as Record<string, unknown>)[key];
    }
    if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) delete (cur as Record<string, unknown>)[keys.at(-1)!];
  }
  return out;
}
