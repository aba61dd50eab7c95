// An invitation link: choose a password (or sign in with Open edX with the invited email) to join the team.
import type { Metadata } from 'next';
import { checkInvitation } from '@/lib/team/invitations';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { openedxEnabled } from '@/lib/auth/openedx';
import { Card } from '@/components/ui/card';
import { AcceptForm } from '@/components/auth/accept-form';

export const metadata: Metadata = { title: 'Join the team' };
export const dynamic = 'force-dynamic';

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const { db } = await getDb();
  const check = await checkInvitation(db, decodeURIComponent(token));
  if (!check.ok) {
    return (
      <Card className="p-6 sm:p-8">
        <h1 className="mb-3 text-xl font-semibold text-slate-900">Invitation</h1>
        <p role="alert" className="text-sm text-red-700" data-testid="invitation-error">
          {check.error}
        </p>
      </Card>
    );
  }
  const { email, role, expiresAt } = check.invitation;
  return <AcceptForm token={token} email={email} role={role} expiresAt={expiresAt.toISOString()} openedx={openedxEnabled(env())} />;
}
