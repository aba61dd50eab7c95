// Webfilter order: new ones go last for their filter; moving renumbers the group so ties cannot block a move.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../lib/db';
import { webfilters } from '../../lib/db/schema';
import { webfiltersFor } from '../../lib/dispatch/targets';
import { createWebfilter, moveWebfilter } from '../../lib/manage/webfilters';
import { DB_KINDS, openTestDb } from '../helpers/db';

const LOGIN = 'org.openedx.learning.student.login.requested.v1';

describe.each(DB_KINDS)('webfilter order on %s', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => void ({ handle, close } = await openTestDb(kind)));
  afterAll(() => close());

  const add = async (description: string, position?: number) => {
    const r = await createWebfilter(handle, { description, filter_type: LOGIN, url: 'https://example.com', position });
    if (!r.ok) throw new Error(r.error);
    return r.value.row;
  };
  const order = async () => (await webfiltersFor(handle, LOGIN)).map((w) => w.description);

  it('moves up and down within the filter, and the engine sees the new order at once', async () => {
    const a = await add('a');
    const b = await add('b');
    const c = await add('c', 1); // ties with b: creation order decides
    await createWebfilter(handle, { description: 'other', filter_type: 'StudentRegistrationRequested', url: 'https://example.com' });
    expect([a.position, b.position, c.position]).toEqual([0, 1, 1]);
    expect(await order()).toEqual(['a', 'b', 'c']);

    const moved = await moveWebfilter(handle, c.id, 'up');
    expect(moved.ok && moved.value.map((w) => [w.description, w.position])).toEqual([['a', 0], ['c', 1], ['b', 2]]);
    expect(await order()).toEqual(['a', 'c', 'b']);

    await moveWebfilter(handle, a.id, 'down');
    expect(await order()).toEqual(['c', 'a', 'b']);
    // At the ends nothing changes.
    await moveWebfilter(handle, c.id, 'up');
    await moveWebfilter(handle, b.id, 'down');
    expect(await order()).toEqual(['c', 'a', 'b']);
    const other = (await handle.db.select().from(webfilters)).find((w) => w.description === 'other');
    expect(other?.position).toBe(0);
  });

  it('answers not found for an unknown id', async () => {
    const r = await moveWebfilter(handle, '3f0c6f2e-00e9-11f0-9c1a-0242ac120006', 'up');
    expect(r.ok === false && r.status).toBe(404);
    const bad = await moveWebfilter(handle, 'x', 'up');
    expect(bad.ok === false && bad.status).toBe(404);
  });
});
