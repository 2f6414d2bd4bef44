// The parameter form, rendered from the fields of the chosen model's request schema (schema.js):
// a segmented choice per enum, a switch per boolean, a number or text input per number or string, a
// textarea with a counter for long text. Each shows the schema's title, a required mark, and as help
// the text of the choice picked (x-enumDescriptions) or else the field's description. The schema's
// limits are checked as the user types; a broken one is shown under its field, naming it.
import { FORM_KINDS, defaults, fits, problems } from "./schema.js";
import { h } from "./util.js";

const MAX_SEGMENTS = 4; // more choices than this are a <select>

/** Optional one-line text (callback_url, external_task_id): folded under "More fields". */
const folded = (f) => f.kind === "text" && !f.required;

export class ParamForm {
  constructor(root, onChange) {
    this.root = root;
    this.onChange = onChange;
    this.fields = [];
    this.values = {};
    this.errors = {};
    this.touched = new Map(); // a field's own name -> the value the user gave it
    this.parts = {};
    root.replaceChildren();
  }

  /** Show another model's fields: its defaults, except the values the user set that fit it too. */
  setFields(fields) {
    this.fields = fields.filter((f) => FORM_KINDS.has(f.kind));
    this.values = defaults(this.fields);
    for (const f of this.fields) {
      if (this.touched.has(f.key) && fits(f, this.touched.get(f.key))) this.values[f.name] = this.touched.get(f.key);
    }
    this.parts = {};
    const open = Boolean(this.more && this.more.open); // folded or not, as the user left it
    const main = this.fields.filter((f) => !folded(f)).map((f) => this.renderField(f));
    const more = this.fields.filter(folded).map((f) => this.renderField(f));
    this.more = more.length
      ? h("details.more-fields", { open }, h("summary", {}, `More fields (${more.length})`), h("div.params", {}, more))
      : null;
    this.root.replaceChildren(...main, this.more);
    this.refresh();
  }

  renderField(f) {
    const part = { field: f };
    const set = (value) => this.set(f, value);
    if (f.kind === "choice" && f.choices.length <= MAX_SEGMENTS) {
      part.control = h("div.segmented", { role: "radiogroup", "aria-label": f.label },
        f.choices.map((c) => h("label", {},
          h("input", { type: "radio", name: f.name, value: c.value, onchange: () => set(c.value) }),
          h("span", {}, c.value))));
    } else if (f.kind === "choice") {
      part.control = h("select", { name: f.name, "aria-label": f.label, onchange: (e) => set(e.target.value) },
        f.choices.map((c) => new Option(c.value, c.value)));
    } else if (f.kind === "toggle") {
      part.control = h("label.switch", {},
        h("input", { type: "checkbox", name: f.name, "aria-label": f.label, onchange: (e) => set(e.target.checked) }),
        h("span.track", { "aria-hidden": "true" }), h("span.switch-text", {}));
    } else if (f.kind === "prose") {
      part.counter = f.limits.maxLength !== undefined ? h("span.counter", { "aria-live": "polite" }) : null;
      part.control = h("div.textarea-wrap", {},
        h("textarea", { name: f.name, "aria-label": f.label, rows: 3, oninput: (e) => set(e.target.value) }),
        part.counter);
    } else {
      const number = f.kind === "number";
      part.control = h("input", {
        type: number ? "number" : "text", name: f.name, "aria-label": f.label, spellcheck: "false",
        step: number ? (f.integer ? "1" : "any") : null, min: f.limits.minimum, max: f.limits.maximum,
        oninput: (e) => set(number ? numberOf(e.target) : e.target.value),
      });
    }
    part.rule = h("p.rule", { "data-rule-for": f.name });
    part.problem = h("p.problem", { "data-problem-for": f.name, role: "alert", hidden: true });
    this.parts[f.name] = part;
    return h(`div.field.field-${f.kind}`, { dataset: { field: f.name } },
      h("div.field-head", {},
        h("span.label", { title: f.help }, f.label,
          f.required ? h("abbr.required", { title: "required" }, " *") : null)),
      part.control, part.rule, part.problem);
  }

  set(f, value) {
    this.values[f.name] = value;
    this.touched.set(f.key, value);
    this.refresh();
    this.onChange(this.values);
  }

  /** Values from a past request (schema.readBody): they count as the user's own. */
  load(values) {
    this.values = { ...defaults(this.fields), ...values };
    for (const f of this.fields) this.touched.set(f.key, this.values[f.name]);
    this.refresh();
    this.onChange(this.values);
  }

  /** "field: rule (got value)" for each schema limit the values break. */
  problems() {
    return Object.entries(this.errors).map(([name, rule]) => `${name}: ${rule}`);
  }

  refresh() {
    this.errors = problems(this.fields, this.values);
    for (const f of this.fields) {
      const part = this.parts[f.name];
      const v = this.values[f.name];
      const c = part.control;
      if (f.kind === "choice") {
        for (const input of c.querySelectorAll("input")) input.checked = input.value === v;
        if (c.tagName === "SELECT") c.value = v;
      } else if (f.kind === "toggle") {
        c.querySelector("input").checked = Boolean(v);
        c.querySelector(".switch-text").textContent = v ? "On" : "Off";
      } else {
        const input = c.querySelector("textarea") || c;
        // Only a value that differs from what the input shows is written (a number input's text that
        // is not a number stays as typed, for the user to fix).
        if (!Object.is(f.kind === "number" ? numberOf(input) : input.value, v)) input.value = v ?? "";
      }
      if (part.counter) {
        const n = [...String(v)].length;
        part.counter.textContent = `${n} / ${f.limits.maxLength}`;
        part.counter.classList.toggle("over", n > f.limits.maxLength);
      }
      const choice = f.choices && f.choices.find((x) => x.value === v);
      part.rule.textContent = (choice && choice.help) || f.help;
      const error = this.errors[f.name];
      part.problem.hidden = !error;
      part.problem.textContent = error ? `${f.name}: ${error}` : "";
      part.control.closest(".field").classList.toggle("invalid", Boolean(error));
      if (error && folded(f)) this.more.open = true; // a broken limit is never out of sight
    }
  }
}

/** A number input's value: a number, "" when empty, NaN when its text is not a number. */
function numberOf(input) {
  if (input.value !== "") return Number(input.value);
  return input.validity.badInput ? NaN : "";
}
