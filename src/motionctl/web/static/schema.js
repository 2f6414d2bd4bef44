// The request schema of POST /v1/videos/motion-control, as the form needs it.
// One entry per API field, in the order the API documents them; the form is rendered from this list
// and the request body is built from it, so adding a field here is all it takes to expose it.
import { LIMITS } from "./limits.js";

const maxImage = LIMITS.video.maxSeconds.image;
const maxVideo = LIMITS.video.maxSeconds.video;
const minSeconds = LIMITS.video.minSeconds;

export const FIELDS = [
  {
    name: "character_orientation",
    label: "Character orientation",
    kind: "choice",
    default: "image",
    options: [
      {
        value: "image",
        label: "Image",
        rule: `Keeps the framing and facing of the image · driving video ${minSeconds}–${maxImage} s`,
      },
      {
        value: "video",
        label: "Video",
        rule: `Follows the driver's placement and facing · driving video ${minSeconds}–${maxVideo} s`,
      },
    ],
  },
  {
    name: "mode",
    label: "Mode",
    kind: "choice",
    default: "std",
    options: [
      { value: "std", label: "Standard", rule: `Fast, cost-effective · ${LIMITS.modeResolution.std} output` },
      { value: "pro", label: "Pro", rule: `Face and hand detail, slower · ${LIMITS.modeResolution.pro} output` },
    ],
  },
  {
    // Not an API field: the API derives it from `mode`, so the form shows it read-only.
    name: "resolution",
    label: "Resolution",
    kind: "derived",
    derive: (values) => LIMITS.modeResolution[values.mode],
    rule: (values) => {
      const res = LIMITS.modeResolution[values.mode];
      return `Set by mode · ${LIMITS.resolutionShortSide[res]} px on the short side, the image's aspect ratio`;
    },
  },
  {
    name: "keep_original_sound",
    label: "Original sound",
    kind: "toggle",
    default: true,
    encode: (on) => (on ? "yes" : "no"),
    decode: (v) => v !== "no",
    rule: (values) => (values.keep_original_sound ? "Keeps the driving video's audio track" : "Silent output"),
  },
  {
    name: "watermark_info",
    label: "Watermark",
    kind: "toggle",
    default: false,
    encode: (on) => ({ enabled: on }),
    decode: (v) => Boolean(v && v.enabled),
    rule: (values) =>
      values.watermark_info ? "Also produces a watermarked copy (two downloads)" : "Clean output only",
  },
  {
    name: "prompt",
    label: "Prompt",
    kind: "text",
    default: "",
    maxLength: LIMITS.promptMaxChars,
    placeholder: "Optional: describe the character or the scene",
    rule: () => `Optional · at most ${LIMITS.promptMaxChars} characters`,
  },
  {
    name: "model_name",
    label: "Model name",
    kind: "choice",
    default: "kling-v2-6",
    options: [
      { value: "kling-v2-6", label: "kling-v2-6", rule: "Kling-compatible model name · both run the motionctl engine" },
      { value: "kling-v3", label: "kling-v3", rule: "Kling-compatible model name · both run the motionctl engine" },
    ],
  },
];

export function defaults() {
  const values = {};
  for (const f of FIELDS) if (f.kind !== "derived") values[f.name] = f.default;
  return values;
}

/** The rule text shown next to a field for the current values. */
export function ruleFor(field, values) {
  if (field.kind === "choice") {
    const opt = field.options.find((o) => o.value === values[field.name]);
    return opt ? opt.rule : "";
  }
  return typeof field.rule === "function" ? field.rule(values) : field.rule || "";
}

/** Problems with the form values themselves (media is checked in media.js). */
export function checkValues(values) {
  const errors = [];
  const n = [...(values.prompt || "")].length;
  if (n > LIMITS.promptMaxChars) {
    errors.push(`prompt: at most ${LIMITS.promptMaxChars} characters (got ${n})`);
  }
  return errors;
}

/** The exact JSON body for POST /v1/videos/motion-control. */
export function buildBody(values, imageUrl, videoUrl) {
  const body = { model_name: values.model_name };
  if (values.prompt) body.prompt = values.prompt;
  body.image_url = imageUrl;
  body.video_url = videoUrl;
  for (const f of FIELDS) {
    if (f.kind === "derived" || f.name === "model_name" || f.name === "prompt") continue;
    body[f.name] = f.encode ? f.encode(values[f.name]) : values[f.name];
  }
  return body;
}

/** Form values back from a request body (re-run / tweak a task from history). */
export function valuesFromBody(body) {
  const values = defaults();
  for (const f of FIELDS) {
    if (f.kind === "derived" || !(f.name in body)) continue;
    values[f.name] = f.decode ? f.decode(body[f.name]) : body[f.name];
  }
  return values;
}
