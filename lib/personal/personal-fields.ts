// Which fields of a payload are a learner's personal data (SPEC §13), and the payload with them omitted or
// replaced: client-safe (the editor's preview uses it too); the keyed hash itself is server-side (personal-data.ts).
// Personal: the `pii` objects of openedx-events' data classes (UserPersonalData: username, email, name), any email,
// names of people, and IP addresses, wherever they stand in a payload.

export type PersonalMode = 'send' | 'omit' | 'pseudonymize';

/** Keys that hold personal data wherever they stand. */
const ALWAYS = /^(username|user_name|email|e_mail|full_name|first_name|last_name|ip|ip_address|ipaddress|remote_addr|client_ip)$|_email$|_ip$|_ip_address$/i;
/** `name` is a person's under these (a course's display_name or an app_name are not). */
const PERSON_PARENTS = new Set(['pii', 'user', 'form_data', 'profile', 'learner', 'student', 'account', 'author']);

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The payload with its personal data omitted, or each value replaced by `pseudo(value)` (a new object; the input
 * is not changed). `event_metadata` is left as it is: it names the event, not a person.
 */
export function personalView(payload: Record<string, unknown>, mode: PersonalMode, pseudo: (value: string) => string): Record<string, unknown> {
  if (mode === 'send') return payload;
  const replace = (v: unknown): unknown => {
    if (typeof v === 'string') return v === '' ? v : pseudo(v);
    if (Array.isArray(v)) return v.map(replace);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    return v;
  };
  const walk = (v: unknown, parent: string | null): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, parent));
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (parent === null && k === 'event_metadata') {
        out[k] = x;
        continue;
      }
      const personal = k === 'pii' || ALWAYS.test(k) || (k === 'name' && parent !== null && PERSON_PARENTS.has(parent));
      if (!personal) out[k] = walk(x, k);
      else if (mode === 'pseudonymize') out[k] = replace(x);
      // omit: left out
    }
    return out;
  };
  return walk(payload, null) as Record<string, unknown>;
}
