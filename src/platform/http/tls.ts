/**
 * The server's certificate: TLS_CERT/TLS_KEY when given, otherwise a self-signed one made
 * once into <dataDir>/tls for local use (browsers will warn; that is expected locally).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  selfSigned: boolean;
}

export async function loadTls(options: {
  certFile?: string;
  keyFile?: string;
  dataDir: string;
  hostnames?: string[];
}): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) {
    const read = (file: string, what: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (error) {
        throw new Error(`Cannot read ${what} ${file}: ${(error as Error).message}`);
      }
    };
    return {
      cert: read(options.certFile, 'TLS_CERT'),
      key: read(options.keyFile, 'TLS_KEY'),
      selfSigned: false,
    };
  }
  const dir = path.join(options.dataDir, 'tls');
  const certPath = path.join(dir, 'server.crt');
  const keyPath = path.join(dir, 'server.key');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), selfSigned: true };
  }
  const hostnames = options.hostnames ?? ['localhost'];
  const now = new Date();
  const generated = await generate([{ name: 'commonName', value: 'edgate local' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 24 * 3600 * 1000),
    notAfterDate: new Date(now.getTime() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...hostnames.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
          { type: 7 as const, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyPath, generated.private, { mode: 0o600 });
  writeFileSync(certPath, generated.cert);
  return { cert: generated.cert, key: generated.private, selfSigned: true };
}
