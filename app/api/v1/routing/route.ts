// Relay → which event and filter types to send (SPEC §8), with an ETag: many relays poll it every 30 s.
import { withRelayKey } from '@/lib/auth/relay-guard';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json } from '@/lib/http/json';
import { etagMatches, routing } from '@/lib/platforms/routing';

export const dynamic = 'force-dynamic';

export const GET = withRelayKey(async (req) => {
  const r = await routing(await getDb(), env().STORE_ALL_EVENTS);
  const headers = { etag: `"${r.version}"`, 'cache-control': 'no-cache' };
  if (etagMatches(req.headers.get('if-none-match'), headers.etag)) return new Response(null, { status: 304, headers });
  return json(r, 200, headers);
});
