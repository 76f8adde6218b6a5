// The web app's as-you-type checks (web/js/validation.js) against PROTOCOL.md's rules. Pure
// logic, so it runs in Node; the browser tests check how the messages are shown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  normalizeClaimCode, validateCameraId, validateCameraName, validateClaimCode, validatePassword,
  validatePasswordConfirmation, validateUsername,
} from '../../web/js/validation.js';

const ok = (message) => assert.equal(message, '');
const refused = (message, pattern) => assert.match(message, pattern);

test('usernames: 3 to 32 letters, digits, ".", "_" and "-"', () => {
  ok(validateUsername('ann'));
  ok(validateUsername('a.b_c-9'));
  ok(validateUsername('x'.repeat(32)));
  refused(validateUsername(''), /Choose a username/);
  refused(validateUsername('an'), /at least 3/);
  refused(validateUsername('x'.repeat(33)), /at most 32/);
  refused(validateUsername('ann smith'), /Use only letters/);
  refused(validateUsername('ann<b>'), /Use only letters/);
});

test('passwords: 10 to 128 characters, no whitespace, lower, upper, digit and symbol', () => {
  ok(validatePassword('Correct-Horse-9'));
  ok(validatePassword(`Aa1!${'x'.repeat(124)}`));
  refused(validatePassword(''), /Choose a password/);
  refused(validatePassword('Aa1!aaaaa'), /at least 10/);
  refused(validatePassword(`Aa1!${'x'.repeat(125)}`), /at most 128/);
  refused(validatePassword('Correct Horse-9'), /spaces/);
  refused(validatePassword('correct-horse-9'), /upper-case/);
  refused(validatePassword('CORRECT-HORSE-9'), /lower-case/);
  refused(validatePassword('Correct-Horse-x'), /digit/);
  refused(validatePassword('CorrectHorse99'), /symbol/);
});

test('the password confirmation must match', () => {
  ok(validatePasswordConfirmation('Correct-Horse-9', 'Correct-Horse-9'));
  refused(validatePasswordConfirmation('Correct-Horse-9', 'Correct-Horse-8'), /do not match/);
  refused(validatePasswordConfirmation('Correct-Horse-9', ''), /again/);
});

test('camera IDs match ^[A-Za-z0-9._-]{1,64}$', () => {
  ok(validateCameraId('sc-0123456789ABCDEF'));
  ok(validateCameraId('a'));
  ok(validateCameraId('x'.repeat(64)));
  refused(validateCameraId(''), /camera ID/);
  refused(validateCameraId('x'.repeat(65)), /at most 64/);
  refused(validateCameraId('sc 01'), /only letters/);
  refused(validateCameraId('sc/../x'), /only letters/);
});

test('claim codes: 10 letters and digits, ignoring case, spaces and dashes', () => {
  assert.equal(normalizeClaimCode(' abcde-12345 '), 'ABCDE12345');
  ok(validateClaimCode('ABCDE12345'));
  ok(validateClaimCode('abcde-12345'));
  ok(validateClaimCode('AB CD E1 23 45'));
  refused(validateClaimCode(''), /Enter the claim code/);
  refused(validateClaimCode('ABCDE1234'), /has 10 .* \(it has 9\)/);
  refused(validateClaimCode('ABCDE12345X'), /it has 11/);
  refused(validateClaimCode('ABCDE_1234'), /only letters and digits/);
});

test('camera names: 1 to 64 printable characters, optional where the server picks one', () => {
  ok(validateCameraName('Front door'));
  ok(validateCameraName('<script>alert(1)</script>'));
  ok(validateCameraName('é'.repeat(64)));
  ok(validateCameraName('', { optional: true }));
  refused(validateCameraName(''), /Give the camera a name/);
  refused(validateCameraName('x'.repeat(65)), /at most 64/);
  refused(validateCameraName('bell\u0007'), /control characters/);
});
