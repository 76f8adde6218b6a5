// Live per-field validation for the forms: a message under each field as the user types
// (once the field has been touched), and the server's `fields` answer shown the same way.

import { setFieldError } from './ui.js';

export class FormValidator {
  #fields = new Map(); // input -> validate(value) -> message

  constructor(form) {
    this.form = form;
    form.noValidate = true;
  }

  // `validate` gets the input's value and returns '' or a message. `dependsOn`: inputs whose
  // change re-checks this one (the password confirmation).
  field(input, validate, { dependsOn = [] } = {}) {
    this.#fields.set(input, validate);
    let touched = false;
    const check = () => setFieldError(input, validate(input.value));
    input.addEventListener('input', () => {
      if (input.value.length > 0) touched = true;
      if (touched) check();
    });
    input.addEventListener('blur', () => {
      if (input.value.length > 0) touched = true;
      if (touched) check();
    });
    for (const other of dependsOn) other.addEventListener('input', () => touched && check());
    return this;
  }

  // Checks every field; focuses the first invalid one. True when all are fine.
  validateAll() {
    let first = null;
    for (const [input, validate] of this.#fields) {
      const message = validate(input.value);
      setFieldError(input, message);
      if (message && !first) first = input;
    }
    first?.focus();
    return first === null;
  }

  // The server's per-field messages, keyed by API field name; `inputs` maps those names to inputs.
  showServerFields(fields, inputs) {
    let first = null;
    for (const [name, message] of Object.entries(fields || {})) {
      const input = inputs[name];
      if (!input) continue;
      setFieldError(input, String(message));
      first = first || input;
    }
    first?.focus();
    return first !== null;
  }
}
