// The one-time codes of e-mailed links (internal/crypto/crypto.go): a code of `[auth.email]
// otp_length` digits, and the token stored and put in the link, sha224(email + code) in hex.
import { createHash, randomInt } from 'node:crypto';

export function generateOtp(digits: number): string {
  const n = Math.min(Math.max(Math.trunc(digits), 1), 10);
  return String(randomInt(0, 10 ** n)).padStart(n, '0');
}

export function tokenHash(emailOrPhone: string, otp: string): string {
  return createHash('sha224').update(emailOrPhone + otp).digest('hex');
}
