// Management API: every Open edX filter a webfilter can serve, with its arguments and exceptions.
import { withAdmin } from '@/lib/auth/admin-guard';
import { json } from '@/lib/http/json';
import { catalogFilters } from '@/lib/manage/catalog-json';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async () => json(catalogFilters()));
