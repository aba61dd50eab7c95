// A webhook's transformation (SPEC §14) applied to one delivery: handler({payload, headers, url, event_type})
// returns the webhook changed; what it returns is checked here, so a bad result fails only its delivery.
import { createHash } from 'node:crypto';
import { headerNameProblem } from '../validation/webhook-options';
import { compileCheck, runHandler, TransformError } from './sandbox';

export interface TransformInput {
  payload: unknown;
  headers: Record<string, string>;
  url: string;
  event_type: string;
}

export interface TransformOutput {
  payload: unknown;
  headers: Record<string, string>;
  url: string;
  cancel: boolean;
}

export type TransformResult = { ok: true; output: TransformOutput } | { ok: false; error: string; line: number | null };

// Printable text on one line, as for the webhook's own headers.
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

// Hashes of the sources seen lately: a webhook's row (and its source string) is cached, so each delivery would
// otherwise hash the same text again.
const hashes = new Map<string, string>();

/** The cache key of a saved version: its owner (a webhook id) and a hash of its source. */
export function versionKey(owner: string, source: string): string {
  let hash = hashes.get(source);
  if (!hash) {
    hash = createHash('sha256').update(source).digest('base64url').slice(0, 22);
    if (hashes.size >= 1_000) hashes.clear();
    hashes.set(source, hash);
  }
  return `${owner}:${hash}`;
}

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/** Why the handler's return value cannot be used, or the output it describes. */
export function checkOutput(value: unknown, input: TransformInput): TransformOutput | string {
  if (value === undefined) return 'handler returned nothing: return the webhook object it was given (changed).';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `handler must return an object like {payload, headers, url}; it returned ${kindOf(value)}.`;
  }
  const out = value as Record<string, unknown>;
  if (!('payload' in out) || out.payload === undefined) return 'The returned object has no "payload": set webhook.payload to the body to send.';
  const cancel = out.cancel ?? false;
  if (typeof cancel !== 'boolean') return `"cancel" must be true or false; it is ${kindOf(cancel)}.`;
  const url = out.url ?? input.url;
  if (typeof url !== 'string') return `"url" must be a string; it is ${kindOf(url)}.`;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // below
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return `"url" must be a full http:// or https:// URL.`;
  const headers = out.headers ?? {};
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return `"headers" must be an object of name → value; it is ${kindOf(headers)}.`;
  const clean: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers)) {
    if (typeof v !== 'string') return `The header "${name}" must be a string; it is ${kindOf(v)}.`;
    if (!HEADER_VALUE.test(v) || v.length > 4096) return `The header "${name}" must be printable text on one line (under 4096 characters).`;
    // content-type may be kept or changed; the other reserved names are the service's own.
    const problem = name.toLowerCase() === 'content-type' ? null : headerNameProblem(name);
    if (problem) return `The returned headers are refused: ${problem}`;
    clean[name.toLowerCase()] = v;
  }
  return { payload: out.payload, headers: clean, url, cancel };
}

/** Runs `source` on the input; `owner` keys the compiled version (a webhook id, or "run" for one-off runs). */
export async function transform(owner: string, source: string, input: TransformInput): Promise<TransformResult> {
  try {
    const value = await runHandler(versionKey(owner, source), source, input);
    const out = checkOutput(value, input);
    if (typeof out === 'string') return { ok: false, error: `The transformation returned something invalid: ${out}`, line: null };
    return { ok: true, output: out };
  } catch (err) {
    if (err instanceof TransformError) return { ok: false, error: err.message, line: err.line };
    throw err;
  }
}

/** Why a source cannot be saved (it does not compile, or defines no handler), or null. */
export async function compileProblem(source: string): Promise<{ error: string; line: number | null } | null> {
  const e = await compileCheck(source);
  return e && { error: e.message, line: e.line };
}
