"""The workbench's parameter form is the chosen model's request schema (GET /v1/models/{id}'s
json_request_schema): its fields, order, titles, required marks, choices, defaults and help come
from the schema of whichever model is picked; its limits are checked in the page, naming the field;
and a request built from the form goes through to a task with exactly those values."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from test_workbench_browser import choose, wait_for_result
from wb_browser import browser_marks, expect
from wb_server import ELF, Server, sign_in

pytestmark = browser_marks(600)

OFFICIAL, SEED_000, SEED_001 = "kling-v2-6", "kling/kling-v3-motion-control", "kling-video-v3-pro-motion-control"
# Fields with widgets of their own (the drop zones, the element picker), not form controls.
INPUTS = {"image_url", "video_url", "input_image", "input_video", "reference_images", "reference_videos",
          "element_list", "elements"}

CATALOGUE_LOADED = "document.querySelectorAll('#model option').length >= 4"
# What the page shows of each form field: name, label, required mark, value, choices and help.
READ_FORM = """els => els.map(e => {
  const radios = [...e.querySelectorAll('input[type=radio]')];
  const box = e.querySelector('input[type=checkbox]');
  const text = e.querySelector('textarea, input[type=text], input[type=number]');
  return {
    name: e.dataset.field,
    label: e.querySelector('.label').firstChild.textContent,
    required: Boolean(e.querySelector('.required')),
    value: radios.length ? (radios.find(r => r.checked) || {}).value : box ? box.checked : text && text.value,
    choices: radios.length ? radios.map(r => r.value) : null,
    help: e.querySelector('.rule').textContent,
  };
})"""


def catalogue(server: Server) -> dict[str, dict[str, Any]]:
    r = httpx.get(server.base + "/v1/models", headers={"Authorization": f"Bearer {server.api_key}"}, timeout=30)
    r.raise_for_status()
    return {m["id"]: m for m in r.json()["data"] if m["kind"] == "motion-control"}


def schema_fields(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The form fields a model's schema calls for, read here independently of the page: every leaf
    property in order (nested objects by path), less the model's own id and the inputs."""
    schema = model["json_request_schema"]
    out: list[dict[str, Any]] = []

    def resolve(prop: dict[str, Any]) -> dict[str, Any]:
        if "$ref" not in prop:
            return prop
        target = schema["$defs"][prop["$ref"].split("/")[-1]]
        return {**target, "title": None, **{k: v for k, v in prop.items() if k != "$ref"}}

    def walk(obj: dict[str, Any], prefix: str, parent: str | None) -> None:
        for key, raw in obj["properties"].items():
            prop = resolve(raw)
            title = prop.get("title") or key.replace("_", " ").title()
            if prop.get("type") == "object":
                walk(prop, f"{prefix}{key}.", title)
                continue
            if prop.get("const") == model["id"] or model["id"] in prop.get("enum", []) or key in INPUTS:
                continue
            choices = prop.get("enum")
            default = prop.get("default", choices[0] if choices else False if prop["type"] == "boolean" else "")
            help_ = prop.get("x-enumDescriptions", {}).get(default) or prop.get("description", "")
            out.append({
                "name": prefix + key,
                "label": f"{parent} › {title}" if parent else title,
                "required": key in obj.get("required", []),
                "value": default,
                "choices": choices,
                "help": help_,
            })

    walk(schema, "", None)
    return out


def form(page: Any) -> list[dict[str, Any]]:
    return list(page.eval_on_selector_all("#params [data-field]", READ_FORM))


def body_of_snippet(page: Any) -> dict[str, Any]:
    page.click("#copy-curl")
    snippet = page.locator("#snippet").text_content() or ""
    return dict(json.loads(snippet.split("--data-raw '", 1)[1].rsplit("'", 1)[0]))


def test_each_model_gets_the_form_its_schema_describes(
    page: Any, server: Server, shot: Callable[[Any, str], None]
) -> None:
    models = catalogue(server)
    assert {OFFICIAL, SEED_000, SEED_001, "wan2.2-animate"} <= set(models)
    sign_in(page, server)
    page.wait_for_function(f"document.querySelectorAll('#model option').length === {len(models)}")
    for model_id, model in models.items():
        page.select_option("#model", model_id)
        assert form(page) == schema_fields(model), model_id

    # What that means for a user: the fields change with the model, and so do their defaults.
    page.select_option("#model", OFFICIAL)
    names = [f["name"] for f in form(page)]
    assert {"mode", "watermark_info.enabled", "keep_original_sound", "character_orientation"} <= set(names)
    expect(page.locator("[data-field=character_orientation] input:checked")).to_have_value("image")
    expect(page.locator("#drop-image .field-name")).to_have_text("image_url")
    shot(page, "10-form-kling-v2-6")

    page.select_option("#model", SEED_001)
    expect(page.locator("#params [data-field=mode]")).to_have_count(0)  # pro only: no mode to pick
    expect(page.locator("[data-field='watermark_info.enabled']")).to_have_count(0)
    expect(page.locator("[data-field=character_orientation] input:checked")).to_have_value("video")  # seed 001
    expect(page.locator("[data-field=keep_original_sound] .switch-text")).to_have_text("On")  # a boolean here
    expect(page.locator("[data-field=prompt] .required")).to_have_count(1)  # required in seed 001 only
    expect(page.locator("#drop-image .field-name")).to_have_text("input_image")
    shot(page, "11-form-kling-video-v3-pro")

    page.select_option("#model", SEED_000)
    expect(page.locator("[data-field='extra_params.character_orientation'] input:checked")).to_have_value("video")
    expect(page.locator("[data-field=generate_audio] .switch-text")).to_have_text("Off")
    expect(page.locator("[data-field=resolution] input:checked")).to_have_value("720P")
    expect(page.locator("[data-field=prompt] .required")).to_have_count(0)
    expect(page.locator("#drop-video .field-name")).to_have_text("reference_videos")

    # What the user set carries over to the next model where that model has the field.
    page.fill("[data-field=prompt] textarea", "The elf waves")
    page.click("[data-field='extra_params.character_orientation'] label:has-text('image')")
    page.select_option("#model", SEED_001)
    expect(page.locator("[data-field=prompt] textarea")).to_have_value("The elf waves")
    expect(page.locator("[data-field=character_orientation] input:checked")).to_have_value("image")
    expect(page.locator("[data-rule-for=character_orientation]")).to_contain_text("driving video 3-10 s")


def test_a_value_outside_a_schema_limit_is_refused_in_the_page(page: Any, server: Server) -> None:
    creates: list[str] = []
    page.on("request", lambda r: creates.append(r.url) if r.method == "POST" and "/v1/videos/" in r.url else None)
    sign_in(page, server)
    page.wait_for_function(CATALOGUE_LOADED)
    choose(page, ELF / "image.jpeg", ELF / "video.mp4")
    expect(page.locator("#submit")).to_be_enabled(timeout=30_000)  # uploads are validated first

    page.click(".more-fields summary")
    task_id = page.locator("[data-field=external_task_id] input")
    task_id.fill("my task/1")
    pattern = "^[A-Za-z0-9._~:@+=!$*,;-]*$"
    refusal = f'external_task_id: must match {pattern} (got "my task/1")'
    expect(page.locator("[data-problem-for=external_task_id]")).to_have_text(refusal)
    expect(page.locator("#submit")).to_be_disabled()
    expect(page.locator("#submit-hint")).to_have_text(refusal)
    task_id.fill("my-task-1")
    expect(page.locator("[data-problem-for=external_task_id]")).to_be_hidden()
    expect(page.locator("#submit")).to_be_enabled()

    page.select_option("#model", SEED_001)
    page.fill("[data-field=prompt] textarea", "x" * 2501)
    expect(page.locator("[data-problem-for=prompt]")).to_have_text("prompt: at most 2500 characters (got 2501)")
    expect(page.locator("#submit")).to_be_disabled()
    page.fill("[data-field=prompt] textarea", "x" * 2500)
    page.fill("[data-field=callback_url] input", "https://example.com/" + "c" * 2029)
    expect(page.locator("[data-problem-for=callback_url]")).to_have_text(
        "callback_url: at most 2048 characters (got 2049)")
    expect(page.locator("#submit")).to_be_disabled()
    assert creates == []  # nothing refused left the page

    # Numbers: a schema's minimum and maximum, checked by the same form (no catalogue model has one yet).
    problem = page.evaluate("""async () => {
        const { fieldsOf } = await import('/static/workbench/schema.js');
        const { ParamForm } = await import('/static/workbench/form.js');
        const root = document.createElement('form');
        document.body.append(root);
        const f = new ParamForm(root, () => {});
        f.setFields(fieldsOf({ properties: { duration: { type: 'integer', title: 'Duration', default: 5,
                                                         minimum: 3, maximum: 15 } } }, 'm'));
        const input = root.querySelector('[data-field=duration] input');
        const first = [input.value, f.problems()];
        input.value = '20';
        input.dispatchEvent(new Event('input'));
        root.remove();
        return [first, f.problems()];
    }""")
    assert problem == [["5", []], ["duration: must be at most 15 (got 20)"]]


def test_a_request_from_the_generated_form_goes_through(page: Any, server: Server) -> None:
    sign_in(page, server)
    page.wait_for_function(CATALOGUE_LOADED)
    page.select_option("#model", SEED_001)
    page.fill("[data-field=prompt] textarea", "The elf greets the audience")
    page.click("[data-field=character_orientation] label:has-text('image')")
    page.click("[data-field=keep_original_sound] .switch")
    page.click(".more-fields summary")
    page.fill("[data-field=external_task_id] input", "schema-form-1")
    choose(page, ELF / "image.jpeg", ELF / "video.mp4")
    expect(page.locator("#submit")).to_be_enabled(timeout=30_000)

    body = body_of_snippet(page)
    assert "/v1/files/" in body.pop("input_image") and "/v1/files/" in body.pop("input_video")
    assert body == {
        "model": SEED_001, "prompt": "The elf greets the audience", "character_orientation": "image",
        "keep_original_sound": False, "external_task_id": "schema-form-1",
    }
    page.click("#submit")
    page.wait_for_function("document.body.dataset.following")
    wait_for_result(page)
    assert page.get_attribute("#result", "data-state") == "succeed", page.locator("#result").inner_text()

    r = httpx.get(server.base + "/v1/videos/generations/schema-form-1",
                  headers={"Authorization": f"Bearer {server.api_key}"}, timeout=30)
    task = r.json()
    assert (task["model"], task["status"], task["external_task_id"]) == (SEED_001, "completed", "schema-form-1")
    assert task["input"]["character_orientation"] == "image" and task["input"]["keep_original_sound"] is False
    assert task["input"]["prompt"] == "The elf greets the audience" and task["input"]["resolution"] == "1080P"

    # Edit inputs: the task's model and the values it was made with come back into its form.
    page.select_option("#model", OFFICIAL)
    page.click("#result button:has-text('Edit inputs')")
    expect(page.locator("#model")).to_have_value(SEED_001)
    expect(page.locator("[data-field=character_orientation] input:checked")).to_have_value("image")
    expect(page.locator("[data-field=keep_original_sound] .switch-text")).to_have_text("Off")
    expect(page.locator("[data-field=prompt] textarea")).to_have_value("The elf greets the audience")
    expect(page.locator("#drop-video")).to_have_attribute("data-state", "ready")
