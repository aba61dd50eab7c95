// Users (owners): the team with its roles, and invitations.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { listUsers, userJson } from '@/lib/team/users';
import { PageHeader } from '@/components/ui/card';
import { InviteForm } from '@/components/users/invite-form';
import { UserList } from '@/components/users/user-list';

export const metadata: Metadata = { title: 'Users' };
export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const admin = await requireAdminPage('owner');
  const { db } = await getDb();
  const users = (await listUsers(db)).map(userJson);
  return (
    <>
      <PageHeader
        title="Users"
        description="Owners do everything, users and API keys included; editors change webhooks and webfilters and retry deliveries; viewers read."
      />
      <div className="grid gap-6 lg:grid-cols-[22rem_1fr]">
        <InviteForm mail={!!env().SMTP_URL} />
        <UserList users={users} me={admin.id} />
      </div>
    </>
  );
}
