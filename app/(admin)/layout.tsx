// The one place that requires a session for every admin page, and the app shell around them.
import { requireAdminPage } from '@/lib/auth/session';
import { Nav } from '@/components/shell/nav';
import { RoleProvider } from '@/components/auth/role';
import { logout } from './actions';
import { linkOpenedxAction } from './link-openedx';
import { openedxEnabled } from '@/lib/auth/openedx';
import { env } from '@/lib/env';
import { getDb } from '@/lib/db';
import { linkedOpenedx } from '@/lib/team/users';

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const admin = await requireAdminPage();
  return (
    <RoleProvider role={admin.role}>
    <div className="flex-1">
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 px-4 sm:flex-nowrap sm:px-6">
          <a href="/webhooks" className="flex shrink-0 items-center gap-2 py-3 font-semibold text-slate-900">
            <span aria-hidden className="flex size-7 items-center justify-center rounded-lg bg-indigo-600 text-sm text-white">↯</span>
            <span className="sr-only 2xl:not-sr-only">Open edX Webhooks</span>
          </a>
          {/* On a phone the navigation gets a row of its own, so no item is cut off. */}
          <div className="order-last w-full sm:order-none sm:w-auto sm:min-w-0">
            <Nav />
          </div>
          <div className="ml-auto flex shrink-0 items-center gap-3">
            <span className="sr-only max-w-48 truncate text-sm text-slate-600 2xl:not-sr-only" title={admin.email} data-testid="signed-in-admin">
              {admin.email}
            </span>
            <span className="hidden text-xs text-slate-600 md:inline" title={admin.email} data-testid="signed-in-role">
              {admin.role}
            </span>
            {openedxEnabled(env()) && !(await linkedOpenedx((await getDb()).db, admin.id)) && (
              <form action={linkOpenedxAction}>
                <button type="submit" className="rounded-md px-2.5 py-1.5 text-sm font-medium text-indigo-700 hover:bg-indigo-50">
                  Link Open edX account
                </button>
              </form>
            )}
            <form action={logout}>
              <button type="submit" className="rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
    </div>
    </RoleProvider>
  );
}
