// §7 masking for the delivery log: values of keys named like password, secret, token or api_key are hidden
// in JSON bodies, form bodies, headers and URLs on the way out; the stored rows stay intact for retries.

export const MASK = '********';

// "named like": the name contains one of these, in any case and with - or _ (user_password, csrftoken, X-Api-Key).
const SENSITIVE = /pass(?:word|wd|phrase)|secret|token|api[-_ ]?key|authori[sz]ation|cookie|credential|private[-_ ]?key/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE.test(key);
}

/** Nothing to hide in an empty value, and showing it helps debugging ("the password was blank"). */
const blank = (v: unknown) => v === null || v === undefined || v === '';

/** A JSON value with sensitive keys masked at every depth; returns the same object when nothing changed. */
export function maskJson<T>(value: T): T {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const m = maskJson(v);
      if (m !== v) changed = true;
      return m;
    });
    return (changed ? out : value) as T;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const m = isSensitiveKey(k) && !blank(v) ? MASK : maskJson(v);
      if (m !== v) changed = true;
      out[k] = m;
    }
    return (changed ? out : value) as T;
  }
  return value;
}

function decodeFormPart(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** application/x-www-form-urlencoded text with sensitive fields' values masked; other bytes left as they were. */
export function maskForm(body: string): string {
  return body
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const key = decodeFormPart(pair.slice(0, eq));
      return isSensitiveKey(key) && pair.length > eq + 1 ? `${pair.slice(0, eq)}=${encodeURIComponent(MASK)}` : pair;
    })
    .join('&');
}

export type BodyFormat = 'json' | 'form' | 'text';

/** How to read a body: by its content type when known, else by its look. */
export function bodyFormat(body: string, contentType?: string | null): BodyFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (!type) {
    const start = body.trimStart()[0];
    if (start === '{' || start === '[') return 'json';
  }
  return 'text';
}

/** A stored body as the log shows it: masked, and otherwise the same text (re-serialised only if something was masked). */
export function maskBody(body: string | null, contentType?: string | null): string | null {
  if (body === null || body === '') return body;
  const format = bodyFormat(body, contentType);
  // What a body holds wins over its label: receivers answer JSON labelled as a form, or as text.
  if (format === 'json' || looksJson(body)) {
    try {
      const parsed: unknown = JSON.parse(body);
      const masked = maskJson(parsed);
      return masked === parsed ? body : JSON.stringify(masked);
    } catch {
      // cut at 64 KiB, or not JSON after all: masked as text below
    }
  }
  if (format === 'form' && !looksJson(body)) return maskForm(body);
  // JSON cut short, labelled as something else, or quoted in HTML or text: its "key": value pairs still count,
  // and so do the key: value and key=value pairs of plain text (an error page, a log line echoed back).
  return maskTextPairs(maskJsonText(body));
}

// key: value or key=value in text, the key named like a secret; an authorization scheme stays readable.
const TEXT_PAIR = new RegExp(
  String.raw`(^|[^\w"'-])([\w.-]*(?:${SENSITIVE.source})[\w.-]*)(\s*[:=]\s*)((?:bearer|basic|token|digest|jwt)\s+)?("[^"\n]*"|'[^'\n]*'|[^\s&,;"'<>]+)`,
  'gi',
);

/** Plain text with the values of sensitive key: value and key=value pairs masked; every other byte kept. */
export function maskTextPairs(text: string): string {
  if (!SENSITIVE.test(text)) return text;
  return text.replace(TEXT_PAIR, (whole, before: string, key: string, sep: string, scheme: string | undefined, value: string) => {
    if (value === MASK || value === JSON.stringify(MASK) || value === '""' || value === "''") return whole;
    return `${before}${key}${sep}${scheme ?? ''}${MASK}`;
  });
}

const looksJson = (body: string) => /^\s*[{[]/.test(body);

/**
 * Masks the values of sensitive "key": value pairs in text that is JSON, or only partly JSON (cut at 64 KiB,
 * or quoted in a page), leaving every other character as it was. A value cut short is masked to the end.
 */
export function maskJsonText(text: string): string {
  if (!text.includes('"')) return text;
  let out = '';
  let copied = 0;
  let i = 0;
  const n = text.length;
  const skipSpace = (j: number) => {
    while (j < n && /\s/.test(text[j]!)) j++;
    return j;
  };
  /** The end (exclusive) of the string starting at the quote at j; n when it is cut short. */
  const stringEnd = (j: number) => {
    for (let k = j + 1; k < n; k++) {
      if (text[k] === '\\') k++;
      else if (text[k] === '"') return k + 1;
    }
    return n;
  };
  /** The end (exclusive) of the object or array starting at j; n when it is cut short. */
  const nestedEnd = (j: number) => {
    let depth = 0;
    for (let k = j; k < n; k++) {
      const c = text[k];
      if (c === '"') k = stringEnd(k) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
    return n;
  };
  while (i < n) {
    const q = text.indexOf('"', i);
    if (q < 0) break;
    const end = stringEnd(q);
    const colon = skipSpace(end);
    if (end >= n || text[colon] !== ':') {
      i = end;
      continue;
    }
    let key = text.slice(q + 1, end - 1);
    try {
      key = JSON.parse(text.slice(q, end)) as string;
    } catch {
      // an odd escape: the raw text is close enough to judge the name
    }
    const start = skipSpace(colon + 1);
    if (!isSensitiveKey(key) || start >= n) {
      i = colon + 1;
      continue;
    }
    const c = text[start]!;
    let valueEnd: number;
    if (c === '"') valueEnd = stringEnd(start);
    else if (c === '{' || c === '[') valueEnd = nestedEnd(start);
    else {
      valueEnd = start;
      while (valueEnd < n && !/[\s,}\]]/.test(text[valueEnd]!)) valueEnd++;
    }
    const value = text.slice(start, valueEnd);
    // Blanks stay readable, as in maskJson.
    if (value !== '""' && value !== 'null') {
      out += text.slice(copied, start) + JSON.stringify(MASK);
      copied = valueEnd;
    }
    i = Math.max(valueEnd, colon + 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Headers with sensitive values masked; an Authorization scheme (Bearer, Basic) stays readable. */
export function maskHeaders(headers: Record<string, string> | null | undefined): Record<string, string> | null {
  if (!headers) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!isSensitiveKey(k) || blank(v)) out[k] = v;
    else if (/authori[sz]ation$/i.test(k)) {
      const scheme = /^(\w+)\s+\S/.exec(v)?.[1];
      out[k] = scheme ? `${scheme} ${MASK}` : MASK;
    } else out[k] = MASK;
  }
  return out;
}

/** A URL with sensitive query parameters and any password masked (https://hooks.example.org/in?token=…). */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  if (u.password) {
    u.password = MASK;
    changed = true;
  }
  if (u.search) {
    const q = u.search.slice(1);
    const masked = maskForm(q);
    if (masked !== q) {
      u.search = masked;
      changed = true;
    }
  }
  return changed ? u.toString() : url;
}

/** The content type in a header record, whatever the case of its name. */
export function contentTypeOf(headers: Record<string, string> | null | undefined): string | null {
  if (!headers) return null;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'content-type') return v;
  return null;
}
