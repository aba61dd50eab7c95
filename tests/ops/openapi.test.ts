// GET /api/openapi.json (SPEC §11): a valid OpenAPI 3.1 document (checked by a real validator) that lists every
// route file of app/api with exactly the methods it exports, nothing that does not exist, and request bodies
// that follow the schemas the routes validate with.
import fs from 'node:fs';
import path from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS, PATH_PARAMS } from '../../app/api/operations';
import { GET } from '../../app/api/openapi.json/route';
import { EVENTS, findEvent, findFilter, sampleEventData } from '../../lib/catalog';
import type { DbHandle } from '../../lib/db';
import { deliveries, webhooks, webfilters } from '../../lib/db/schema';
import { parseEventRequest } from '../../lib/dispatch/ingest';
import { eventJson, filterJson } from '../../lib/manage/catalog-json';
import { deliveryJson } from '../../lib/deliveries/present';
import { withBreakers } from '../../lib/manage/webfilters';
import { webhookJson } from '../../lib/manage/webhooks';
import { buildOpenApi } from '../../lib/openapi/document';
import { eventRequestSchema } from '../../lib/openapi/event-request';
import * as out from '../../lib/openapi/responses';
import { webhookCreate } from '../../lib/validation/webhook';
import { pgliteDb } from '../helpers/db';

const API = path.resolve(import.meta.dirname, '../../app/api');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Every route file as its OpenAPI path, with the HTTP methods its source exports. */
function routeFiles(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'route.ts') {
        const rel = path.relative(path.resolve(API, '..'), path.dirname(p)).split(path.sep);
        const apiPath = '/' + rel.map((s) => s.replace(/^\[\.\.\.(\w+)\]$/, '{$1}').replace(/^\[(\w+)\]$/, '{$1}')).join('/');
        const src = fs.readFileSync(p, 'utf8');
        const methods = METHODS.filter((m) =>
          new RegExp(`export\\s+(const|async\\s+function|function)\\s+${m}\\b|export\\s+const\\s*\\{[^}]*\\b${m}\\b[^}]*\\}`).test(src),
        );
        found.set(apiPath, methods.map((m) => m.toLowerCase()));
      }
    }
  };
  walk(API);
  return found;
}

type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
let doc: Doc;

beforeAll(async () => {
  const res = await GET();
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
});

it('is a valid OpenAPI 3.1 document', async () => {
  expect(doc).toMatchObject({ openapi: '3.1.0' });
  // The validator dereferences in place: give it a copy.
  const result = await validate(structuredClone(doc) as never);
  if (!result.valid) throw new Error(compileErrors(result));
  expect(result.valid).toBe(true);
});

it('documents every route file in app/api, with exactly the methods it exports', () => {
  const files = routeFiles();
  expect(files.size).toBeGreaterThan(15);
  for (const [apiPath, methods] of files) {
    expect(doc.paths, `${apiPath} is missing from the document`).toHaveProperty([apiPath]);
    expect(Object.keys(doc.paths[apiPath]!).sort(), apiPath).toEqual([...methods].sort());
  }
  // …and documents nothing that does not exist.
  for (const [apiPath, item] of Object.entries(doc.paths)) {
    expect(files.has(apiPath), `${apiPath} is documented but has no route file`).toBe(true);
    for (const method of Object.keys(item)) expect(files.get(apiPath), `${method} ${apiPath}`).toContain(method);
  }
});

it('has auth schemes, the error shape, request ids and examples from the catalog', () => {
  const s = doc as unknown as Record<string, any>;
  expect(Object.keys(s.components.securitySchemes).sort()).toEqual(['apiKey', 'metricsToken', 'session']);
  expect(s.components.schemas.Error.required).toEqual(['error']);
  const events = s.paths['/api/events'].post;
  expect(events.security).toEqual([{ apiKey: ['events'] }]);
  expect(events.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  expect(events.responses['202'].headers['x-request-id']).toBeDefined();
  const example = events.requestBody.content['application/json'].example;
  const enrollment = findEvent('org.openedx.learning.course.enrollment.created.v1')!;
  expect(example.data).toEqual(sampleEventData(enrollment));
  expect(parseEventRequest(example).ok).toBe(true);
  expect(s.paths['/api/metrics'].get.security).toEqual([{ apiKey: ['metrics'] }, { metricsToken: [] }]);
  expect(s.paths['/api/health'].get.security).toEqual([]);
});

it('takes request bodies from the schemas the routes validate with: a new field shows up', () => {
  const body = doc.paths['/api/v1/webhooks']!.post.requestBody.content['application/json'].schema;
  expect(Object.keys(body.properties).sort()).toEqual(Object.keys(webhookCreate.shape).sort());
  // A schema with one more field gives a document with one more field.
  const extended = webhookCreate.extend({ rate_limit_per_second: webhookCreate.shape.enabled.optional() });
  const patched = { ...OPERATIONS, '/api/v1/webhooks': { post: { ...OPERATIONS['/api/v1/webhooks']!.post!, body: extended } } };
  const again = buildOpenApi(patched, PATH_PARAMS) as unknown as Doc;
  expect(again.paths['/api/v1/webhooks']!.post.requestBody.content['application/json'].schema.properties).toHaveProperty('rate_limit_per_second');
  // The deliveries query parameters are the log's own query schema.
  const params = doc.paths['/api/v1/deliveries']!.get.parameters.map((p: { name: string }) => p.name);
  expect(params).toEqual(expect.arrayContaining(['kind', 'status', 'event_type', 'target_id', 'limit', 'cursor']));
});

it("keeps the events body schema in step with the route's own (ingest)", () => {
  // What the route accepts, the document's schema accepts; and the shapes it refuses, this refuses too.
  for (const e of EVENTS.slice(0, 20)) {
    const body = { event_type: e.eventType, data: sampleEventData(e), metadata: { id: crypto.randomUUID(), time: '2025-01-01T00:00:00Z' } };
    expect(parseEventRequest(body).ok, e.eventType).toBe(true);
    expect(eventRequestSchema.safeParse(body).success, e.eventType).toBe(true);
  }
  for (const bad of [{ data: {} }, { event_type: 'x', data: [] }, { event_type: 'x', data: {}, metadata: { id: 'nope' } }, { event_type: 3, data: {} }]) {
    expect(parseEventRequest(bad).ok).toBe(false);
    expect(eventRequestSchema.safeParse(bad).success).toBe(false);
  }
});

describe('response schemas match what the presenters answer', () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await pgliteDb();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('webhook, webfilter and catalog entries have exactly the documented keys', async () => {
    const [w] = await handle.db.insert(webhooks).values({ eventType: 'org.openedx.learning.course.enrollment.created.v1', url: 'https://a.example/h', secret: 'whsec_x' }).returning();
    const [f] = await handle.db.insert(webfilters).values({ filterType: 'org.openedx.learning.student.registration.requested.v1', url: 'https://a.example/f', position: 0 }).returning();
    const [d] = await handle.db
      .insert(deliveries)
      .values({ kind: 'webhook', eventId: crypto.randomUUID(), targetId: w!.id, eventType: w!.eventType, url: w!.url, requestId: 'req-1' })
      .returning();
    const cases: [string, object, typeof out.webhook | typeof out.webfilter | typeof out.delivery | typeof out.catalogEvent | typeof out.catalogFilter][] = [
      ['webhook', webhookJson(w!), out.webhook],
      ['delivery', deliveryJson(d!), out.delivery],
      ['webfilter', (await withBreakers(handle, [f!]))[0]!, out.webfilter],
      ['catalog event', eventJson(findEvent('org.openedx.learning.course.enrollment.created.v1')!), out.catalogEvent],
      ['catalog filter', filterJson(findFilter('org.openedx.learning.student.registration.requested.v1')!), out.catalogFilter],
    ];
    for (const [name, value, schema] of cases) {
      const documented = Object.keys(schema.shape);
      for (const key of Object.keys(value)) expect(documented, `${name}.${key}`).toContain(key);
      expect(schema.safeParse(value).success, name).toBe(true);
    }
  });
});
