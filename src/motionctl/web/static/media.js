// Checks the documented media limits in the browser before anything is uploaded.
// Dimensions and duration come from the browser's own decoders (<img>, <video>); the server checks
// again after upload, so a file the browser cannot read is passed on with a note, not rejected.
import { LIMITS } from "./limits.js";

const fmtMB = (bytes) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1).replace(/\.0+$/, "")} MB`;
export const fmtBytes = (bytes) =>
  bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : fmtMB(bytes);
export const fmtSeconds = (s) => `${(Math.round(s * 10) / 10).toFixed(1)} s`;

const MIME_EXT = {
  "image/jpeg": "jpg", "image/png": "png", "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm",
};

// The file's format: its extension, or its MIME type when the name has none (e.g. a pasted blob).
function extension(name, mime) {
  const m = /\.([A-Za-z0-9]+)$/.exec(name || "");
  return m ? m[1].toLowerCase() : MIME_EXT[mime] || "";
}

/** The limits as a one-line summary for the drop zones. */
export function limitSummary(kind, orientation) {
  if (kind === "image") {
    const L = LIMITS.image;
    return `JPG or PNG · ≤ ${fmtMB(L.maxBytes)} · sides ${L.minSide}–${L.maxSide} px · aspect 1:${L.maxAspect}–${L.maxAspect}:1`;
  }
  const L = LIMITS.video;
  return `MP4 or MOV · ≤ ${fmtMB(L.maxBytes)} · sides ${L.minSide}–${L.maxSide} px · ${L.minSeconds}–${L.maxSeconds[orientation]} s`;
}

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight });
    img.onerror = () => reject(new Error("the browser cannot decode this image"));
    img.src = src;
  });
}

function loadVideo(src) {
  return new Promise((resolve, reject) => {
    const v = document.createElement("video");
    v.preload = "metadata";
    v.muted = true;
    const timer = setTimeout(() => reject(new Error("timed out reading the video")), 15000);
    v.onloadedmetadata = () => {
      clearTimeout(timer);
      resolve({ width: v.videoWidth, height: v.videoHeight, duration: v.duration });
      v.removeAttribute("src");
      v.load();
    };
    v.onerror = () => {
      clearTimeout(timer);
      reject(new Error("the browser cannot decode this video"));
    };
    v.src = src;
  });
}

/** The rules images and videos share (limits `L`, field `f`): format, file size, sides. */
function fileProblems(L, f, { name, mime, bytes, width, height }) {
  const out = [];
  const ext = extension(name, mime);
  if (name && !L.formats.includes(ext)) out.push(`${f}: format must be ${L.formats.join(", ")} (got .${ext || "?"})`);
  if (bytes != null && bytes > L.maxBytes) out.push(`${f}: file size at most ${fmtMB(L.maxBytes)} (got ${fmtMB(bytes)})`);
  if (width != null) {
    const lo = Math.min(width, height);
    const hi = Math.max(width, height);
    if (lo < L.minSide) out.push(`${f}: width and height at least ${L.minSide} px (got ${width}×${height})`);
    if (hi > L.maxSide) out.push(`${f}: width and height at most ${L.maxSide} px (got ${width}×${height})`);
  }
  return out;
}

/** Rules of the image that depend on the file itself. Returns a list of "field: rule (got x)". */
export function imageProblems({ name, mime, bytes, width, height }, f = "image_url") {
  const L = LIMITS.image;
  const out = fileProblems(L, f, { name, mime, bytes, width, height });
  if (width != null) {
    const aspect = width / height;
    if (aspect < L.minAspect - 1e-9 || aspect > L.maxAspect + 1e-9) {
      out.push(`${f}: aspect ratio between 1:${L.maxAspect} and ${L.maxAspect}:1 (got ${width}×${height})`);
    }
  }
  return out;
}

export function videoProblems({ name, mime, bytes, width, height, duration }, orientation, f = "video_url") {
  const L = LIMITS.video;
  const out = fileProblems(L, f, { name, mime, bytes, width, height });
  if (duration != null && Number.isFinite(duration)) {
    if (duration < L.minSeconds) out.push(`${f}: duration at least ${L.minSeconds} s (got ${fmtSeconds(duration)})`);
    const max = L.maxSeconds[orientation];
    if (duration > max) {
      out.push(
        `${f}: duration at most ${max} s with character_orientation=${orientation} (got ${fmtSeconds(duration)})`,
      );
    }
  }
  return out;
}

/** An element's face video (seed 004): MP4/MOV/WEBM, ≤ 100 MB, each side 720–2160 px, ≤ 8 s. */
export function elementVideoProblems({ name, mime, bytes, width, height, duration }) {
  const L = LIMITS.element;
  const f = "element_video_list";
  const out = [];
  const ext = extension(name, mime);
  if (name && !L.formats.includes(ext)) out.push(`${f}: format must be ${L.formats.join(", ")} (got .${ext || "?"})`);
  if (bytes != null && bytes > L.maxBytes) out.push(`${f}: file size at most ${fmtMB(L.maxBytes)} (got ${fmtMB(bytes)})`);
  if (width != null && (Math.min(width, height) < L.minSide || Math.max(width, height) > L.maxSide)) {
    out.push(`${f}: width and height must each be between ${L.minSide} and ${L.maxSide} px (got ${width}×${height})`);
  }
  if (duration != null && Number.isFinite(duration) && duration > L.maxSeconds) {
    out.push(`${f}: duration at most ${L.maxSeconds} s (got ${fmtSeconds(duration)})`);
  }
  return out;
}

/** Read what the browser can about a local file or a remote URL. */
export async function inspect(kind, src, { name = "", mime = "", bytes = null } = {}) {
  const info = { name, mime, bytes, width: null, height: null, duration: null, unreadable: null };
  try {
    Object.assign(info, kind === "image" ? await loadImage(src) : await loadVideo(src));
  } catch (err) {
    info.unreadable = err.message;
  }
  return info;
}
