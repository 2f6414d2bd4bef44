// Small DOM and storage helpers shared by the workbench modules.

/** h("div.card", {onclick}, child, ...) — a tiny element builder, so no template engine is needed. */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

const KEY = "motionctl.apiKey";
const REQUESTS = "motionctl.requests";
const CURRENT = "motionctl.currentTask";
const NAMES = "motionctl.fileNames";
const MAX_RECORDS = 200;

/** The stored blob behind a (signed) file URL: its last path segment, without the query. */
export const fileKey = (url) => decodeURIComponent(String(url).split("?")[0].split("/").pop() || "");

function readJson(name, fallback) {
  try {
    return JSON.parse(localStorage.getItem(name)) ?? fallback;
  } catch {
    return fallback;
  }
}

export const store = {
  key: () => localStorage.getItem(KEY),
  setKey: (k) => (k ? localStorage.setItem(KEY, k) : localStorage.removeItem(KEY)),
  current: () => localStorage.getItem(CURRENT),
  setCurrent: (id) => (id ? localStorage.setItem(CURRENT, id) : localStorage.removeItem(CURRENT)),
  /** The exact request body each task was created with, so it can be re-run or copied later. */
  request: (taskId) => readJson(REQUESTS, {})[taskId]?.body || null,
  saveRequest(taskId, body) {
    const all = readJson(REQUESTS, {});
    all[taskId] = { body, at: Date.now() };
    const ids = Object.keys(all).sort((a, b) => all[b].at - all[a].at);
    for (const id of ids.slice(MAX_RECORDS)) delete all[id];
    localStorage.setItem(REQUESTS, JSON.stringify(all));
  },
  /** What the user called an uploaded file, so it shows by name when a task's inputs are reloaded. */
  nameOf: (url) => readJson(NAMES, {})[fileKey(url)] || null,
  saveName(url, name) {
    const all = readJson(NAMES, {});
    all[fileKey(url)] = name;
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_RECORDS))) delete all[k];
    localStorage.setItem(NAMES, JSON.stringify(all));
  },
  forget(taskId) {
    const all = readJson(REQUESTS, {});
    delete all[taskId];
    localStorage.setItem(REQUESTS, JSON.stringify(all));
  },
};

let toastTimer = null;
export function toast(message, kind = "info") {
  const el = $("#toast");
  el.textContent = message;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 3200);
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Plain-http origins other than localhost have no async clipboard; fall back to a selection.
    const ta = h("textarea", { style: "position:fixed;opacity:0" });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    return ok;
  }
}

export function timeAgo(ms) {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}
