// The Elements panel (seed 004): create an element from a face video (checked in the page before
// upload, as the other inputs are), watch its creation task, see its bank's views as thumbnails,
// delete it. The account's ready elements feed the form's element picker (orientation video only).
import { elementVideoProblems, fmtBytes, inspect } from "./media.js";
import { LIMITS } from "./limits.js";
import { $, h, toast } from "./util.js";

const POLL_MS = 1000;
const MODEL = "kling-custom-element";

export class ElementsPanel {
  /** @param {import("./api.js").Api} api  @param {(elements: object[]) => void} onChange */
  constructor(root, api, onChange) {
    this.root = root;
    this.api = api;
    this.onChange = onChange;
    this.elements = [];
    this.file = null;
    this.render();
  }

  render() {
    const L = LIMITS.element;
    this.fileInput = h("input", { type: "file", accept: ".mp4,.mov,.webm,video/*", "data-testid": "element-file",
      "aria-label": "Face video" });
    this.name = h("input", { type: "text", placeholder: "Name", "data-testid": "element-name", "aria-label": "Element name" });
    this.description = h("input", { type: "text", placeholder: "Description", "data-testid": "element-description",
      "aria-label": "Element description" });
    this.create = h("button", { class: "primary", type: "button", "data-testid": "element-create", disabled: "" },
      "Create element");
    this.problems = h("ul", { class: "problems", "data-testid": "element-problems", role: "alert" });
    this.list = h("ul", { class: "element-list", "data-testid": "element-list" });
    this.root.replaceChildren(
      h("div", { class: "card-head" }, h("h2", {}, "Elements"),
        h("span", { class: "muted small" }, "a face from every angle, bound with orientation video")),
      h("p", { class: "rule" }, `Face video: ${L.formats.join("/").toUpperCase()} · ≤ ${fmtBytes(L.maxBytes)} · sides ` +
        `${L.minSide}–${L.maxSide} px · ≤ ${L.maxSeconds} s · a clearly visible face · 1 unit`),
      h("div", { class: "element-form" }, this.fileInput, this.name, this.description, this.create),
      this.problems, this.list);
    this.fileInput.addEventListener("change", () => this.pick(this.fileInput.files[0] || null));
    for (const el of [this.name, this.description]) el.addEventListener("input", () => this.check());
    this.create.addEventListener("click", () => this.submit());
  }

  /** A face video chosen: what the browser can read of it, checked against the documented limits. */
  async pick(file) {
    this.file = null;
    this.info = null;
    if (file) {
      const url = URL.createObjectURL(file);
      this.info = await inspect("video", url, { name: file.name, mime: file.type, bytes: file.size });
      URL.revokeObjectURL(url);
      this.file = file;
    }
    this.check();
  }

  check() {
    const L = LIMITS.element;
    const out = this.info ? elementVideoProblems(this.info) : [];
    const name = this.name.value;
    const description = this.description.value;
    if (!name.trim() && this.file) out.push("element_name: is required");
    if ([...name].length > L.nameMaxChars) {
      out.push(`element_name: at most ${L.nameMaxChars} characters (got ${[...name].length})`);
    }
    if ([...description].length > L.descriptionMaxChars) {
      out.push(`element_description: at most ${L.descriptionMaxChars} characters (got ${[...description].length})`);
    }
    this.problems.replaceChildren(...out.map((p) => h("li", {}, p)));
    this.create.disabled = !this.file || out.length > 0;
    return out;
  }

  async submit() {
    if (this.check().length || !this.file) return;
    this.create.disabled = true;
    try {
      const upload = await this.api.upload(this.file);
      const task = await this.api.createUnified({
        model: MODEL,
        model_params: { element_name: this.name.value, element_description: this.description.value,
          reference_type: "video_refer", element_video_list: { video_url: upload.url } },
      });
      this.fileInput.value = "";
      this.file = null;
      this.info = null;
      await this.refresh();
      this.watch(task.task_id);
    } catch (err) {
      this.problems.replaceChildren(h("li", {}, err.message));
      this.create.disabled = false;
    }
  }

  /** Poll the creation task until it ends, refreshing the list as it goes. */
  async watch(taskId) {
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      let task;
      try {
        task = await this.api.getUnified(taskId);
      } catch (err) {
        return toast(`Element: ${err.message}`, "error");
      }
      if (task.status === "completed" || task.status === "failed") break;
      const row = this.root.querySelector(`[data-task="${taskId}"] .element-status`);
      if (row) row.textContent = `${task.status} · ${task.progress}%`;
    }
    await this.refresh();
  }

  async refresh() {
    try {
      this.elements = (await this.api.call("GET", "/v1/elements?pageNum=1&pageSize=50")) || [];
    } catch (err) {
      return toast(`Elements: ${err.message}`, "error");
    }
    this.list.replaceChildren(...this.elements.map((e) => this.item(e)));
    this.onChange(this.elements.filter((e) => e.status === "ready"));
  }

  item(e) {
    const bins = (e.bank.bins || []).map((b) => `${b.yaw >= 0 ? "+" : ""}${b.yaw}°/${b.pitch}°`);
    const del = h("button", { class: "ghost small", type: "button", "data-testid": "element-delete" }, "Delete");
    del.addEventListener("click", async () => {
      try {
        await this.api.call("DELETE", `/v1/elements/${encodeURIComponent(e.element_id)}`);
      } catch (err) {
        return toast(`Delete: ${err.message}`, "error");
      }
      await this.refresh();
    });
    const status = e.status === "failed" ? `failed: ${e.status_msg}` : e.status;
    return h("li", { class: `element ${e.status}`, "data-element": e.element_id, "data-task": e.task_id },
      h("div", { class: "element-head" }, h("strong", {}, e.element_name),
        h("span", { class: "muted small element-status", "data-testid": "element-status" }, status), del),
      h("div", { class: "views", "data-testid": "element-views" },
        ...e.thumbnails.map((src, i) => h("img", { src, alt: `view ${bins[i] || i + 1}`, title: bins[i] || "" }))));
  }
}

/** The form's element picker: shown with orientation video, listing the ready elements. */
export function pickerOptions(select, elements) {
  const keep = select.value;
  select.replaceChildren(new Option("No element", ""),
    ...elements.map((e) => new Option(`${e.element_name} (${e.element_id})`, e.element_id)));
  select.value = elements.some((e) => e.element_id === keep) ? keep : "";
}

export const elementsRoot = () => $("#elements");
