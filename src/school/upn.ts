/**
 * Unique Pupil Numbers: a check letter, then the LA number (3 digits), the establishment number
 * (4), the last two digits of the year of issue (2) and a serial (3) — 13 characters.
 *
 * The check letter (DfE UPN guidance; the UK Government Data Standards Catalogue, "Unique Pupil
 * Number" v2.0): the sum of each of the 12 digits times its position in the UPN (2 to 13), modulo
 * 23, as a letter of A–Z without I, O and S. Temporary UPNs (a letter in place of the last digit)
 * are not generated here, so not read either.
 */

const CHECK_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';
const UPN_SHAPE = /^[A-HJ-NP-RT-Z]\d{12}$/;

/** The check letter of 12 digits. */
export function upnCheckLetter(digits: string): string {
  if (!/^\d{12}$/.test(digits))
    throw new RangeError(`A UPN's body is 12 digits, not ${JSON.stringify(digits)}`);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i + 2);
  return CHECK_LETTERS[sum % 23]!;
}

/** A permanent UPN from its parts: `makeUpn(207, 0, 2016, 49)` is `Q207000016049`. */
export function makeUpn(
  laNumber: number,
  establishment: number,
  yearOfIssue: number,
  serial: number,
): string {
  const digits =
    String(laNumber).padStart(3, '0') +
    String(establishment).padStart(4, '0') +
    String(yearOfIssue % 100).padStart(2, '0') +
    String(serial).padStart(3, '0');
  return upnCheckLetter(digits) + digits;
}

/** True when `value` is a permanent UPN with the right check letter. */
export function isValidUpn(value: string): boolean {
  return UPN_SHAPE.test(value) && upnCheckLetter(value.slice(1)) === value[0];
}
