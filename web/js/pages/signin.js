// Sign-in page: username and password, then on to the page the user wanted (or the cameras).

import { api, ApiError, describeError } from '../api.js';
import { $, safeNext, setBusy, setFieldError, setFormAlert, urls } from '../ui.js';

const form = $('#signin-form');
const username = $('#username');
const password = $('#password');
const submit = $('#signin-submit');
const next = safeNext(new URLSearchParams(location.search).get('next')) || urls.dashboard();

// Already signed in: straight on.
api.me().then(() => location.replace(next), () => {});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  setFormAlert(form, '');
  const missingUser = username.value.trim() ? '' : 'Enter your username.';
  const missingPassword = password.value ? '' : 'Enter your password.';
  setFieldError(username, missingUser);
  setFieldError(password, missingPassword);
  if (missingUser || missingPassword) {
    (missingUser ? username : password).focus();
    return;
  }
  setBusy(submit, true, 'Signing in…');
  try {
    await api.login(username.value.trim(), password.value);
    location.replace(next);
  } catch (error) {
    setBusy(submit, false);
    const message = error instanceof ApiError && error.status === 401
      ? 'That username and password do not match an account.'
      : describeError(error);
    setFormAlert(form, message);
    password.select();
  }
});
for (const input of [username, password]) input.addEventListener('input', () => setFieldError(input, ''));
