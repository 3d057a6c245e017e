// Passwords, e-mail addresses and phone numbers checked as Supabase Auth checks them
// (internal/api/password.go, mail.go, phone.go), and bcrypt hashes like GoTrue's (cost 10).
import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { badRequest, WeakPasswordError } from './errors.ts';

/** bcrypt only looks at the first 72 bytes, so GoTrue refuses longer passwords. */
export const MAX_PASSWORD_BYTES = 72;
const BCRYPT_COST = 10;

/** The async API yields to the event loop while hashing (~0.1 s of CPU at cost 10). */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export async function passwordMatches(password: string, hash: string | null): Promise<boolean> {
  if (!hash || !/^\$2[aby]\$\d\d\$/.test(hash)) return false;
  // bcryptjs would compare only the first 72 bytes; Go's bcrypt refuses longer passwords outright.
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}

/** GoTrue's checkPasswordStrength: too long is a 400, too short a 422 weak_password with reasons. */
export function checkPasswordStrength(password: string, minLength: number): void {
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    throw badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
  }
  if (Buffer.byteLength(password) < minLength) {
    throw new WeakPasswordError(`Password should be at least ${minLength} characters.`, ['length']);
  }
}

/** Same result as checkPasswordStrength, as the `weak_password` hint a password sign-in returns. */
export function weakPasswordHint(password: string, minLength: number): { message: string; reasons: string[] } | undefined {
  try {
    checkPasswordStrength(password, minLength);
    return undefined;
  } catch (err) {
    if (err instanceof WeakPasswordError) return { message: err.message, reasons: err.reasons };
    return undefined;
  }
}

/** Admin-created users without a password get an unguessable one, as GoTrue generates. */
export function randomPassword(): string {
  return randomBytes(48).toString('base64url');
}

// The pattern of github.com/badoux/checkmail's ValidateFormat, which GoTrue uses.
const EMAIL_PATTERN = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue's validateEmail: required, at most 255 characters, a valid format; returns it lower-cased. */
export function validateEmail(email: string): string {
  if (email === '') throw badRequest('validation_failed', 'An email address is required');
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!EMAIL_PATTERN.test(email)) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email.toLowerCase();
}

/** GoTrue's validatePhone: "+" and spaces removed, then E.164 digits. */
export function validatePhone(phone: string): string {
  const formatted = phone.replace(/^\+/, '').replaceAll(' ', '');
  if (!/^[1-9][0-9]{1,14}$/.test(formatted)) throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
  return formatted;
}
