// JSON answers and request-body reading shared by every API route: one clear sentence per error.
import type { ZodError } from 'zod';

export interface Issue {
  path: string;
  message: string;
}

export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

export function jsonError(status: number, error: string, issues?: Issue[]): Response {
  return json(issues?.length ? { error, issues } : { error }, status);
}

export function zodIssues(error: ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    message: i.message,
  }));
}

/** "data.user.id: Expected object" style summary of the first issue, for the error sentence. */
export function firstIssueSentence(issues: Issue[]): string {
  const first = issues[0];
  if (!first) return 'The request body is not valid.';
  return `The request body is not valid: ${first.path} ${first.message.replace(/^./, (c) => c.toLowerCase())}.`.replace(
    /\.\.$/,
    '.',
  );
}

export type BodyResult = { ok: true; value: unknown; bytes: number } | { ok: false; response: Response };

/**
 * Reads a JSON body with the checks every route needs, in the order that costs least:
 * content type (415), declared and actual size (413, before parsing), UTF-8 and JSON syntax (400).
 */
export async function readJsonBody(req: Request, maxBytes: number): Promise<BodyResult> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    return fail(415, 'The request body must be JSON: send it with Content-Type: application/json.');
  }
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(maxBytes);
  const bytes = await readLimited(req, maxBytes);
  if (bytes === null) return tooLarge(maxBytes);
  if (bytes.length === 0) return fail(400, 'The request body is empty: send a JSON object.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(400, 'The request body is not valid UTF-8 text.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : 'syntax error';
    return fail(400, `The request body is not valid JSON (${detail}).`);
  }
  const problem = unstorable(value);
  if (problem) return fail(400, problem);
  return { ok: true, value, bytes: bytes.length };
}

/**
 * Deepest nesting accepted: far beyond any Open edX payload, and well within what JSON.stringify, the
 * schemas and PostgreSQL's jsonb handle (a body nested thousands deep made them overflow: a 500).
 */
export const MAX_JSON_DEPTH = 100;

// NUL and unpaired surrogates are valid in JSON text but PostgreSQL refuses them in text and jsonb.
const SUSPECT = /[\u0000\ud800-\udfff]/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const badText = (s: string) => SUSPECT.test(s) && UNSTORABLE.test(s);
const TEXT_PROBLEM =
  'The request body holds text that cannot be stored: a NUL character (\\u0000) or an unpaired UTF-16 surrogate.';

/** Why a parsed body cannot be handled as it is (too deep, or text the database refuses), or null. */
function unstorable(root: unknown): string | null {
  // Iterative, so the check itself cannot run out of stack.
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (badText(value)) return TEXT_PROBLEM;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) {
      return `The request body is nested too deeply: at most ${MAX_JSON_DEPTH} levels of objects and arrays are accepted.`;
    }
    for (const [key, child] of Object.entries(value)) {
      if (badText(key)) return TEXT_PROBLEM;
      stack.push([child, depth + 1]);
    }
  }
  return null;
}

function fail(status: number, error: string): BodyResult {
  return { ok: false, response: jsonError(status, error) };
}

function tooLarge(maxBytes: number): BodyResult {
  return fail(413, `The request body is larger than the ${maxBytes}-byte limit (MAX_BODY_BYTES).`);
}

/** The body's bytes, or null as soon as it goes over the limit (the rest is not read). */
async function readLimited(req: Request, maxBytes: number): Promise<Uint8Array | null> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Left unread, not cancelled: Next.js answers a cancelled body by destroying the request and its
      // socket, so the 413 could never be written. The server drains or closes what is left once answered.
      reader.releaseLock();
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
