// The dialogs that change the camera list: add (claim), rename and remove. Each returns a
// promise of the result (the camera, or true for removal), or null when cancelled.

import { api, ApiError, describeError } from './api.js';
import { FormValidator } from './forms.js';
import { el, setBusy, setFormAlert } from './ui.js';
import { normalizeClaimCode, validateCameraId, validateCameraName, validateClaimCode } from './validation.js';

function field(id, label, attributes = {}, hint = '') {
  const input = el('input', { id, ...attributes, 'aria-describedby': `${hint ? `${id}-hint ` : ''}${id}-error` });
  return {
    input,
    node: el('div', { class: 'field' },
      el('label', { for: id }, label),
      input,
      hint ? el('p', { class: 'field-hint', id: `${id}-hint` }, hint) : null,
      el('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' })),
  };
}

// A modal form dialog; `submit(form)` returns the result or throws ApiError.
// `checks`: {apiFieldName: [field, validate]} for live per-field messages.
function formDialog({ title, description, fields, checks = {}, submitText, busyText, danger = false, submit }) {
  return new Promise((resolve) => {
    const form = el('form', { class: 'form', method: 'dialog' });
    const headingId = `dialog-${Math.random().toString(36).slice(2)}`;
    const cancel = el('button', { type: 'button', class: 'btn btn-ghost' }, 'Cancel');
    const confirm = el('button', { type: 'submit', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}` }, submitText);
    form.append(
      el('h2', { id: headingId }, title),
      description ? el('p', { class: 'muted' }, description) : null,
      el('div', { class: 'form-alert', role: 'alert', hidden: true }),
      ...fields.map((f) => f.node),
      el('div', { class: 'dialog-actions' }, cancel, confirm),
    );
    const validator = new FormValidator(form);
    const inputsByApiName = {};
    for (const [apiName, [f, validate]] of Object.entries(checks)) {
      validator.field(f.input, validate);
      inputsByApiName[apiName] = f.input;
    }
    const dialog = el('dialog', { class: 'dialog', 'aria-labelledby': headingId }, form);
    document.body.append(dialog);
    let result = null;
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      setFormAlert(form, '');
      if (!validator.validateAll()) return;
      setBusy(confirm, true, busyText);
      try {
        result = await submit(form);
        dialog.close();
      } catch (error) {
        setBusy(confirm, false);
        const shown = error instanceof ApiError && validator.showServerFields(error.fields, inputsByApiName);
        setFormAlert(form, shown ? 'Please check the highlighted field.' : describeError(error));
      }
    });
    dialog.showModal();
    fields[0]?.input.focus();
  });
}

export function addCameraDialog() {
  const cameraId = field('add-camera-id', 'Camera ID', { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', placeholder: 'sc-…' }, 'Printed on the camera’s label.');
  const claimCode = field('add-claim-code', 'Claim code', { autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', class: 'mono' }, '10 letters and digits from the label.');
  const name = field('add-camera-name', 'Name (optional)', { autocomplete: 'off', maxlength: '64', placeholder: 'Back yard' });
  return formDialog({
    title: 'Add a camera',
    description: 'Claim a camera with the ID and claim code on its label.',
    fields: [cameraId, claimCode, name],
    checks: {
      cameraId: [cameraId, (v) => validateCameraId(v.trim())],
      claimCode: [claimCode, validateClaimCode],
      name: [name, (v) => validateCameraName(v.trim(), { optional: true })],
    },
    submitText: 'Add camera',
    busyText: 'Adding…',
    submit: async (form) => {
      const { camera } = await api.claimCamera(cameraId.input.value.trim(), normalizeClaimCode(claimCode.input.value), name.input.value.trim());
      return camera;
    },
  });
}

export function renameCameraDialog(camera) {
  const name = field('rename-camera-name', 'Name', { autocomplete: 'off', maxlength: '64' });
  name.input.value = camera.name;
  return formDialog({
    title: 'Rename camera',
    fields: [name],
    checks: { name: [name, (v) => validateCameraName(v.trim())] },
    submitText: 'Save',
    busyText: 'Saving…',
    submit: async () => {
      const { camera: renamed } = await api.renameCamera(camera.id, name.input.value.trim());
      return renamed;
    },
  });
}

export function removeCameraDialog(camera) {
  return formDialog({
    title: 'Remove camera?',
    description: `“${camera.name}” will be removed from your account and anyone watching it is disconnected. You can add it again later with its claim code.`,
    fields: [],
    submitText: 'Remove camera',
    busyText: 'Removing…',
    danger: true,
    submit: async () => {
      await api.removeCamera(camera.id);
      return true;
    },
  });
}
