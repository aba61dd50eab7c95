// Management API: every Open edX event a webhook can subscribe to.
import { withAdmin } from '@/lib/auth/admin-guard';
import { json } from '@/lib/http/json';
import { catalogEvents } from '@/lib/manage/catalog-json';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async () => json(catalogEvents()));
