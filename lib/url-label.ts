// Target URLs as text may show them: in messages, reasons and errors, a webhook's or webfilter's URL
// appears without its user name, password, query values or fragment, which may hold credentials
// (https://user:pass@host/in?token=…). Free text that already holds such a URL is redacted the same way.

const ELIDED = '…';

// Labels already made: a worker labels the same few webhook URLs in every attempt's log line.
const labels = new Map<string, string>();

/** https://user:pass@host/filter?token=SECRET#x → https://host/filter?token=… */
export function urlLabel(url: string): string {
  let label = labels.get(url);
  if (label === undefined) {
    label = makeLabel(url);
    if (labels.size >= 1_000) labels.clear();
    labels.set(url, label);
  }
  return label;
}

function makeLabel(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL: keep what cannot be a credential (before any "?"; any "user:pass@" dropped).
    return url.split(/[?#]/)[0]!.replace(/\/\/[^/@\s]*@/, '//');
  }
  const keys = [...new Set([...u.searchParams.keys()])];
  const query = keys.length ? '?' + keys.map((k) => `${encodeURIComponent(k)}=${ELIDED}`).join('&') : '';
  return `${u.protocol}//${u.host}${u.pathname}${query}`;
}

// scheme://… up to a space, quote or angle bracket; a sentence's closing punctuation stays outside.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+?(?=[.,;:!)\]]*(?:[\s"'<>]|$))/gi;
// password=…, token: …, api_key=… outside URLs: the value goes too.
const SECRET_PAIR = /\b([\w-]*(?:pass(?:word|wd|phrase)|secret|token|api[-_]?key|authori[sz]ation|credential)[\w-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"')\]]+)/gi;

/** Free text with every URL shown as urlLabel shows it and sensitive name=value pairs masked. */
export function redactText(text: string): string;
export function redactText(text: string | null): string | null;
export function redactText(text: string | null): string | null {
  if (!text) return text;
  return text.replace(URL_IN_TEXT, (m) => urlLabel(m)).replace(SECRET_PAIR, (_, name: string, sep: string) => `${name}${sep}${ELIDED}`);
}

/** A JSON value with every string redacted (a webfilter's outcome: reason, exception message…). */
export function redactStrings<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map(redactStrings) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v)])) as T;
  }
  return value;
}
