// Management API: every Open edX event a webhook can subscribe to.
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { json } from '@/lib/http/json';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { catalogEvents } from '@/lib/manage/catalog-json';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async () => {
  await platformCatalogReady(await getDb());
  return json(catalogEvents());
});
