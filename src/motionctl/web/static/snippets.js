// "Copy as cURL / Python": the exact request the page sends (or would send), runnable as is.
// The key is read from $MOTIONCTL_API_KEY instead of being pasted, so a copied snippet never leaks it.
import { GENERATIONS, TASKS } from "./api.js";

/** Extra request headers of each answer mode (async needs none). */
const MODE_HEADERS = { async: [], sync: ["Prefer: wait"], sse: ["Accept: text/event-stream"] };

const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** Placeholder URLs (input not uploaded yet) look like "<upload: name>". */
const pending = (url) => typeof url === "string" && url.startsWith("<upload: ");

/** [path, file name] of each placeholder in `body`, at any depth (input_image, reference_images[0].url). */
function placeholders(value, path = []) {
  if (pending(value)) return [[path, value.slice(9, -1)]];
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => placeholders(v, [...path, k]));
}

/** "reference_images[0].url" */
const pathName = (path) => path.map((k, i) => (/^\d+$/.test(k) ? `[${k}]` : i ? `.${k}` : k)).join("");

export function curl(origin, body, mode = "async") {
  const path = body.model ? GENERATIONS : TASKS;
  const lines = [];
  for (const [path, name] of placeholders(body)) {
    lines.push(
      `# ${pathName(path)}: upload ${name} first and use data.url from the answer`,
      `curl -s -H "Authorization: Bearer $MOTIONCTL_API_KEY" -F file=@${shellQuote(name)} ${shellQuote(origin + "/v1/files")}`,
    );
  }
  if (lines.length) lines.push("");
  lines.push(
    `curl -s${mode === "sse" ? " -N" : ""} -X POST ${shellQuote(origin + path)} \\`,
    `  -H "Authorization: Bearer $MOTIONCTL_API_KEY" \\`,
    ...MODE_HEADERS[mode].map((hd) => `  -H ${shellQuote(hd)} \\`),
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

export function python(origin, body, mode = "async") {
  const unified = Boolean(body.model);
  const path = unified ? GENERATIONS : TASKS;
  const uploads = [];
  const payload = structuredClone(body);
  for (const [path, name] of placeholders(body)) {
    // The variable is named after the field: input_image, reference_images (not its "url" or index).
    const variable = path.filter((k) => k !== "url" && !/^\d+$/.test(k)).pop() || "upload_url";
    uploads.push(`${variable} = upload(${JSON.stringify(name)})`);
    path.slice(0, -1).reduce((at, k) => at[k], payload)[path[path.length - 1]] = { __py: variable };
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
  const headers = MODE_HEADERS[mode].map((hd) => hd.split(": ")).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const hdrs = headers.length ? `, headers={${headers.join(", ")}}` : "";
  const unwrap = unified ? "r.json()" : 'r.json()["data"]';
  const statusKey = unified ? "status" : "task_status";
  const finals = unified ? '("completed", "failed")' : '("succeed", "failed")';
  if (mode === "sse") {
    lines.push(
      `with client.stream("POST", ${JSON.stringify(path)}, json=${literal}${hdrs}, timeout=None) as r:`,
      "    for line in r.iter_lines():",
      '        if line.startswith("data:"):',
      "            task = json.loads(line[5:])",
      `            print(task["${statusKey}"], task.get("progress"))`,
    );
    lines.unshift("import json");
    return lines.join("\n");
  }
  lines.push(
    `r = client.post(${JSON.stringify(path)}, json=${literal}${hdrs}${mode === "sync" ? ", timeout=None" : ""})`,
    "r.raise_for_status()",
    `task = ${unwrap}`,
    'print("task", task["task_id"])',
  );
  if (mode === "async") {
    lines.push(
      "",
      `while task["${statusKey}"] not in ${finals}:`,
      "    time.sleep(2)",
      `    r = client.get(${JSON.stringify(path + "/")} + task["task_id"])`,
      `    task = ${unwrap}`,
    );
  }
  const msgKey = unified ? "status_msg" : "task_status_msg";
  // The outcome first, on one line ("failed <reason>", "succeed "), then the whole task.
  lines.push(`print(task["${statusKey}"], task.get("${msgKey}", ""))`, "print(json.dumps(task, indent=2))");
  lines.unshift("import json");
  return lines.join("\n");
}
