// Mails an invitation when SMTP_URL is set; without it the link is only shown to the owner, who passes it on.
import { env } from '../env';

export async function mailInvitation(to: string, url: string, expiresAt: Date, invitedBy: string): Promise<{ sent: boolean; error?: string }> {
  const e = env();
  if (!e.SMTP_URL) return { sent: false };
  try {
    const { createTransport } = await import('nodemailer');
    const transport = createTransport(e.SMTP_URL);
    await transport.sendMail({
      from: e.SMTP_FROM ?? `Open edX Webhooks <no-reply@${new URL(url).hostname}>`,
      to,
      subject: 'You are invited to Open edX Webhooks',
      text:
        `${invitedBy} invited you to the Open edX Webhooks admin app.\n\n` +
        `Open this link to choose a password or sign in with your Open edX account:\n${url}\n\n` +
        `The link works once, until ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.\n`,
    });
    return { sent: true };
  } catch (err) {
    console.error('[team] could not mail the invitation:', err);
    return { sent: false, error: 'The invitation could not be mailed (see the server log); copy the link instead.' };
  }
}
