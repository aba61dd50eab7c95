// Management API: every Open edX filter a webfilter can serve, with its arguments and exceptions.
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { json } from '@/lib/http/json';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { catalogFilters } from '@/lib/manage/catalog-json';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async () => {
  await platformCatalogReady(await getDb());
  return json(catalogFilters());
});
