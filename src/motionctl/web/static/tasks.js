// Rendering of tasks: the result panel (one task, live) and the history list (last 20, live).
// Both are keyed so that polling updates progress in place without restarting a playing video.
import { LIMITS } from "./limits.js";
import { fmtSeconds } from "./media.js";
import { h, timeAgo } from "./util.js";

export const ACTIVE = new Set(["submitted", "processing"]);
const LABEL = { submitted: "Queued", processing: "Generating", succeed: "Done", failed: "Failed" };

export function view(task) {
  const status = task.task_status;
  const videos = (task.task_result && task.task_result.videos) || [];
  let progress = Number(task.progress);
  if (!Number.isFinite(progress)) progress = status === "succeed" ? 100 : 0;
  return {
    id: task.task_id,
    status,
    active: ACTIVE.has(status),
    progress: Math.max(0, Math.min(100, Math.round(progress))),
    message: task.task_status_msg || "",
    video: videos[0] || null,
    created: task.created_at,
    info: task.task_info || {},
  };
}

/**
 * The request a task was made from: this browser's record of it, else rebuilt from what the API
 * echoes in task_info (the service returns every creation parameter there).
 */
export function requestOf(task, body) {
  const info = task.task_info || {};
  // The recorded request; an official one with the input URLs the API just re-signed (recorded ones
  // expire). The page puts fresh URLs in other dialects' bodies from their schema (schema.withInputs).
  if (body && body.model) return body;
  if (body) return { ...body, image_url: info.image_url || body.image_url, video_url: info.video_url || body.video_url };
  if (!info.image_url || !info.video_url) return null;
  const out = {};
  for (const k of ["model_name", "prompt", "image_url", "video_url", "keep_original_sound", "character_orientation", "mode"]) {
    if (info[k] !== undefined && info[k] !== "") out[k] = info[k];
  }
  if (task.watermark_info) out.watermark_info = { enabled: Boolean(task.watermark_info.enabled) };
  return out;
}

/** The task's inputs, as the API signed them just now (every task echoes them in task_info). */
export function inputsOf(task, body) {
  const info = task.task_info || {};
  const req = requestOf(task, body) || {};
  return { image: info.image_url || req.image_url || null, video: info.video_url || req.video_url || null };
}

/** "std · 720p · orientation image · sound · watermark": the parameters that tell results apart. */
export function summary(req) {
  if (!req) return "";
  const res = req.resolution ? req.resolution.toLowerCase() : LIMITS.modeResolution[req.mode];
  const orientation = req.character_orientation || (req.extra_params && req.extra_params.character_orientation);
  const sound = req.keep_original_sound ?? req.generate_audio; // official "yes"/"no", unified booleans
  return [
    req.mode,
    res,
    orientation && `orientation ${orientation}`,
    sound === "no" || sound === false ? "silent" : "sound",
    req.watermark_info && req.watermark_info.enabled ? "watermark" : null,
  ].filter(Boolean).join(" · ");
}

export const chip = (status) => h(`span.chip.${status}`, {}, LABEL[status] || status);

function progressBar(v) {
  return h(
    "div.progress",
    {},
    h("div.bar", { role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": v.progress },
      h("span", { style: `width:${v.progress}%` })),
    h("span.pct", { "data-testid": "progress" }, `${v.progress} %`),
  );
}

// Signed URLs change as they are re-signed (every minute): key the DOM on the video id and only
// refresh the download links, so a playing video is never restarted by a poll.
function refreshLinks(root, v) {
  if (!v.video) return;
  for (const a of root.querySelectorAll("a[data-link]")) {
    const url = a.dataset.link === "watermark" ? v.video.watermark_url : v.video.url;
    if (url) a.href = url;
  }
}

function statusLine(v) {
  const text = v.status === "submitted" ? "Queued, waiting for a worker…" : v.message || "Generating…";
  const s = Math.max(0, Math.round((Date.now() - v.created) / 1000));
  return Number.isFinite(s) ? `${text} · ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} elapsed` : text;
}

function updateProgress(root, v) {
  const line = root.querySelector(".status-line");
  if (line) line.textContent = statusLine(v);
  const bar = root.querySelector(".bar");
  if (!bar) return;
  bar.setAttribute("aria-valuenow", v.progress);
  bar.firstChild.style.width = `${v.progress}%`;
  root.querySelector(".pct").textContent = `${v.progress} %`;
}

export class ResultPanel {
  constructor(root, actions) {
    this.root = root;
    this.actions = actions; // {download, compareDriver, copy, rerun}
    this.key = null;
    this.empty();
  }

  empty() {
    this.key = null;
    this.root.dataset.state = "empty";
    this.root.replaceChildren(
      h("div.card-head", {}, h("h2", {}, "Result")),
      h("div.placeholder", {},
        h("div.placeholder-art", { "aria-hidden": "true" }),
        h("p", {}, "Your video appears here."),
        h("p.muted", {}, "Add a character image and a driving video, pick the parameters, then Generate.")),
    );
  }

  show(task, body) {
    const v = view(task);
    const key = `${v.id}|${v.status}|${v.video ? v.video.id : ""}`;
    if (key === this.key) {
      updateProgress(this.root, v);
      refreshLinks(this.root, v);
      return;
    }
    this.key = key;
    this.root.dataset.state = v.status;
    const head = h("div.card-head", {},
      h("h2", {}, "Result"),
      h("div.head-meta", {}, chip(v.status), h("code.task-id", { title: "task_id" }, v.id)));
    const req = requestOf(task, body);
    const inputs = inputsOf(task, body);
    const copyRow = req
      ? h("div.row.wrap.request-actions", {},
          v.active && this.actions.cancel
            ? h("button.ghost.small.danger", { type: "button", "data-testid": "cancel", onclick: () => this.actions.cancel(task) }, "Cancel")
            : null,
          h("button.ghost.small", { type: "button", onclick: () => this.actions.tweak(task) }, "Edit inputs"),
          h("button.ghost.small", { type: "button", onclick: () => this.actions.rerun(task) }, "Re-run"),
          h("span.spacer"),
          h("button.ghost.small", { type: "button", onclick: () => this.actions.copy("curl", req) }, "Copy as cURL"),
          h("button.ghost.small", { type: "button", onclick: () => this.actions.copy("python", req) }, "Copy as Python"))
      : null;
    let bodyEls;
    if (v.active) {
      bodyEls = [
        progressBar(v),
        h("p.muted.status-line", {}, statusLine(v)),
        inputs.image && inputs.video
          ? h("div.inputs-preview", {},
              h("figure", {}, h("img", { src: inputs.image, alt: "Character image" }), h("figcaption", {}, "Character image")),
              h("figure", {}, h("video", { src: inputs.video, muted: true, autoplay: true, loop: true, playsInline: true }),
                h("figcaption", {}, "Driving video")))
          : null,
      ];
    } else if (v.status === "failed") {
      bodyEls = [
        h("div.alert", { role: "alert" },
          h("strong", {}, "Generation failed"),
          h("p", {}, v.message || "The server gave no reason.")),
      ];
    } else {
      const video = v.video;
      const player = video
        ? h("video.player", { src: video.url, controls: true, playsInline: true, preload: "auto", "data-testid": "result-video" })
        : h("p.muted", {}, "The task succeeded but returned no video.");
      bodyEls = [
        progressBar(v),
        player,
        video
          ? h("div.row.wrap", {},
              h("a.button.primary.small", { href: video.url, "data-link": "video", download: `motionctl-${v.id}.mp4` }, "Download MP4"),
              video.watermark_url
                ? h("a.button.ghost.small", { href: video.watermark_url, "data-link": "watermark", download: `motionctl-${v.id}-watermark.mp4` }, "Download watermarked")
                : null,
              inputs.video
                ? h("button.ghost.small", { type: "button", onclick: () => this.actions.compareDriver(task, inputs.video) }, "Compare with driver")
                : null,
              video.duration ? h("span.muted.small", {}, `${fmtSeconds(Number(video.duration))}`) : null)
          : null,
      ];
    }
    const params = req ? h("p.params-line.muted.small", {}, summary(req), req.prompt ? ` · “${req.prompt}”` : "") : null;
    this.root.replaceChildren(head, params, ...bodyEls, copyRow);
  }
}

export class HistoryList {
  constructor(root, counts, actions) {
    this.root = root;
    this.counts = counts;
    this.actions = actions; // {open, rerun, remove, toggleCompare, isSelected, bodyOf}
    this.items = new Map();
  }

  render(tasks) {
    const views = tasks.map(view);
    const running = views.filter((v) => v.active).length;
    const done = views.filter((v) => v.status === "succeed").length;
    const failed = views.filter((v) => v.status === "failed").length;
    this.counts.textContent = `${running} running · ${done} completed` + (failed ? ` · ${failed} failed` : "");
    const seen = new Set();
    const nodes = [];
    tasks.forEach((task, i) => {
      const v = views[i];
      seen.add(v.id);
      const key = `${v.status}|${v.video ? v.video.id : ""}|${this.actions.isSelected(v.id)}`;
      let item = this.items.get(v.id);
      if (!item || item.key !== key) {
        item = { key, el: this.item(task, v) };
        this.items.set(v.id, item);
      } else {
        updateProgress(item.el, v);
        refreshLinks(item.el, v);
        const when = item.el.querySelector(".when");
        if (when) when.textContent = timeAgo(v.created);
      }
      nodes.push(item.el);
    });
    for (const id of [...this.items.keys()]) if (!seen.has(id)) this.items.delete(id);
    if (!nodes.length) {
      nodes.push(h("li.empty", {}, "No tasks yet. Generated videos are listed here, newest first."));
    }
    // Re-inserting a node pauses its media: touch the list only when its order really changed.
    const same = nodes.length === this.root.children.length && nodes.every((n, i) => this.root.children[i] === n);
    if (!same) this.root.replaceChildren(...nodes);
  }

  thumb(task, v) {
    const body = this.actions.bodyOf(v.id);
    const inputs = inputsOf(task, body);
    if (v.video) {
      // #t= makes Chromium/Firefox show that frame as the poster once metadata is loaded; where the
      // browser stops at the metadata without a frame (seen once in CI, a busy machine), seeking there
      // asks for the frame itself.
      const showFrame = (e) => { if (e.target.readyState < 2) e.target.currentTime = 0.5; };
      return h("video", { src: `${v.video.url}#t=0.5`, muted: true, preload: "metadata", playsInline: true,
                          onloadedmetadata: showFrame });
    }
    if (inputs.image) return h("img", { src: inputs.image, alt: "", loading: "lazy" });
    return h("div.thumb-blank", { "aria-hidden": "true" });
  }

  item(task, v) {
    const body = requestOf(task, this.actions.bodyOf(v.id));
    const a = this.actions;
    const params = summary(body);
    const selected = a.isSelected(v.id);
    return h(
      `li.task.${v.status}`,
      { dataset: { taskId: v.id, status: v.status } },
      h("button.thumb", { type: "button", title: "Open", onclick: () => a.open(v.id) }, this.thumb(task, v),
        v.video && v.video.duration ? h("span.dur", {}, fmtSeconds(Number(v.video.duration))) : null),
      h("div.task-body", {},
        h("div.task-line", {}, chip(v.status), h("span.when.muted.small", { title: new Date(v.created).toLocaleString() }, timeAgo(v.created))),
        v.active ? progressBar(v) : null,
        v.status === "failed" ? h("p.task-error", { title: v.message }, v.message) : null,
        params ? h("p.muted.small", {}, params) : null,
        h("code.task-id.small", {}, v.id),
        h("div.task-actions", {},
          v.video
            ? h("button.ghost.small", { type: "button", "aria-pressed": String(selected), onclick: () => a.toggleCompare(v.id) },
                selected ? "✓ Compare" : "Compare")
            : null,
          v.video ? h("a.button.ghost.small", { href: v.video.url, "data-link": "video", download: `motionctl-${v.id}.mp4` }, "Download") : null,
          h("button.ghost.small", { type: "button", onclick: () => a.rerun(task) }, "Re-run"),
          h("button.ghost.small.danger", { type: "button", onclick: () => a.remove(v.id) }, "Delete"))),
    );
  }
}
