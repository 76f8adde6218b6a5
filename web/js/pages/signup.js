// Create-account page: the first camera's ID and claim code plus a username and password,
// checked as the user types, then on to that camera's set-up page.

import { api, ApiError, describeError } from '../api.js';
import { FormValidator } from '../forms.js';
import { $, el, setBusy, setFormAlert, urls } from '../ui.js';
import {
  PASSWORD_RULES, normalizeClaimCode, validateCameraId, validateCameraName, validateClaimCode,
  validatePassword, validatePasswordConfirmation, validateUsername,
} from '../validation.js';

const form = $('#signup-form');
const inputs = {
  cameraId: $('#camera-id'),
  claimCode: $('#claim-code'),
  cameraName: $('#camera-name'),
  username: $('#username'),
  password: $('#password'),
  passwordAgain: $('#password-again'),
};
const submit = $('#signup-submit');

// Signed in already: this page is for new accounts.
api.me().then(() => location.replace(urls.dashboard()), () => {});

// A link on the camera's label may carry its ID and code.
const params = new URLSearchParams(location.search);
if (params.get('camera')) inputs.cameraId.value = params.get('camera');
if (params.get('code')) inputs.claimCode.value = params.get('code');

const rulesList = $('#password-rules');
const ruleItems = PASSWORD_RULES.map((rule) => {
  const item = el('li', { dataset: { rule: rule.id } }, rule.text);
  rulesList.append(item);
  return [rule, item];
});
function updateRules() {
  for (const [rule, item] of ruleItems) item.classList.toggle('rule-met', rule.test(inputs.password.value));
}
inputs.password.addEventListener('input', updateRules);
updateRules();

const validator = new FormValidator(form)
  .field(inputs.cameraId, (v) => validateCameraId(v.trim()))
  .field(inputs.claimCode, validateClaimCode)
  .field(inputs.cameraName, (v) => validateCameraName(v.trim(), { optional: true }))
  .field(inputs.username, (v) => validateUsername(v.trim()))
  .field(inputs.password, validatePassword)
  .field(inputs.passwordAgain, (v) => validatePasswordConfirmation(inputs.password.value, v), { dependsOn: [inputs.password] });

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  setFormAlert(form, '');
  if (!validator.validateAll()) return;

  const cameraId = inputs.cameraId.value.trim();
  const body = {
    username: inputs.username.value.trim(),
    password: inputs.password.value,
    cameraId,
    claimCode: normalizeClaimCode(inputs.claimCode.value),
  };
  const name = inputs.cameraName.value.trim();
  if (name) body.cameraName = name;

  setBusy(submit, true, 'Creating your account…');
  try {
    await api.register(body);
    location.replace(urls.setup(cameraId));
  } catch (error) {
    setBusy(submit, false);
    const shown = error instanceof ApiError && validator.showServerFields(error.fields, inputs);
    if (!shown) setFormAlert(form, describeError(error));
    else setFormAlert(form, 'Please check the highlighted fields.');
  }
});
