// The §7 notice on an editor whose saved URL points at a private, loopback or link-local address.
export function PrivateTargetWarning({ message }: { message: string }) {
  return (
    <div role="status" data-testid="private-target-warning" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
      <p className="font-medium">Private address</p>
      <p className="mt-0.5">{message}</p>
    </div>
  );
}
