// Webhook conditions (SPEC §9), evaluated at ingest on the payload without event_metadata. Client-safe: the
// editor shows live whether the event's sample payload matches, with the same code.
import type { WebhookCondition } from '../db/schema';

/** The value at a dotted path, or undefined when a step is missing. */
export function valueAt(payload: unknown, path: string): unknown {
  let cur: unknown = payload;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

// Numbers and their decimal text compare equal ("5" equals 5): form receivers and editors mostly speak text.
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
    return String(a) === String(b);
  }
  return false;
}

const show = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v));

/** null when the condition holds; otherwise one sentence saying why not. */
export function conditionFailure(payload: unknown, c: WebhookCondition): string | null {
  const v = valueAt(payload, c.path);
  switch (c.op) {
    case 'exists':
      return v !== undefined && v !== null ? null : `${c.path} does not exist`;
    case 'not_exists':
      return v === undefined || v === null ? null : `${c.path} exists (${show(v)})`;
    case 'equals':
      return same(v, c.value) ? null : `${c.path} is ${show(v)}, not ${show(c.value)}`;
    case 'not_equals':
      return !same(v, c.value) ? null : `${c.path} equals ${show(c.value)}`;
    case 'in': {
      const list = Array.isArray(c.value) ? c.value : [];
      return list.some((x) => same(v, x)) ? null : `${c.path} is ${show(v)}, not one of ${show(list)}`;
    }
    case 'not_in': {
      const list = Array.isArray(c.value) ? c.value : [];
      return !list.some((x) => same(v, x)) ? null : `${c.path} is ${show(v)}, one of ${show(list)}`;
    }
    case 'starts_with':
      return typeof v === 'string' && typeof c.value === 'string' && v.startsWith(c.value)
        ? null
        : `${c.path} is ${show(v)}, which does not start with ${show(c.value)}`;
    default:
      return `unknown op ${show((c as { op: unknown }).op)}`;
  }
}

/** null when every condition holds; otherwise why the first failing one does not. */
export function conditionsFailure(payload: unknown, conditions: readonly WebhookCondition[] | null | undefined): string | null {
  for (const c of conditions ?? []) {
    const why = conditionFailure(payload, c);
    if (why) return `Condition not met: ${why}.`;
  }
  return null;
}

/** Every dotted path to a leaf (or array) of a sample payload, for the editor's path picker. */
export function payloadPaths(value: unknown, prefix = '', out: string[] = []): string[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(p);
      payloadPaths(v, p, out);
    }
  } else if (prefix) {
    out.push(prefix);
  }
  return out;
}
