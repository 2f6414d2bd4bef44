// The public HTTP API, exactly as any other client sees it: Bearer key, JSON envelopes
// {code, message, request_id, data}. Nothing else is called.

export const TASKS = "/v1/videos/motion-control";
export const GENERATIONS = "/v1/videos/generations";
const UNIFIED_STATUS = { queued: "submitted", processing: "processing", completed: "succeed", failed: "failed" };

/** A unified task (GET /v1/videos/generations/{id}, its events) in the official shape the page renders. */
export function fromUnified(data) {
  return {
    task_id: String(data.task_id).replace(/^task_/, ""),
    task_status: UNIFIED_STATUS[data.status] || data.status,
    task_status_msg: data.status_msg || "",
    progress: data.progress,
    task_result: { videos: (data.result_data && data.result_data.videos) || [] },
    task_info: { ...(data.input || {}), model_name: data.model, external_task_id: data.external_task_id || "" },
    created_at: Date.parse(data.created_at),
  };
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

function unwrap(status, payload) {
  if (status >= 200 && status < 300 && payload && (payload.code === 0 || payload.code === undefined)) {
    return payload.data;
  }
  const code = payload && typeof payload.code === "number" ? payload.code : null;
  let message = payload && (payload.message || payload.detail);
  if (Array.isArray(message)) message = message.map((d) => d.msg || JSON.stringify(d)).join("; ");
  throw new ApiError(status, code, message || `HTTP ${status}`);
}

export class Api {
  /** @param {() => string|null} getKey */
  constructor(getKey, base = "") {
    this.getKey = getKey;
    this.base = base;
  }

  headers(extra = {}) {
    const key = this.getKey();
    return key ? { Authorization: `Bearer ${key}`, ...extra } : extra;
  }

  async call(method, path, body) {
    let res;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: this.headers(body ? { "Content-Type": "application/json" } : {}),
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw new ApiError(0, null, `cannot reach the server (${err.message})`);
    }
    let payload = null;
    try {
      payload = await res.json();
    } catch {
      payload = null;
    }
    return unwrap(res.status, payload);
  }

  create(body) {
    return this.call("POST", TASKS, body);
  }

  /** POST /v1/videos/generations: the answer is the unified task itself (no envelope). */
  async createUnified(body) {
    const res = await fetch(this.base + GENERATIONS, {
      method: "POST",
      headers: this.headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(body),
    }).catch((err) => {
      throw new ApiError(0, null, `cannot reach the server (${err.message})`);
    });
    const payload = await res.json().catch(() => null);
    if (res.ok && payload && payload.task_id) return fromUnified(payload);
    return unwrap(res.status, payload);
  }

  cancel(taskId) {
    return this.call("POST", `${TASKS}/${encodeURIComponent(taskId)}/cancel`);
  }

  account() {
    return this.call("GET", "/v1/account/info");
  }

  async models() {
    const res = await fetch(this.base + "/v1/models", { headers: this.headers() });
    const payload = await res.json().catch(() => null);
    if (!res.ok) return unwrap(res.status, payload);
    return payload.data;
  }

  /**
   * Follow a task's server-sent events (GET .../events with the Bearer key; EventSource cannot send
   * one): onEvent(task in the official shape) for each, until the final one or `signal` aborts.
   */
  async follow(taskId, onEvent, signal) {
    const res = await fetch(`${this.base}${GENERATIONS}/task_${encodeURIComponent(taskId)}/events`, {
      headers: this.headers({ Accept: "text/event-stream" }),
      signal,
    });
    if (!res.ok || !res.body) return unwrap(res.status, await res.json().catch(() => null));
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
        if (data) onEvent(fromUnified(JSON.parse(data)));
      }
    }
  }

  get(taskId) {
    return this.call("GET", `${TASKS}/${encodeURIComponent(taskId)}`);
  }

  list(pageNum = 1, pageSize = 20) {
    return this.call("GET", `${TASKS}?pageNum=${pageNum}&pageSize=${pageSize}`);
  }

  remove(taskId) {
    return this.call("DELETE", `${TASKS}/${encodeURIComponent(taskId)}`);
  }

  /** POST /v1/files with upload progress (fetch cannot report it, XHR can). */
  upload(file, onProgress = () => {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", this.base + "/v1/files");
      for (const [k, v] of Object.entries(this.headers())) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onerror = () => reject(new ApiError(0, null, "upload failed: cannot reach the server"));
      xhr.onload = () => {
        let payload = null;
        try {
          payload = JSON.parse(xhr.responseText);
        } catch {
          payload = null;
        }
        try {
          resolve(unwrap(xhr.status, payload));
        } catch (err) {
          reject(err);
        }
      };
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.send(form);
    });
  }
}
