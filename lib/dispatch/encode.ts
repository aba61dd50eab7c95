// Body encoders for outgoing calls: JSON, or www-form with nested keys joined by "_" (SPEC §3).

export interface EncodedBody {
  contentType: string;
  body: string;
}

/** Flattens nested objects into form fields: strings as-is, numbers decimal, booleans true/false, null empty, arrays as JSON. */
export function flattenForm(value: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenForm(v, prefix ? `${prefix}_${k}` : k, out);
    return out;
  }
  out.push([prefix, scalar(value)]);
  return out;
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

export function encodeBody(body: Record<string, unknown>, useWwwFormEncoding: boolean): EncodedBody {
  if (!useWwwFormEncoding) return { contentType: 'application/json', body: JSON.stringify(body) };
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(flattenForm(body)).toString(),
  };
}

/** The transformed payload as a body: JSON text, or form fields (an object only). */
export function encodeTransformed(payload: unknown, form: boolean): ReturnType<typeof encodeBody> | string {
  if (!form) return { contentType: 'application/json', body: JSON.stringify(payload) };
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return 'The transformation returned something invalid: a form-encoded webhook needs an object as "payload".';
  }
  return encodeBody(payload as Record<string, unknown>, true);
}
