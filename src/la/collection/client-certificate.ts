/**
 * The X.509 certificate and private key an LA signs its gateway requests with, from PEM (a
 * certificate and a key) or from a PFX/PKCS#12 file and its password, as Windows exports them.
 *
 * Node's crypto cannot open a PFX; pkijs (already installed with `selfsigned`) reads the PBES2
 * ones (AES, what OpenSSL 3 and current Windows write). The older RC2/3DES ones are refused with
 * how to convert them: those ciphers are outside OpenSSL 3's default provider.
 */
import { X509Certificate, createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export interface ClientCertificate {
  certificate: X509Certificate;
  privateKey: KeyObject;
}

/** What a source keeps (sealed): PEM text, or a PFX in base64 with its password. */
export type CertificateMaterial =
  | { format: 'pem'; certificatePem: string; keyPem: string }
  | { format: 'pfx'; pfxBase64: string; password: string };

export class CertificateError extends Error {}

export async function openClientCertificate(material: CertificateMaterial): Promise<ClientCertificate> {
  const opened =
    material.format === 'pem'
      ? fromPem(material.certificatePem, material.keyPem)
      : await fromPfx(Buffer.from(material.pfxBase64, 'base64'), material.password);
  if (!opened.certificate.checkPrivateKey(opened.privateKey)) {
    throw new CertificateError('The private key does not belong to the certificate.');
  }
  if (opened.privateKey.asymmetricKeyType !== 'rsa') {
    throw new CertificateError('The gateway needs an RSA key; this certificate has another kind.');
  }
  return opened;
}

function fromPem(certificatePem: string, keyPem: string): ClientCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new CertificateError('The certificate is not a PEM X.509 certificate.');
  }
  try {
    return { certificate, privateKey: createPrivateKey(keyPem) };
  } catch {
    throw new CertificateError('The private key is not an unencrypted PEM key.');
  }
}

let engineSet = false;
function pkijsEngine(): void {
  if (engineSet) return;
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));
  engineSet = true;
}

const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';

interface ShroudedKeyBag {
  parseInternalValues(parameters: { password: ArrayBuffer }): Promise<void>;
}

async function fromPfx(der: Buffer, password: string): Promise<ClientCertificate> {
  pkijsEngine();
  const asn = asn1js.fromBER(new Uint8Array(der).slice().buffer);
  if (asn.offset === -1) throw new CertificateError('The file is not a PFX (PKCS#12).');
  const secret = new TextEncoder().encode(password).buffer as ArrayBuffer;
  const certificates: X509Certificate[] = [];
  let privateKey: KeyObject | undefined;
  try {
    const pfx = new pkijs.PFX({ schema: asn.result });
    await pfx.parseInternalValues({ password: secret, checkIntegrity: true });
    const safe = pfx.parsedValue?.authenticatedSafe;
    if (!safe) throw new CertificateError('The PFX holds nothing readable.');
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: secret })) });
    for (const contents of safe.parsedValue.safeContents) {
      for (const bag of contents.value.safeBags) {
        if (bag.bagId === CERT_BAG) {
          const value = (bag.bagValue as pkijs.CertBag).parsedValue as pkijs.Certificate;
          certificates.push(new X509Certificate(Buffer.from(value.toSchema().toBER())));
        } else if (bag.bagId === SHROUDED_KEY_BAG) {
          const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
          // Public in pkijs's JavaScript, protected only in its type declarations.
          await (shrouded as unknown as ShroudedKeyBag).parseInternalValues({ password: secret });
          const info = shrouded.parsedValue as pkijs.PrivateKeyInfo;
          privateKey = createPrivateKey({
            key: Buffer.from(info.toSchema().toBER()),
            format: 'der',
            type: 'pkcs8',
          });
        } else if (bag.bagId === KEY_BAG) {
          const info = bag.bagValue as pkijs.PrivateKeyInfo;
          privateKey = createPrivateKey({
            key: Buffer.from(info.toSchema().toBER()),
            format: 'der',
            type: 'pkcs8',
          });
        }
      }
    }
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    const message = (error as Error).message;
    if (/contentEncryptionAlgorithm|Unknown|not supported/i.test(message)) {
      throw new CertificateError(
        'The PFX uses old encryption (RC2 or 3DES) that edgate cannot open. Convert it with ' +
          '"openssl pkcs12 -legacy -in old.pfx -nodes | openssl pkcs12 -export -out new.pfx", or give the certificate and key as PEM.',
      );
    }
    throw new CertificateError('The PFX could not be opened: check its password.');
  }
  if (!privateKey) throw new CertificateError('The PFX holds no private key.');
  const certificate = certificates.find((c) => c.checkPrivateKey(privateKey!));
  if (!certificate) throw new CertificateError('The PFX holds no certificate for its private key.');
  return { certificate, privateKey };
}
