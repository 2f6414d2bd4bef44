// "Copy as cURL / Python": the exact request the page sends (or would send), runnable as is.
// The key is read from $MOTIONCTL_API_KEY instead of being pasted, so a copied snippet never leaks it.
import { TASKS } from "./api.js";

const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** Placeholder URLs (input not uploaded yet) look like "<upload: name>". */
const pending = (url) => typeof url === "string" && url.startsWith("<upload: ");

export function curl(origin, body) {
  const lines = [];
  for (const [field, url] of [["image_url", body.image_url], ["video_url", body.video_url]]) {
    if (pending(url)) {
      const name = url.slice(9, -1);
      lines.push(
        `# ${field}: upload ${name} first and use data.url from the answer`,
        `curl -s -H "Authorization: Bearer $MOTIONCTL_API_KEY" -F file=@${shellQuote(name)} ${shellQuote(origin + "/v1/files")}`,
      );
    }
  }
  if (lines.length) lines.push("");
  lines.push(
    `curl -s -X POST ${shellQuote(origin + TASKS)} \\`,
    `  -H "Authorization: Bearer $MOTIONCTL_API_KEY" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  --data-raw ${shellQuote(JSON.stringify(body, null, 2))}`,
  );
  return lines.join("\n");
}

function pyLiteral(value, indent = "") {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value.__py) return value.__py; // a Python variable, not a literal
  if (Array.isArray(value)) return `[${value.map((v) => pyLiteral(v, indent)).join(", ")}]`;
  const inner = indent + "    ";
  const items = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pyLiteral(v, inner)},`);
  return `{\n${items.join("\n")}\n${indent}}`;
}

export function python(origin, body) {
  const uploads = [];
  const payload = { ...body };
  for (const field of ["image_url", "video_url"]) {
    if (pending(body[field])) {
      const name = body[field].slice(9, -1);
      uploads.push(`${field} = upload(${JSON.stringify(name)})`);
      payload[field] = { __py: field };
    }
  }
  const literal = pyLiteral(payload);
  const lines = [
    "import os",
    "import time",
    "",
    "import httpx  # pip install httpx",
    "",
    `client = httpx.Client(`,
    `    base_url=${JSON.stringify(origin)},`,
    '    headers={"Authorization": "Bearer " + os.environ["MOTIONCTL_API_KEY"]},',
    "    timeout=120,",
    ")",
    "",
  ];
  if (uploads.length) {
    lines.push(
      "def upload(path):",
      '    with open(path, "rb") as f:',
      '        r = client.post("/v1/files", files={"file": f})',
      "    r.raise_for_status()",
      '    return r.json()["data"]["url"]',
      "",
      "",
      ...uploads,
      "",
    );
  }
  lines.push(
    `r = client.post(${JSON.stringify(TASKS)}, json=${literal})`,
    "r.raise_for_status()",
    'task_id = r.json()["data"]["task_id"]',
    'print("task", task_id)',
    "",
    "while True:",
    `    task = client.get(${JSON.stringify(TASKS + "/")} + task_id).json()["data"]`,
    '    if task["task_status"] in ("succeed", "failed"):',
    "        break",
    "    time.sleep(2)",
    'print(task["task_status"], task.get("task_status_msg", ""))',
    'for video in (task.get("task_result") or {}).get("videos", []):',
    '    print(video["url"])',
  );
  return lines.join("\n");
}
