// The parameter form, rendered from the schema in schema.js; each field shows the rule its current
// choice implies, updated live.
import { LIMITS } from "./limits.js";
import { FIELDS, defaults, ruleFor } from "./schema.js";
import { h } from "./util.js";

export class ParamForm {
  constructor(root, onChange) {
    this.root = root;
    this.onChange = onChange;
    this.values = defaults();
    this.rules = {};
    this.inputs = {};
    root.replaceChildren(...FIELDS.map((f) => this.renderField(f)));
    this.refresh();
  }

  renderField(f) {
    let control;
    if (f.kind === "choice") {
      control = h(
        "div.segmented",
        { role: "radiogroup", "aria-label": f.label },
        f.options.map((o) =>
          h(
            "label",
            {},
            h("input", {
              type: "radio",
              name: f.name,
              value: o.value,
              onchange: () => this.set(f.name, o.value),
            }),
            h("span", {}, o.label),
          ),
        ),
      );
    } else if (f.kind === "toggle") {
      const input = h("input", {
        type: "checkbox",
        name: f.name,
        "aria-label": f.label,
        onchange: (e) => this.set(f.name, e.target.checked),
      });
      control = h("label.switch", {}, input, h("span.track", { "aria-hidden": "true" }), h("span.switch-text", {}));
    } else if (f.kind === "derived") {
      control = h("output.derived", { name: f.name });
    } else {
      const ta = h("textarea", {
        name: f.name,
        "aria-label": f.label,
        rows: 3,
        placeholder: f.placeholder,
        oninput: (e) => this.set(f.name, e.target.value),
      });
      this.counter = h("span.counter", { "aria-live": "polite" });
      control = h("div.textarea-wrap", {}, ta, this.counter);
    }
    this.inputs[f.name] = control;
    this.rules[f.name] = h("p.rule", { "data-rule-for": f.name });
    return h(
      `div.field.field-${f.kind}`,
      { dataset: { field: f.name } },
      h("div.field-head", {}, h("span.label", {}, f.label)),
      control,
      this.rules[f.name],
    );
  }

  set(name, value) {
    this.values[name] = value;
    this.refresh();
    this.onChange(this.values);
  }

  /** Load values (re-run / tweak from history) without firing per-field events. */
  load(values) {
    this.values = { ...defaults(), ...values };
    this.refresh();
    this.onChange(this.values);
  }

  refresh() {
    for (const f of FIELDS) {
      const control = this.inputs[f.name];
      const v = this.values[f.name];
      if (f.kind === "choice") {
        for (const input of control.querySelectorAll("input")) input.checked = input.value === v;
      } else if (f.kind === "toggle") {
        control.querySelector("input").checked = Boolean(v);
        control.querySelector(".switch-text").textContent = v ? "On" : "Off";
      } else if (f.kind === "derived") {
        control.value = f.derive(this.values);
        control.textContent = f.derive(this.values);
      } else {
        const ta = control.querySelector("textarea");
        if (ta.value !== v) ta.value = v;
        const n = [...v].length;
        this.counter.textContent = `${n} / ${LIMITS.promptMaxChars}`;
        this.counter.classList.toggle("over", n > LIMITS.promptMaxChars);
      }
      this.rules[f.name].textContent = ruleFor(f, this.values);
    }
  }
}
