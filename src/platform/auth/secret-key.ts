/** The key sealing secrets edgate must read back: from the configuration, or made once into the data folder for local use. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SecretBox } from './secret-box.ts';

export function loadSecretBox(options: { key: string | undefined; dataDir: string }): SecretBox {
  if (options.key) return SecretBox.fromBase64(options.key);
  const file = path.join(options.dataDir, 'gateway-secret.key');
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return SecretBox.fromBase64(readFileSync(file, 'utf8').trim());
}
