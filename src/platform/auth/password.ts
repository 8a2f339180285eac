/** Password hashing with scrypt (node:crypto), in a self-describing format so parameters can change later. */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

/**
 * scrypt runs on libuv's threadpool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which
 * zlib, file reads and the rest of node:crypto share: a flood of sign-ins or token requests must
 * leave threads for them. More derivations than this wait their turn here instead.
 */
const MAX_CONCURRENT_DERIVATIONS = 2;
let derivations = 0;
const waitingForSlot: (() => void)[] = [];

async function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  if (derivations >= MAX_CONCURRENT_DERIVATIONS)
    await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  else derivations++;
  try {
    return await deriveNow(password, salt, options);
  } finally {
    // Hand the slot straight to the next waiter, or free it.
    const next = waitingForSlot.shift();
    if (next) next();
    else derivations--;
  }
}

function deriveNow(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 64 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Minimum rules for a new password: long enough to resist guessing, no other composition rules (NCSC advice). */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'Password must be at least 12 characters';
  if (password.length > 256) return 'Password must be at most 256 characters';
  return undefined;
}
