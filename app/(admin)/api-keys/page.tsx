import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { listApiKeys } from '@/lib/auth/api-keys';
import { PageHeader } from '@/components/ui/card';
import { CreateApiKeyForm } from '@/components/api-keys/create-form';
import { ApiKeyList } from '@/components/api-keys/key-list';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage() {
  await requireAdminPage('owner');
  const { db } = await getDb();
  const keys = await listApiKeys(db);
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            The LMS sends events and filter calls with a key: <code className="font-mono text-xs">Authorization: Bearer &lt;key&gt;</code>.
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[22rem_1fr]">
        <CreateApiKeyForm />
        <ApiKeyList
          keys={keys.map((k) => ({
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            createdAt: k.createdAt.toISOString(),
            lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
            createdBy: k.createdByEmail,
            expiresAt: k.expiresAt?.toISOString() ?? null,
            revokedAt: k.revokedAt?.toISOString() ?? null,
          }))}
        />
      </div>
    </>
  );
}
