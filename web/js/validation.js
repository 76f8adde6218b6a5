// Client-side mirror of PROTOCOL.md's validation rules, for messages while the user types.
// The server stays the authority: its `fields` answer is shown the same way.

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
export const CAMERA_ID_MAX = 64;
export const CAMERA_NAME_MAX = 64;
export const CLAIM_CODE_LENGTH = 10;

const USERNAME_PATTERN = /^[A-Za-z0-9._-]+$/;
const CAMERA_ID_PATTERN = /^[A-Za-z0-9._-]+$/;
const CLAIM_CODE_PATTERN = /^[A-Za-z0-9]+$/;
// Control characters are the only thing a name may not hold ("any printable text").
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

// Each validator returns '' when the value is fine, else the message to show.

export function validateUsername(value) {
  if (value.length === 0) return 'Choose a username.';
  if (value.length < USERNAME_MIN) return `Username must be at least ${USERNAME_MIN} characters.`;
  if (value.length > USERNAME_MAX) return `Username must be at most ${USERNAME_MAX} characters.`;
  if (!USERNAME_PATTERN.test(value)) return 'Use only letters, digits, ".", "_" and "-".';
  return '';
}

// The password rules as a checklist, so the page can tick them off while the user types.
export const PASSWORD_RULES = [
  { id: 'length', text: `${PASSWORD_MIN}–${PASSWORD_MAX} characters`, test: (v) => v.length >= PASSWORD_MIN && v.length <= PASSWORD_MAX },
  { id: 'lower', text: 'a lower-case letter', test: (v) => /[a-z]/.test(v) },
  { id: 'upper', text: 'an upper-case letter', test: (v) => /[A-Z]/.test(v) },
  { id: 'digit', text: 'a digit', test: (v) => /[0-9]/.test(v) },
  { id: 'symbol', text: 'a symbol', test: (v) => /[^A-Za-z0-9\s]/.test(v) },
  { id: 'space', text: 'no spaces', test: (v) => !/\s/.test(v) },
];

export function validatePassword(value) {
  if (value.length === 0) return 'Choose a password.';
  if (value.length < PASSWORD_MIN) return `Password must be at least ${PASSWORD_MIN} characters.`;
  if (value.length > PASSWORD_MAX) return `Password must be at most ${PASSWORD_MAX} characters.`;
  if (/\s/.test(value)) return 'Password must not contain spaces.';
  const missing = PASSWORD_RULES.filter((r) => ['lower', 'upper', 'digit', 'symbol'].includes(r.id) && !r.test(value));
  if (missing.length) return `Password needs ${missing.map((r) => r.text).join(', ')}.`;
  return '';
}

export function validatePasswordConfirmation(password, confirmation) {
  if (confirmation.length === 0) return 'Type the password again.';
  return confirmation === password ? '' : 'The passwords do not match.';
}

export function validateCameraId(value) {
  if (value.length === 0) return 'Enter the camera ID from the label.';
  if (value.length > CAMERA_ID_MAX) return `A camera ID has at most ${CAMERA_ID_MAX} characters.`;
  if (!CAMERA_ID_PATTERN.test(value)) return 'A camera ID has only letters, digits, ".", "_" and "-" (like sc-ABCD…).';
  return '';
}

// Claim codes are compared ignoring case, spaces and dashes.
export function normalizeClaimCode(value) {
  return value.replace(/[\s-]/g, '').toUpperCase();
}

export function validateClaimCode(value) {
  const code = normalizeClaimCode(value);
  if (code.length === 0) return 'Enter the claim code from the label.';
  if (!CLAIM_CODE_PATTERN.test(code)) return 'A claim code has only letters and digits.';
  if (code.length !== CLAIM_CODE_LENGTH) return `A claim code has ${CLAIM_CODE_LENGTH} letters and digits (it has ${code.length}).`;
  return '';
}

// `optional`: an empty name is allowed (the server picks one).
export function validateCameraName(value, { optional = false } = {}) {
  if (value.length === 0) return optional ? '' : 'Give the camera a name.';
  if ([...value].length > CAMERA_NAME_MAX) return `A name has at most ${CAMERA_NAME_MAX} characters.`;
  if (CONTROL_CHARACTERS.test(value)) return 'A name cannot contain control characters.';
  return '';
}
