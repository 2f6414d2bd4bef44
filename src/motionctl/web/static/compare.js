// Side-by-side compare of two videos (two results, or the driver and a result) with one transport:
// the longer video leads and the other is kept within a frame or two of it.
import { h } from "./util.js";

const DRIFT = 0.08; // seconds; beyond this the follower is re-seeked

const fmt = (t) => {
  const s = Math.max(0, t || 0);
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, "0")}`;
};

export class ComparePlayer {
  constructor(root, { onClose }) {
    this.root = root;
    this.onClose = onClose;
    this.raf = null;
    this.videos = [0, 1].map(() => h("video", { playsInline: true, preload: "auto", muted: true }));
    this.labels = [0, 1].map(() => h("figcaption"));
    this.play = h("button.primary.small", { type: "button", onclick: () => this.toggle() }, "Play both");
    this.range = h("input", {
      type: "range", min: 0, max: 1000, value: 0, "aria-label": "Position",
      oninput: (e) => this.seek((e.target.value / 1000) * this.duration()),
    });
    this.time = h("span.time", {}, "0:00.0");
    this.title = h("h2", {}, "Compare");
    root.replaceChildren(
      h(
        "div.card-head",
        {},
        this.title,
        h("div.head-actions", {},
          h("button.ghost.small", { type: "button", onclick: () => this.swap() }, "Swap"),
          h("button.ghost.small", { type: "button", onclick: () => this.close() }, "Close")),
      ),
      h("div.compare-grid", {}, this.videos.map((v, i) => h("figure", {}, v, this.labels[i]))),
      h("div.transport", {}, this.play, this.range, this.time),
    );
    for (const v of this.videos) {
      v.addEventListener("ended", () => this.onEnded(v));
      v.addEventListener("loadedmetadata", () => this.update());
    }
  }

  /** @param {{url: string, label: string}} a @param {{url: string, label: string}} b */
  open(a, b) {
    this.pause();
    this.items = [a, b];
    this.videos.forEach((v, i) => {
      v.src = this.items[i].url;
      this.labels[i].textContent = this.items[i].label;
    });
    this.root.hidden = false;
    this.update();
    this.root.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  swap() {
    if (this.items) this.open(this.items[1], this.items[0]);
  }

  close() {
    this.pause();
    for (const v of this.videos) v.removeAttribute("src");
    this.items = null;
    this.root.hidden = true;
    this.onClose && this.onClose();
  }

  /** The lead video: the longer one, so neither is cut short. */
  leader() {
    const [a, b] = this.videos;
    return (b.duration || 0) > (a.duration || 0) ? b : a;
  }

  duration() {
    return Math.max(...this.videos.map((v) => v.duration || 0));
  }

  get playing() {
    return this.raf !== null;
  }

  toggle() {
    this.playing ? this.pause() : this.start();
  }

  async start() {
    // "Play both" pressed before the files' headers arrived: durations are still unknown, and
    // nothing would start (the tests caught it now and then). Wait for them first.
    await Promise.all(this.videos.map(metadata));
    const lead = this.leader();
    if (lead.ended || lead.currentTime >= this.duration() - 0.05) this.seek(0);
    await Promise.allSettled(this.videos.map((v) => (v.currentTime < (v.duration || 0) ? v.play() : null)));
    this.play.textContent = "Pause";
    const tick = () => {
      this.sync();
      this.update();
      this.raf = requestAnimationFrame(tick);
    };
    if (this.raf === null) this.raf = requestAnimationFrame(tick);
  }

  pause() {
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    this.raf = null;
    for (const v of this.videos) v.pause();
    this.play.textContent = "Play both";
  }

  sync() {
    const lead = this.leader();
    for (const v of this.videos) {
      if (v === lead || !v.duration) continue;
      const target = Math.min(lead.currentTime, v.duration);
      if (target < v.duration - 0.05 && Math.abs(v.currentTime - target) > DRIFT) v.currentTime = target;
      if (target < v.duration - 0.05 && v.paused && !lead.paused) v.play().catch(() => {});
    }
  }

  seek(t) {
    for (const v of this.videos) if (v.duration) v.currentTime = Math.min(t, v.duration);
    this.update();
  }

  onEnded(v) {
    if (v === this.leader()) this.pause();
  }

  update() {
    const d = this.duration();
    const t = this.leader().currentTime || 0;
    this.range.value = d ? Math.round((t / d) * 1000) : 0;
    this.time.textContent = `${fmt(t)} / ${fmt(d)}`;
  }
}

/** Resolves once ``v`` knows its duration (or failed to load: then there is nothing to wait for). */
function metadata(v) {
  if (v.readyState >= 1 || !v.getAttribute("src")) return Promise.resolve();
  return new Promise((done) => {
    v.addEventListener("loadedmetadata", done, { once: true });
    v.addEventListener("error", done, { once: true });
  });
}
