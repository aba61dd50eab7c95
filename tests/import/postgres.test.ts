// The import on PostgreSQL: the plugin's dump imported once even when two imports of it run at the same time.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb } from '../../lib/db';
import { webfilters, webhooks } from '../../lib/db/schema';
import { call, requestTo } from '../helpers/api';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { POST as importRoute } from '../../app/api/v1/import/openedx-webhooks/route';

const FIXTURE = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/openedx-webhooks-dumpdata.json'), 'utf8'));
let pg: TestPostgres;
let token: string;
const req = requestTo('http://localhost/api/v1/import/openedx-webhooks', () => token);
const post = () => call(importRoute(req('POST', '', FIXTURE), undefined as never));

beforeAll(async () => {
  pg = await freshPostgres({ max: 4 });
  setDb(pg.handle);
  ({ token } = await createApiKey(pg.handle.db, { name: 'admin', scopes: ['admin'] }));
});
afterAll(() => pg?.drop());

it('two imports of the same file at once create each row once: one creates, the other finds duplicates', async () => {
  const [a, b] = await Promise.all([post(), post()]);
  expect([a.status, b.status]).toEqual([200, 200]);
  expect([a.body.created, b.body.created].sort((x, y) => x - y)).toEqual([0, 29]);
  expect((await pg.handle.db.select().from(webhooks)).length).toBe(5);
  const filters = await pg.handle.db.select().from(webfilters);
  expect(filters).toHaveLength(24);
  expect(new Set(filters.map((f) => f.filterType)).size).toBe(24);
});
