// The §7 warning an editor shows when a saved URL points at a private, loopback or metadata address.
import { privateTargetReason } from '../dispatch/address';
import { env } from '../env';

/** A sentence for the editor, or null when the URL's host is public (or cannot be resolved now). */
export async function targetWarning(url: string): Promise<string | null> {
  const reason = await privateTargetReason(url);
  if (!reason) return null;
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const address = reason.match(/resolves to (\S+?),/)?.[1] ?? host;
  return env().ALLOW_PRIVATE_TARGETS
    ? `${host} is a private or loopback address (${address}). Calls are made only because ALLOW_PRIVATE_TARGETS is on.`
    : `${host} is a private or loopback address (${address}): calls to it will be refused unless ALLOW_PRIVATE_TARGETS=1.`;
}
