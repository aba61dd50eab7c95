// The OpenAPI 3.1 document from the operation registry (app/api/operations.ts): zod schemas become JSON
// Schema 2020-12 (OpenAPI 3.1's dialect) with z.toJSONSchema; named ones (.meta({ id })) become components.
import { z } from 'zod';
import type { Access, Answer, Method, Operation, PathItem } from '@/app/api/operations';
import { VERSION } from '../version';
import { errorBody } from './responses';

type Json = Record<string, unknown>;

const SECURITY: Record<Access, Json[] | undefined> = {
  events: [{ apiKey: ['events'] }],
  filters: [{ apiKey: ['filters'] }],
  relay: [{ apiKey: ['events'] }, { apiKey: ['filters'] }],
  admin: [{ apiKey: ['admin'] }, { session: [] }],
  metrics: [{ apiKey: ['metrics'] }, { metricsToken: [] }],
  session: [{ session: [] }],
  public: undefined,
};

const ACCESS_NOTE: Record<Access, string> = {
  events: 'API key with the `events` scope.',
  filters: 'API key with the `filters` scope.',
  relay: 'API key with the `events` or `filters` scope (the relay’s key).',
  admin: 'API key with the `admin` scope, or a signed-in admin’s session.',
  metrics: 'API key with the `metrics` scope, or `Authorization: Bearer $METRICS_TOKEN`.',
  session: 'A signed-in admin’s session.',
  public: 'No authentication.',
};

/** Converts one zod schema, moving named sub-schemas into `components` and pointing at them. */
function converter(components: Record<string, unknown>) {
  return (schema: z.ZodType, io: 'input' | 'output'): Json => {
    const js = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as Json;
    const defs = (js.$defs ?? {}) as Record<string, Json>;
    delete js.$defs;
    delete js.$schema;
    const fix = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(fix);
      if (!node || typeof node !== 'object') return node;
      const o: Json = {};
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) o[k] = `#/components/schemas/${v.slice(8)}`;
        else o[k] = fix(v);
      }
      return o;
    };
    for (const [name, def] of Object.entries(defs)) {
      delete def.id;
      components[name] ??= fix(def);
    }
    // A named schema at the top is itself a component: point at it.
    const top = js.id;
    if (typeof top === 'string') {
      delete js.id;
      components[top] ??= fix(js);
      return { $ref: `#/components/schemas/${top}` };
    }
    return fix(js) as Json;
  };
}

function pathParams(path: string, params: Record<string, string>): Json[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: params[name!] ?? name,
    schema: { type: 'string' },
  }));
}

export function buildOpenApi(operations: Record<string, PathItem>, pathParamDocs: Record<string, string>, serverUrl?: string): Json {
  const components: Record<string, unknown> = {};
  const convert = converter(components);
  const errorRef = convert(errorBody, 'output');
  const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: errorRef } } });

  const answer = (a: Answer): Json => {
    const r: Json = { description: a.description };
    if (a.headers) r.headers = Object.fromEntries(Object.entries(a.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]));
    if (a.body === 'text') r.content = { 'text/plain; version=0.0.4': { schema: { type: 'string' } } };
    else if (a.body) r.content = { 'application/json': { schema: convert(a.body, 'output'), ...(a.example === undefined ? {} : { example: a.example }) } };
    r.headers = { ...(r.headers as Json), 'x-request-id': { $ref: '#/components/headers/RequestId' } };
    return r;
  };

  const paths: Json = {};
  for (const [path, item] of Object.entries(operations)) {
    const out: Json = {};
    for (const [method, op] of Object.entries(item) as [Method, Operation][]) {
      const responses: Json = {};
      for (const [status, a] of Object.entries(op.responses)) responses[status] = answer(a);
      // The errors every route of its kind may give, in the `{"error","issues"?}` shape.
      if (op.body) {
        responses['400'] ??= errorAnswer('Malformed JSON, or a body of the wrong shape.');
        responses['413'] ??= errorAnswer('The body is over MAX_BODY_BYTES.');
        responses['415'] ??= errorAnswer('The body is not JSON (send Content-Type: application/json).');
      }
      if (op.access !== 'public') {
        responses['401'] ??= errorAnswer('No API key, or an unknown or revoked one.');
        responses['403'] ??= errorAnswer('The key lacks the scope this route needs.');
      }
      responses['500'] ??= errorAnswer('An unexpected failure; it has been logged with the request id.');
      const query = op.query
        ? Object.entries(op.query.shape).map(([name, schema]) => {
            const s = schema as z.ZodType;
            const js = convert(s, 'input');
            const description = js.description;
            delete js.description;
            return { name, in: 'query', required: !s.safeParse(undefined).success, ...(description ? { description } : {}), schema: js };
          })
        : [];
      const security = SECURITY[op.access];
      out[method] = {
        operationId: operationId(method, path),
        tags: [op.tag],
        summary: op.summary,
        description: [op.description, `**Access:** ${ACCESS_NOTE[op.access]}`].filter(Boolean).join('\n\n'),
        ...(security ? { security } : { security: [] }),
        parameters: [...pathParams(path, pathParamDocs), ...query],
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/json': { schema: convert(op.body, 'input'), ...(op.bodyExample === undefined ? {} : { example: op.bodyExample }) },
                },
              },
            }
          : {}),
        responses,
      };
    }
    paths[path] = out;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Open edX Webhooks',
      version: VERSION,
      description:
        'Open edX events to signed, retried webhooks and Open edX filters to synchronous webfilter calls. Errors are ' +
        '`{"error": "<one sentence>", "issues"?: [{"path", "message"}]}`. Every answer carries an `x-request-id` header ' +
        '(the one sent, when it is a sane id), also written on the log lines and stored on the deliveries the request queued.',
      license: { name: 'AGPL-3.0-only', identifier: 'AGPL-3.0-only' },
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    tags: [
      { name: 'LMS', description: 'Called by the Open edX relay.' },
      { name: 'Relay', description: 'The relay’s routing and catalog sync.' },
      { name: 'Management', description: 'Webhooks, webfilters, deliveries and the catalog, for scripts and Terraform.' },
      { name: 'Operations', description: 'Health, metrics and this document.' },
      { name: 'Sign-in', description: 'The admin app’s sign-in (Auth.js).' },
    ],
    paths,
    components: {
      schemas: components,
      headers: {
        RequestId: { description: 'The request id: the caller’s x-request-id when sane, otherwise a new UUID.', schema: { type: 'string' } },
      },
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (`Authorization: Bearer oewh_…`), created on the API keys page with scopes events, filters, admin, metrics.',
        },
        session: { type: 'apiKey', in: 'cookie', name: 'authjs.session-token', description: 'A signed-in admin’s session (the admin app).' },
        metricsToken: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer $METRICS_TOKEN` (GET /api/metrics only).' },
      },
    },
  };
}

function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '')
    .replace(/\{(\w+)\}/g, 'by-$1')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [method, ...words].map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
}
