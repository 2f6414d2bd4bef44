// One input slot (character image or driving video): drag-and-drop or file picker, a preview, the
// documented limits checked in the browser, then an upload to POST /v1/files as soon as it passes.
import { LIMITS } from "./limits.js";
import { fmtBytes, fmtSeconds, imageProblems, inspect, limitSummary, videoProblems } from "./media.js";
import { h, store } from "./util.js";

const TEXT = {
  image: { title: "Character image", hint: "The look and background of the result" },
  video: { title: "Driving video", hint: "The motion (and sound) to follow" },
};

export class DropZone {
  constructor(root, kind, { api, orientation, onChange }) {
    this.root = root;
    this.kind = kind;
    this.api = api;
    this.orientation = orientation;
    this.onChange = onChange;
    this.field = `${kind}_url`; // the request field it fills: the chosen model's (setField)
    this.token = 0;
    this.reset();
    const accept = LIMITS[kind].formats.map((f) => "." + f).join(",");
    this.input = h("input", { type: "file", accept, hidden: true, onchange: (e) => this.pick(e.target.files) });
    this.input.setAttribute("data-testid", `${kind}-input`);
    root.addEventListener("dragover", (e) => {
      e.preventDefault();
      root.classList.add("dragging");
    });
    root.addEventListener("dragleave", () => root.classList.remove("dragging"));
    root.addEventListener("drop", (e) => {
      e.preventDefault();
      root.classList.remove("dragging");
      this.pick(e.dataTransfer.files);
    });
    this.render();
  }

  reset() {
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    Object.assign(this, { file: null, src: null, objectUrl: null, name: "", info: null, url: null });
    Object.assign(this, { uploading: false, progress: 0, error: null, problems: [], serverProblems: [] });
  }

  /** "empty" | "checking" | "invalid" | "uploading" | "failed" | "ready" */
  get status() {
    if (!this.src) return "empty";
    if (!this.info) return "checking";
    if (this.problems.length) return "invalid";
    if (this.uploading) return "uploading";
    if (this.error) return "failed";
    return this.url ? "ready" : "checking";
  }

  pick(files) {
    const file = files && files[0];
    if (file) this.setFile(file);
    this.input.value = "";
  }

  async setFile(file) {
    const token = ++this.token;
    this.reset();
    this.file = file;
    this.name = file.name;
    this.objectUrl = URL.createObjectURL(file);
    this.src = this.objectUrl;
    this.changed();
    const info = await inspect(this.kind, this.src, { name: file.name, mime: file.type, bytes: file.size });
    if (token !== this.token) return;
    this.info = info;
    this.evaluate();
  }

  /** A file already on the server (re-run / tweak from history): nothing to upload. */
  async setRemote(url, name = "") {
    const token = ++this.token;
    this.reset();
    this.src = url;
    this.url = url;
    this.name = name || store.nameOf(url) || `${this.kind} on the server`;
    this.changed();
    const info = await inspect(this.kind, url, {});
    if (token !== this.token) return;
    this.info = info;
    this.evaluate();
  }

  clear() {
    this.token++;
    this.reset();
    this.changed();
  }

  /** The chosen model's field for this input (null: the model takes none, the slot hides). */
  setField(field) {
    this.field = field ? field.name : null;
    this.root.hidden = !field;
    if (this.info) this.evaluate();
    else this.render();
  }

  setOrientation(orientation) {
    this.orientation = orientation;
    if (this.info) this.evaluate();
    else this.render();
  }

  evaluate() {
    const local = this.kind === "image"
      ? imageProblems(this.info, this.field)
      : videoProblems(this.info, this.orientation, this.field);
    // The server's verdict on this file stands until the file changes (no re-upload to hear it again).
    this.problems = local.concat(this.serverProblems);
    if (!this.problems.length && !this.url && this.file && !this.uploading) this.upload();
    this.changed();
  }

  async upload() {
    const token = this.token;
    this.uploading = true;
    this.error = null;
    this.progress = 0;
    try {
      const data = await this.api.upload(this.file, (p) => {
        if (token !== this.token) return;
        this.progress = p;
        this.renderStatus();
      });
      if (token !== this.token) return;
      this.url = data.url;
      store.saveName(data.url, this.file.name);
    } catch (err) {
      if (token !== this.token) return;
      // A 4xx is the server's rule about this file: show it like a local one; anything else can be retried.
      if (err.status >= 400 && err.status < 500 && err.status !== 401) {
        this.serverProblems = [err.message];
        this.problems = [err.message];
      }
      else this.error = err.message;
    }
    this.uploading = false;
    this.changed();
  }

  /** The server refused a task over this input (POST /v1/videos/motion-control): show it here. */
  reject(message) {
    // Not sticky: a create-time rule may depend on the parameters (e.g. duration vs orientation).
    this.problems = [message];
    this.changed();
  }

  changed() {
    this.render();
    this.onChange();
  }

  facts() {
    const i = this.info || {};
    const parts = [];
    if (i.width) parts.push(`${i.width}×${i.height}`);
    if (i.duration && Number.isFinite(i.duration)) parts.push(fmtSeconds(i.duration));
    if (this.file) parts.push(fmtBytes(this.file.size));
    return parts.join(" · ");
  }

  render() {
    const t = TEXT[this.kind];
    const status = this.status;
    this.root.dataset.state = status;
    if (status === "empty") {
      this.root.replaceChildren(
        this.input,
        h(
          "div.drop-empty",
          { onclick: () => this.input.click() },
          h("div.drop-icon", { "aria-hidden": "true" }, this.kind === "image" ? "◐" : "▶"),
          h("strong", {}, t.title),
          h("code.field-name", {}, this.field),
          h("span.muted", {}, t.hint),
          h("button.link", { type: "button" }, "Choose a file or drop it here"),
          h("small.limits", {}, limitSummary(this.kind, this.orientation)),
        ),
      );
      return;
    }
    const preview =
      this.kind === "image"
        ? h("img", { src: this.src, alt: t.title })
        : h("video", { src: this.src, muted: true, loop: true, autoplay: true, playsInline: true });
    if (this.kind === "video") preview.muted = true;
    this.statusEl = h("div.drop-status");
    this.root.replaceChildren(
      this.input,
      h("div.preview", {}, preview),
      h(
        "div.drop-body",
        {},
        h("div.drop-title", {}, h("strong", {}, t.title, " · ", h("code.field-name", {}, this.field)),
          h("span.name", { title: this.name }, this.name)),
        h("div.facts", {}, this.facts()),
        this.statusEl,
        h(
          "div.drop-actions",
          {},
          h("button.ghost.small", { type: "button", onclick: () => this.input.click() }, "Replace"),
          h("button.ghost.small", { type: "button", onclick: () => this.clear() }, "Remove"),
        ),
      ),
    );
    this.renderStatus();
  }

  renderStatus() {
    if (!this.statusEl) return;
    const status = this.status;
    const el = this.statusEl;
    el.className = `drop-status ${status}`;
    if (status === "checking") el.replaceChildren(h("span.muted", {}, "Checking…"));
    else if (status === "invalid") {
      el.replaceChildren(
        h("ul.problems", { role: "alert" }, this.problems.map((p) => h("li", {}, p))),
        h("small.limits", {}, limitSummary(this.kind, this.orientation)),
      );
    } else if (status === "uploading") {
      const pct = Math.round(this.progress * 100);
      el.replaceChildren(h("div.bar.thin", {}, h("span", { style: `width:${pct}%` })), h("small", {}, `Uploading ${pct} %`));
    } else if (status === "failed") {
      el.replaceChildren(
        h("p.problem", { role: "alert" }, this.error),
        h("button.ghost.small", { type: "button", onclick: () => this.upload() }, "Retry upload"),
      );
    } else if (status === "ready") {
      const note = this.info && this.info.unreadable ? ` · ${this.info.unreadable}; the server will check it` : "";
      el.replaceChildren(h("span.ok", {}, `✓ ${this.file ? "Uploaded" : "On the server"}${note}`));
    }
  }
}
