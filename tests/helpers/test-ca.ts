// A CA made for a test and a server certificate it signs (openssl), for HTTPS receivers on loopback.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCertificate {
  /** The CA's PEM file (NODE_EXTRA_CA_CERTS trusts it). */
  caFile: string;
  key: Buffer;
  cert: Buffer;
  remove(): void;
}

/** `altNames` as openssl's subjectAltName takes it: "DNS:localhost,IP:127.0.0.1". */
export function testCertificate(prefix: string, altNames: string): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=${altNames}\n`);
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  return {
    caFile: path.join(dir, 'ca.pem'),
    key: fs.readFileSync(path.join(dir, 'server.key')),
    cert: fs.readFileSync(path.join(dir, 'server.pem')),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
