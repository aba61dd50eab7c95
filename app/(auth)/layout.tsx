// Sign-in and first-run pages: a centred card, no navigation.
export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="flex flex-1 items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="mx-auto mb-3 flex size-11 items-center justify-center rounded-xl bg-indigo-600 text-lg font-bold text-white">
            ↯
          </div>
          <p className="text-sm font-medium text-slate-500">Open edX Webhooks</p>
        </div>
        {children}
      </div>
    </main>
  );
}
