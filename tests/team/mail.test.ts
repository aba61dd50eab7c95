// Invitation mail (SPEC §10): with SMTP_URL set, nodemailer delivers the link to a real SMTP server on loopback
// (a few lines of the protocol, here); without it nothing is sent and the owner copies the link.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetEnv } from '../../lib/env';
import { mailInvitation } from '../../lib/team/mail';

interface Mail {
  from: string;
  to: string[];
  data: string;
}

let smtp: net.Server;
let port = 0;
const received: Mail[] = [];

beforeAll(async () => {
  smtp = net.createServer((socket) => {
    const mail: Mail = { from: '', to: [], data: '' };
    let inData = false;
    let buffer = '';
    socket.write('220 loopback ESMTP test\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push({ ...mail });
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-loopback\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') (mail.from = line), socket.write('250 2.1.0 ok\r\n');
        else if (verb === 'RCPT') mail.to.push(line), socket.write('250 2.1.5 ok\r\n');
        else if (verb === 'DATA') (inData = true), socket.write('354 go ahead\r\n');
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => smtp.close(resolve)));
afterEach(() => {
  delete process.env.SMTP_URL;
  delete process.env.SMTP_FROM;
  resetEnv();
});

describe('mailing an invitation', () => {
  it('sends the link, the expiry and who invited, to the invitee, when SMTP_URL is set', async () => {
    process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
    process.env.SMTP_FROM = 'Webhooks <webhooks@example.org>';
    resetEnv();
    const url = 'https://webhooks.example.org/invite/oewi_abcdefghijklmnopqrstuvwxyz012345';
    const sent = await mailInvitation('new.member@example.org', url, new Date('2026-03-08T10:00:00Z'), 'owner@example.org');
    expect(sent).toEqual({ sent: true });
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail!.from).toContain('<webhooks@example.org>');
    expect(mail!.to).toEqual(['RCPT TO:<new.member@example.org>']);
    expect(mail!.data).toContain('Subject: You are invited to Open edX Webhooks');
    expect(mail!.data.replace(/=\r\n/g, '')).toContain(url);
    expect(mail!.data).toContain('2026-03-08 10:00 UTC');
    expect(mail!.data).toContain('owner@example.org invited you');
  });

  it('says so, without throwing, when the mail server cannot be reached', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    process.env.SMTP_URL = `smtp://127.0.0.1:${dead}`;
    resetEnv();
    const r = await mailInvitation('x@example.org', 'https://w.example.org/invite/oewi_x', new Date(), 'o@example.org');
    expect(r.sent).toBe(false);
    expect(r.error).toMatch(/could not be mailed.*copy the link/);
  });

  it('sends nothing without SMTP_URL', async () => {
    const before = received.length;
    expect(await mailInvitation('x@example.org', 'https://w.example.org/invite/oewi_x', new Date(), 'o@example.org')).toEqual({ sent: false });
    expect(received.length).toBe(before);
  });
});
