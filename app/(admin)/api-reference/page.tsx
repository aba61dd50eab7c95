// API reference (SPEC §11): the OpenAPI document of every /api route, rendered in the admin app.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { PageHeader } from '@/components/ui/card';
import { ApiReference } from '@/components/api-reference/reference';

export const metadata: Metadata = { title: 'API reference' };
export const dynamic = 'force-dynamic';

export default async function ApiReferencePage() {
  await requireAdminPage();
  return (
    <>
      <PageHeader
        title="API reference"
        description="Every /api route: the LMS API, the management API, the relay's routes, health and metrics. The document itself is at /api/openapi.json."
      />
      <ApiReference />
    </>
  );
}
