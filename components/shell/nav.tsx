'use client';
// Main navigation; scrolls sideways on a phone instead of wrapping.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';
import { useCan } from '@/components/auth/role';

const ITEMS = [
  { href: '/webhooks', label: 'Webhooks' },
  { href: '/webfilters', label: 'Webfilters' },
  { href: '/deliveries', label: 'Deliveries' },
  { href: '/connections', label: 'Connections' },
  { href: '/api-keys', label: 'API keys', owner: true },
  { href: '/users', label: 'Users', owner: true },
  { href: '/audit', label: 'Audit log', owner: true },
  { href: '/retirements', label: 'Retirements', owner: true },
  { href: '/api-reference', label: 'API reference' },
];

export function Nav() {
  const path = usePathname();
  const owner = useCan('owner');
  return (
    <nav aria-label="Main" className="-mb-px flex min-w-0 gap-1 overflow-x-auto">
      {ITEMS.filter((item) => owner || !('owner' in item)).map((item) => {
        const active = path === item.href || path.startsWith(item.href + '/');
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'shrink-0 border-b-2 px-2 py-2.5 text-sm font-medium transition-colors sm:px-3 sm:py-4',
              active ? 'border-indigo-600 text-indigo-700' : 'border-transparent text-slate-600 hover:text-slate-900',
            )}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
