// A model's request schema (GET /v1/models/{id}'s json_request_schema) read as the workbench form's
// fields: one per property, in the schema's order, with its title, description, choices (and each
// choice's text, x-enumDescriptions), default, limits and required mark. A nested object
// (extra_params, watermark_info) contributes its own properties, named by their path.
//
// Three kinds of property get a widget of the page rather than a form control, told apart by name and
// shape: the one that names the model (its const or enum holds the model id: the model select), the
// image and video inputs (a string or a list of {url}: the drop zones) and the element list (items
// with an element_id: the element picker). Everything else is what the schema says it is.

const MEDIA_NAME = /(?:^|_)(image|video)s?(?:_|$)/;
const LONG_TEXT = 255; // a string allowed more characters than this is prose (a textarea)

/** "watermark_info" -> "Watermark Info", as the schema's own titles read. */
const titled = (key) => key.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");

/** A property with its $ref resolved; the property's own keys (description, default) win. */
function resolve(root, prop) {
  if (!prop || !prop.$ref) return prop || {};
  const { $ref, ...own } = prop;
  const target = (root.$defs || {})[$ref.split("/").pop()] || {};
  return { ...target, title: undefined, ...own };
}

function shapeOf(root, key, prop, modelId) {
  if (prop.const === modelId || (prop.enum || []).includes(modelId)) return { kind: "model", value: modelId };
  const items = prop.type === "array" ? resolve(root, prop.items) : null;
  const media = MEDIA_NAME.exec(key);
  if (media && prop.type === "string") return { kind: "media", slot: media[1], list: false };
  if (media && items && items.properties && items.properties.url) return { kind: "media", slot: media[1], list: true };
  if (items && items.properties && items.properties.element_id) return { kind: "elements" };
  if (prop.enum || prop.const !== undefined) return { kind: "choice" };
  if (prop.type === "boolean") return { kind: "toggle" };
  if (prop.type === "integer" || prop.type === "number") return { kind: "number" };
  if (prop.type === "string") {
    return { kind: !prop.format && (prop.maxLength || Infinity) > LONG_TEXT ? "prose" : "text" };
  }
  return null; // a shape the form cannot edit: the server's default applies
}

function initial(prop) {
  if ("default" in prop) return prop.default;
  if (prop.const !== undefined) return prop.const;
  if (prop.enum) return prop.enum[0]; // required without a default: the first choice
  if (prop.type === "boolean") return false;
  return "";
}

/** The form's fields of a model: `schema` is its json_request_schema, `modelId` its id. */
export function fieldsOf(schema, modelId) {
  const out = [];
  const walk = (obj, path, parent) => {
    const required = new Set(obj.required || []);
    for (const [key, raw] of Object.entries(obj.properties || {})) {
      const prop = resolve(schema, raw);
      const title = prop.title || titled(key);
      if (prop.type === "object" && prop.properties) {
        walk(prop, [...path, key], { title, description: prop.description });
        continue;
      }
      const shape = shapeOf(schema, key, prop, modelId);
      if (!shape) continue;
      const choices = prop.enum || (prop.const !== undefined ? [prop.const] : null);
      const texts = prop["x-enumDescriptions"] || {};
      out.push({
        ...shape,
        key,
        path: [...path, key],
        name: [...path, key].join("."),
        label: parent ? `${parent.title} › ${title}` : title,
        help: prop.description || (parent && parent.description) || "",
        required: required.has(key),
        choices: choices && choices.map((value) => ({ value, help: texts[value] || "" })),
        default: initial(prop),
        limits: {
          minLength: prop.minLength, maxLength: prop.maxLength, pattern: prop.pattern,
          minimum: prop.minimum, maximum: prop.maximum,
          exclusiveMinimum: prop.exclusiveMinimum, exclusiveMaximum: prop.exclusiveMaximum,
        },
        integer: prop.type === "integer",
      });
    }
  };
  walk(schema, [], null);
  return out;
}

/** The fields the parameter form renders (the others have widgets of their own). */
export const FORM_KINDS = new Set(["choice", "toggle", "number", "text", "prose"]);

export function defaults(fields) {
  const values = {};
  for (const f of fields) if (FORM_KINDS.has(f.kind)) values[f.name] = f.default;
  return values;
}

/** Whether `value` fits field `f` (kept when the model changes, loaded from a past request). */
export function fits(f, value) {
  if (f.kind === "choice") return f.choices.some((c) => c.value === value);
  if (f.kind === "toggle") return typeof value === "boolean";
  if (f.kind === "number") return value === "" || typeof value === "number";
  return typeof value === "string";
}

const chars = (s) => [...s].length;

function numberProblem(f, v) {
  const L = f.limits;
  if (v === "" || v === null || v === undefined) return f.required ? "is required" : null;
  const n = Number(v);
  if (typeof v !== "number" || !Number.isFinite(n)) return "must be a number";
  if (f.integer && !Number.isInteger(n)) return `must be a whole number (got ${v})`;
  if (L.minimum !== undefined && n < L.minimum) return `must be at least ${L.minimum} (got ${v})`;
  if (L.maximum !== undefined && n > L.maximum) return `must be at most ${L.maximum} (got ${v})`;
  if (L.exclusiveMinimum !== undefined && n <= L.exclusiveMinimum) return `must be above ${L.exclusiveMinimum} (got ${v})`;
  if (L.exclusiveMaximum !== undefined && n >= L.exclusiveMaximum) return `must be below ${L.exclusiveMaximum} (got ${v})`;
  return null;
}

function textProblem(f, v) {
  const L = f.limits;
  const n = chars(v);
  if (L.maxLength !== undefined && n > L.maxLength) return `at most ${L.maxLength} characters (got ${n})`;
  if (L.minLength !== undefined && n < L.minLength && (n > 0 || f.required)) {
    return `at least ${L.minLength} characters (got ${n})`;
  }
  if (L.pattern && v) {
    let re = null;
    try {
      re = new RegExp(L.pattern, "u");
    } catch {
      re = null; // a pattern the browser cannot compile: the server checks it
    }
    if (re && !re.test(v)) return `must match ${L.pattern} (got ${JSON.stringify(v)})`;
  }
  return null;
}

/** The schema's limits broken by the form's values: {field name: "rule (got value)"}. */
export function problems(fields, values) {
  const out = {};
  for (const f of fields) {
    const v = values[f.name];
    let p = null;
    if (f.kind === "number") p = numberProblem(f, v);
    else if (f.kind === "text" || f.kind === "prose") p = textProblem(f, String(v ?? ""));
    if (p) out[f.name] = p;
  }
  return out;
}

function setPath(obj, path, value) {
  let at = obj;
  for (const k of path.slice(0, -1)) at = at[k] = at[k] || {};
  at[path[path.length - 1]] = value;
}

function getPath(obj, path) {
  return path.reduce((at, k) => (at && typeof at === "object" ? at[k] : undefined), obj);
}

/**
 * The JSON body of the model's request: the form's values where the schema puts them, the inputs'
 * URLs in their fields' shapes, the picked element if any. Optional empty text is left out.
 */
export function buildBody(fields, values, { image = "", video = "", element = "" } = {}) {
  const body = {};
  for (const f of fields) {
    let v;
    if (f.kind === "model") v = f.value;
    else if (f.kind === "media") {
      const url = f.slot === "image" ? image : video;
      v = f.list ? [{ url }] : url;
    } else if (f.kind === "elements") {
      if (!element) continue;
      v = [{ element_id: element }];
    } else {
      v = values[f.name];
      if ((v === "" || v === undefined) && !f.required) continue;
      if (f.kind === "number" && v !== "") v = Number(v);
    }
    setPath(body, f.path, v);
  }
  return body;
}

/** `body` with its image and video inputs replaced by `urls` ({image, video}; null: kept). */
export function withInputs(fields, body, urls) {
  const out = structuredClone(body);
  for (const f of fields) {
    const url = f.kind === "media" && urls[f.slot];
    if (url && getPath(body, f.path) !== undefined) setPath(out, f.path, f.list ? [{ url }] : url);
  }
  return out;
}

/** The form's values, inputs and element back from a request body (tweak or re-run a past task). */
export function readBody(fields, body) {
  const values = defaults(fields);
  const out = { values, image: null, video: null, element: "" };
  for (const f of fields) {
    const v = getPath(body, f.path);
    if (v === undefined) continue;
    if (f.kind === "media") out[f.slot] = f.list ? (v[0] && v[0].url) || null : v;
    else if (f.kind === "elements") out.element = v[0] ? String(v[0].element_id) : "";
    else if (FORM_KINDS.has(f.kind) && fits(f, v)) values[f.name] = v;
  }
  return out;
}

/** The value of the field whose own name is `key` (e.g. character_orientation, at any depth). */
export function valueOf(fields, values, key) {
  const f = fields.find((x) => x.key === key && FORM_KINDS.has(x.kind));
  return f ? values[f.name] : undefined;
}
