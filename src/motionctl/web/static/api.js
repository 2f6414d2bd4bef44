// The public HTTP API, exactly as any other client sees it: Bearer key, JSON envelopes
// {code, message, request_id, data}. Nothing else is called.

export const TASKS = "/v1/videos/motion-control";

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
