// The workbench: wires sign-in, the models catalogue, the two input slots, the parameter form (the
// chosen model's schema), submit, live progress (server-sent events), cancel,
// the result panel, history and compare. Everything goes through the public HTTP API (api.js).
import { Api, ApiError } from "./api.js";
import { ComparePlayer } from "./compare.js";
import { DropZone } from "./dropzone.js";
import { ElementsPanel, pickerOptions } from "./elements.js";
import { ParamForm } from "./form.js";
import { buildBody, fieldsOf, readBody, valueOf, withInputs } from "./schema.js";
import { curl, python } from "./snippets.js";
import { ACTIVE, HistoryList, ResultPanel, inputsOf, requestOf } from "./tasks.js";
import { $, copyText, h, store, toast } from "./util.js";

const POLL_MS = 1000;
const HISTORY_SIZE = 20;

const api = new Api(() => store.key());
const state = {
  tasks: [], current: null, compare: [], timer: null, submitting: false, snippet: null,
  models: [], model: null, fields: [], following: null,
};

// ---- sign-in ---------------------------------------------------------------------------------

function showSignedIn(signedIn) {
  $("#signin").hidden = signedIn;
  $("#workspace").hidden = !signedIn;
  $("#account").hidden = !signedIn;
  if (signedIn) $("#key-hint").textContent = `key ••••${store.key().slice(-4)}`;
}

async function signIn(key) {
  const error = $("#signin-error");
  error.textContent = "";
  const previous = store.key();
  store.setKey(key);
  try {
    await api.list(1, 1); // any authenticated call proves the key
  } catch (err) {
    store.setKey(previous && previous !== key ? previous : null);
    error.textContent = err.status === 401 ? `This key was not accepted: ${err.message}` : err.message;
    return false;
  }
  showSignedIn(true);
  await Promise.all([refresh(), loadCatalogue(), updateBalance(), elements.refresh()]);
  return true;
}

function signOut(message = "") {
  store.setKey(null);
  clearTimeout(state.timer);
  if (state.following) state.following.abort();
  showSignedIn(false);
  $("#signin-error").textContent = message;
}

/** A 401 anywhere means the key stopped working: back to sign-in with the server's reason. */
function handle(err, where) {
  if (err instanceof ApiError && err.status === 401) {
    signOut(`Signed out: ${err.message}`);
    return;
  }
  toast(`${where}: ${err.message}`, "error");
}

// ---- models catalogue, balance and estimate ----------------------------------------------------

async function loadCatalogue() {
  try {
    state.models = ((await api.models()) || []).filter((m) => m.kind === "motion-control");
  } catch (err) {
    return handle(err, "Models");
  }
  const select = $("#model");
  select.replaceChildren(...state.models.map((m) => new Option(`${m.name} — ${m.id}`, m.id)));
  select.value = state.model ? state.model.id : "kling-v2-6";
  pickModel(select.value || (state.models[0] && state.models[0].id));
}

/** The form becomes the model's request schema (GET /v1/models/{id}'s json_request_schema). */
function pickModel(id) {
  const model = state.models.find((m) => m.id === id);
  if (!model) return;
  state.model = model;
  state.fields = fieldsOf(model.json_request_schema, model.id);
  form.setFields(state.fields);
  for (const zone of [image, video]) zone.setField(mediaField(zone.kind));
  const price = Object.entries(model.pricing.per_second).map(([m, v]) => `${m} ${v}`).join(", ");
  $("#model-rule").textContent =
    `${model.endpoint} · ${model.capabilities.resolutions.join("/")} · ${price} units per output second`;
  followForm();
}
$("#model").addEventListener("change", (e) => pickModel(e.target.value));

/** The chosen model's field for the image or video input (input_image, reference_videos, ...). */
const mediaField = (slot) => state.fields.find((f) => f.kind === "media" && f.slot === slot) || null;
const orientation = () => valueOf(state.fields, form.values, "character_orientation") || "image";

async function updateBalance() {
  try {
    const info = await api.account();
    $("#balance").textContent = info.units_required
      ? `${info.remaining_units} units left`
      : `${info.used_units} units used · unlimited`;
  } catch (err) {
    handle(err, "Account");
  }
}

/** The most a request can cost: the driver's seconds times the price of its mode and resolution. */
function updateEstimate() {
  const seconds = video.info && video.info.duration;
  if (!state.model || !Number.isFinite(seconds)) return ($("#estimate").textContent = "");
  const prices = state.model.pricing.per_second;
  const mode = valueOf(state.fields, form.values, "mode") || Object.keys(prices)[0];
  const res = valueOf(state.fields, form.values, "resolution");
  const tier = (state.model.pricing.tiers || []).find((t) => t.mode === mode && (!res || t.resolution === res));
  const per = tier ? tier.per_second : prices[mode];
  if (per === undefined) return ($("#estimate").textContent = "");
  const units = Math.round(per * seconds * 10000) / 10000; // units are priced to a hundredth of a cent
  $("#estimate").textContent = `Estimated: at most ${units} units (${seconds.toFixed(1)} s × ${per} units/s)`;
}

/** The chosen model's request, built from its schema: the form's values, the inputs, the element. */
function requestBody(imageUrl, videoUrl) {
  return buildBody(state.fields, form.values, { image: imageUrl, video: videoUrl, element: pickedElement() });
}

// ---- elements: the panel, and the picker shown with orientation video --------------------------

/** The picker shows where the model binds elements, with orientation video and an element ready. */
const pickedElement = () => (!$("#element-field").hidden && $("#element").value) || "";

function updatePicker() {
  const binds = state.fields.some((f) => f.kind === "elements");
  $("#element-field").hidden = !binds || orientation() !== "video" || $("#element").options.length < 2;
}

const elements = new ElementsPanel($("#elements"), api, (ready) => {
  pickerOptions($("#element"), ready);
  updatePicker();
  updateSubmit();
});
$("#element").addEventListener("change", () => updateSubmit());

// ---- inputs and parameters ---------------------------------------------------------------------

/** What follows the form: the inputs' duration limit (orientation), the element picker, submit. */
function followForm() {
  image.setOrientation(orientation());
  video.setOrientation(orientation());
  updatePicker();
  updateSubmit();
}

const form = new ParamForm($("#params"), followForm);
const slot = { api, orientation: "image", onChange: () => updateSubmit() };
const image = new DropZone($("#drop-image"), "image", slot);
const video = new DropZone($("#drop-video"), "video", slot);

/** The request the form would send now; inputs not uploaded yet appear as "<upload: name>". */
function draftBody() {
  const url = (z) => z.url || (z.name ? `<upload: ${z.name}>` : "");
  return requestBody(url(image), url(video));
}

function blockers() {
  if (!state.model) return ["Pick a model."];
  const out = [];
  for (const [z, what] of [[image, "a character image"], [video, "a driving video"]]) {
    if (!z.field) continue; // the model has no such input
    const s = z.status;
    if (s === "empty") out.push(`Add ${what}.`);
    else if (s === "checking" || s === "uploading") out.push(`Uploading ${what}…`);
    else if (s === "invalid") out.push(`Replace ${what}: ${z.problems[0]}`);
    else if (s === "failed") out.push(`Upload of ${what} failed.`);
  }
  return out.concat(form.problems());
}

function updateSubmit() {
  updateEstimate();
  // A visible snippet of the form's request follows the form.
  if (state.snippet && state.snippet.draft) showSnippet(state.snippet.kind, draftBody());
  const reasons = blockers();
  $("#submit").disabled = reasons.length > 0 || state.submitting;
  const ready = reasons.length === 0 && !state.submitting;
  $("#submit-hint").textContent = state.submitting ? "Submitting… the server checks both files." : reasons[0] || "Ready.";
  $("#submit-hint").classList.toggle("ready", ready);
}

async function submit(body) {
  $("#submit-error").textContent = "";
  state.submitting = true;
  updateSubmit();
  try {
    const data = body.model ? await api.createUnified(body) : await api.create(body);
    store.saveRequest(data.task_id, body);
    setCurrent(data.task_id, data);
    toast("Task submitted.");
    follow(data.task_id);
    await refresh();
  } catch (err) {
    if (err.status === 401) return handle(err, "Submit");
    // The server's rule, shown where the user will fix it.
    $("#submit-error").textContent = err.message;
    toast(`Not submitted: ${err.message}`, "error");
    for (const zone of [image, video]) {
      if (zone.field && err.message.startsWith(`${zone.field}:`)) zone.reject(err.message);
    }
  } finally {
    state.submitting = false;
    updateSubmit();
  }
}

$("#submit").addEventListener("click", () => submit(requestBody(image.url, video.url)));

/** Live progress of one task over server-sent events (the list is refreshed when it ends). */
function follow(taskId) {
  if (state.following) state.following.abort();
  const ctl = new AbortController();
  state.following = ctl;
  document.body.dataset.following = taskId;
  api
    .follow(taskId, (task) => {
      if (state.current === taskId) result.show(task, store.request(taskId));
      if (!ACTIVE.has(task.task_status)) {
        refresh();
        updateBalance();
      }
    }, ctl.signal)
    .catch((err) => err.name !== "AbortError" && handle(err, "Live progress"))
    .finally(() => {
      if (state.following === ctl) {
        state.following = null;
        delete document.body.dataset.following;
      }
    });
}

async function cancel(task) {
  try {
    await api.cancel(task.task_id);
  } catch (err) {
    return handle(err, "Cancel");
  }
  toast("Task cancelled.");
  await refresh();
  updateBalance();
}

function showSnippet(kind, body) {
  const text = (kind === "curl" ? curl : python)(location.origin, body, $("#snippet-mode").value);
  $("#snippet").textContent = text;
  $("#snippet").hidden = false;
  return text;
}

/** Copy a request as cURL/Python; `draft` when it is the form's (it then follows the form). */
async function copySnippet(kind, body, draft = false) {
  state.snippet = { kind, draft };
  const text = showSnippet(kind, body);
  toast((await copyText(text)) ? `Copied as ${kind === "curl" ? "cURL" : "Python"}.` : "Copy failed; select the text below.");
}
$("#copy-curl").addEventListener("click", () => copySnippet("curl", draftBody(), true));
$("#copy-python").addEventListener("click", () => copySnippet("python", draftBody(), true));
$("#snippet-mode").addEventListener("change", () => state.snippet && copySnippet(state.snippet.kind, draftBody(), true));

// ---- tasks: current result, history, polling ---------------------------------------------------

/** A past task's request, its inputs' URLs the fresh ones the API signed. */
function pastRequest(task) {
  const body = requestOf(task, store.request(task.task_id));
  if (!body) return null;
  const model = state.models.find((m) => m.id === (body.model || body.model_name));
  if (!model) return body;
  return withInputs(fieldsOf(model.json_request_schema, model.id), body, inputsOf(task, body));
}

/** Edit inputs: the task's model, parameters, inputs and element back in the form. */
function tweak(task) {
  const body = pastRequest(task);
  if (!body) return toast("The inputs of this task are not known.", "error");
  const id = body.model || body.model_name;
  if (state.models.some((m) => m.id === id) && (!state.model || state.model.id !== id)) {
    $("#model").value = id;
    pickModel(id);
  }
  const past = readBody(state.fields, body);
  if (past.element && [...$("#element").options].some((o) => o.value === past.element)) $("#element").value = past.element;
  form.load(past.values);
  image.setRemote(past.image);
  video.setRemote(past.video);
  $("#inputs").scrollIntoView({ behavior: "smooth" });
  toast("Inputs and parameters loaded into the form.");
}

async function rerun(task) {
  const body = pastRequest(task);
  if (!body) return toast("The inputs of this task are not known.", "error");
  return submit({ ...body, external_task_id: undefined });
}

const result = new ResultPanel($("#result"), {
  copy: copySnippet,
  cancel,
  tweak,
  rerun,
  compareDriver: (task, driverUrl) => {
    const v = (task.task_result.videos || [])[0];
    compare.open({ url: driverUrl, label: "Driving video" }, { url: v.url, label: `Result · ${describe(task)}` });
  },
});

const compare = new ComparePlayer($("#compare"), {
  onClose: () => {
    state.compare = [];
    history.render(state.tasks);
  },
});

/** "std · image · 1795…" — what tells two results apart at a glance. */
function describe(task) {
  const req = requestOf(task, store.request(task.task_id)) || {};
  return [req.mode, req.character_orientation && `orientation ${req.character_orientation}`, task.task_id]
    .filter(Boolean)
    .join(" · ");
}

function toggleCompare(id) {
  const i = state.compare.indexOf(id);
  if (i >= 0) state.compare.splice(i, 1);
  else state.compare = [...state.compare.slice(-1), id];
  if (state.compare.length === 2) {
    const [a, b] = state.compare.map((tid) => state.tasks.find((t) => t.task_id === tid));
    compare.open(
      { url: a.task_result.videos[0].url, label: `A · ${describe(a)}` },
      { url: b.task_result.videos[0].url, label: `B · ${describe(b)}` },
    );
  } else {
    toast("Pick one more result to compare.");
  }
  history.render(state.tasks);
}

async function remove(id) {
  try {
    await api.remove(id);
  } catch (err) {
    return handle(err, "Delete");
  }
  store.forget(id);
  if (state.current === id) setCurrent(null);
  if (state.compare.includes(id)) compare.close();
  toast("Task deleted.");
  await refresh();
}

const history = new HistoryList($("#history-list"), $("#history-counts"), {
  open: (id) => {
    setCurrent(id);
    $("#result").scrollIntoView({ behavior: "smooth", block: "start" });
  },
  rerun,
  remove,
  toggleCompare,
  isSelected: (id) => state.compare.includes(id),
  bodyOf: (id) => store.request(id),
});

function setCurrent(id, task = null) {
  state.current = id;
  store.setCurrent(id);
  if (!id) return result.empty();
  const known = task || state.tasks.find((t) => t.task_id === id);
  if (known) result.show(known, store.request(id));
}

/** One poll: the list (history + counts) and, if it is not on the first page, the current task. */
async function refresh() {
  clearTimeout(state.timer);
  if (!store.key()) return;
  try {
    state.tasks = (await api.list(1, HISTORY_SIZE)) || [];
    history.render(state.tasks);
    if (state.current) {
      let task = state.tasks.find((t) => t.task_id === state.current);
      if (!task) task = await api.get(state.current).catch(() => null);
      if (task) result.show(task, store.request(state.current));
      else setCurrent(null);
    }
  } catch (err) {
    handle(err, "Refresh");
  }
  // The current task's progress comes over server-sent events (follow); the list catches up slowly.
  const busy = state.tasks.some((t) => ACTIVE.has(t.task_status) && t.task_id !== (state.following && state.current));
  state.timer = setTimeout(refresh, busy ? POLL_MS : POLL_MS * 10);
}

document.addEventListener("visibilitychange", () => !document.hidden && store.key() && refresh());

// ---- boot --------------------------------------------------------------------------------------

$("#signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const key = $("#api-key").value.trim();
  if (key) signIn(key);
});
$("#sign-out").addEventListener("click", () => signOut());

state.current = store.current();
updateSubmit();
if (store.key()) {
  showSignedIn(true);
  refresh();
  loadCatalogue();
  updateBalance();
  elements.refresh();
} else {
  showSignedIn(false);
}
document.body.dataset.ready = "true";
