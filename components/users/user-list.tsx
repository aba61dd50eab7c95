'use client';
// The team: name, email, role (changeable), last sign-in, how they sign in, and remove.
import { useRouter } from 'next/navigation';
import { changeRoleAction } from '@/app/(admin)/users/change-role';
import { removeUserAction } from '@/app/(admin)/users/remove-user';
import { ROLES } from '@/lib/auth/roles';
import type { UserJson } from '@/lib/team/users';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-dialog';
import { inputClass } from '@/components/ui/field';
import { formatUtc } from '@/components/ui/format';
import { useToast } from '@/components/ui/toast';

const METHOD = { password: 'password', openedx: 'Open edX' } as const;

export function UserList({ users, me }: { users: UserJson[]; me: string }) {
  const toast = useToast();
  const router = useRouter();
  return (
    <Card className="h-fit overflow-hidden">
      <ul className="divide-y divide-slate-200">
        {users.map((u) => (
          <li key={u.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" data-testid="user-row">
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium text-slate-900">{u.name || u.email}</span>
                {u.id === me && <Badge tone="indigo">you</Badge>}
              </div>
              <p className="truncate text-sm text-slate-600">{u.email}</p>
              <p className="mt-1 text-xs text-slate-500">
                Signs in with {u.sign_in.map((m) => METHOD[m]).join(' or ') || 'nothing yet'} · last sign-in {formatUtc(u.last_sign_in_at)}
              </p>
            </div>
            <select
              aria-label={`Role of ${u.email}`}
              className={`${inputClass.replace('w-full', 'w-full sm:w-32')} sm:flex-none`}
              value={u.role}
              onChange={async (e) => {
                // Read before awaiting: React puts a controlled select back to its value meanwhile.
                const role = e.target.value;
                const r = await changeRoleAction(u.id, role);
                toast(r.error ?? `${u.email} is now ${role}.`, r.error ? 'error' : 'success');
                router.refresh();
              }}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <ConfirmButton
              label="Remove"
              size="sm"
              title={`Remove ${u.email}?`}
              confirmLabel="Remove user"
              onConfirm={async () => {
                const r = await removeUserAction(u.id);
                toast(r.error ?? `${u.email} removed.`, r.error ? 'error' : 'success');
                router.refresh();
              }}
            >
              They are signed out at once and can no longer sign in. The audit log keeps what they did.
            </ConfirmButton>
          </li>
        ))}
      </ul>
    </Card>
  );
}
