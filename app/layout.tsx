import type { Metadata, Viewport } from 'next';
import { Footer } from '@/components/shell/footer';
import { Toaster } from '@/components/ui/toast';
import './globals.css';

// Every page depends on the database or the session: nothing is prerendered at build time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Open edX Webhooks', template: '%s · Open edX Webhooks' },
  description: 'Open edX events to webhooks and filters to webfilters.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col">
        <Toaster>{children}</Toaster>
        <Footer />
      </body>
    </html>
  );
}
