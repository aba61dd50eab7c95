// The LMS's filter call (SPEC §5): shape, filter lookup and data keys, each failure a clear 4xx sentence.
import { z } from 'zod';
import { closestFilters, findFilter, type FilterDef } from '../../catalog';
import { firstIssueSentence, zodIssues, type Issue } from '../../http/json';
import type { JsonObject } from './merge';

const schema = z.object({
  filter_type: z.string({ error: 'filter_type must be a string' }).trim().min(1, 'filter_type must not be empty'),
  data: z.record(z.string(), z.unknown(), { error: 'data must be an object' }).default({}),
});

export type FilterRequest =
  | { ok: true; filter: FilterDef; data: JsonObject }
  | { ok: false; status: 400 | 422; error: string; issues?: Issue[] };

export function parseFilterRequest(body: unknown): FilterRequest {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return { ok: false, status: 400, error: firstIssueSentence(issues), issues };
  }
  const { filter_type: name, data } = parsed.data;
  const filter = findFilter(name);
  if (!filter) {
    const near = closestFilters(name, 3).map((f) => `${f.filterType} (${f.name})`);
    return {
      ok: false,
      status: 422,
      error: `Unknown filter type "${name}". Did you mean ${near.join(', or ')}?`,
      issues: [{ path: 'filter_type', message: `Closest known filters: ${near.join(', ')}.` }],
    };
  }
  // Keys as sent: the parsed record drops a "__proto__" key, which must be refused like any unknown key.
  const sent = (body as { data?: unknown }).data;
  const unknown = Object.keys(sent && typeof sent === 'object' ? sent : data).filter((k) => !filter.arguments.includes(k));
  if (unknown.length) {
    const expected = filter.arguments.join(', ');
    return {
      ok: false,
      status: 400,
      error:
        `data has ${unknown.length === 1 ? 'a key that is not an argument' : 'keys that are not arguments'} of ` +
        `${filter.name}: ${unknown.join(', ')} (its arguments: ${expected}).`,
      issues: unknown.map((k) => ({ path: `data.${k}`, message: `Not an argument of ${filter.name}; expected one of: ${expected}.` })),
    };
  }
  return { ok: true, filter, data };
}

/** The request body's shape, also what the OpenAPI document shows (app/api/operations.ts). */
export { schema as filterRequestSchema };
