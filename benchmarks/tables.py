"""The benchmark results as Markdown tables (speed, then quality)."""

from __future__ import annotations

from typing import Any


def _f(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _slowest(stages: dict[str, float]) -> str:
    stages = {k: v for k, v in stages.items() if not k.endswith("_cpu")}  # CPU totals, not stages
    if not stages:
        return "—"
    name = max(stages, key=lambda k: stages[k])
    return f"{name} {stages[name]:.1f}s"


def speed_table(cases: list[dict[str, Any]]) -> str:
    rows = [
        "| case | output | wall s (median; all runs) | real-time factor | frames/s | peak MiB (all processes) "
        "| floor s | engine / floor | slowest stage | engine pose on every n-th frame |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for c in cases:
        e, fl = c["engine"], c["floor"]
        out = f"{e['width']}x{e['height']}, {e['frames']} fr, {e['duration']:.1f}s"
        runs = ", ".join(f"{w:.1f}" for w in e.get("wall_runs", [e["wall_seconds"]]))
        rows.append(
            f"| {c['name']} | {out} | {e['wall_seconds']:.1f} ({runs}) | "
            f"{e['realtime_factor']:.2f} | "
            f"{e['frames_per_second']:.1f} | {e.get('peak_tree_mib', e['peak_rss_mib']):.0f} | "
            f"{fl['wall_seconds']:.1f} | "
            f"{c['engine_over_floor']:.2f} | {_slowest(e['stage_seconds'])} | {e.get('pose_stride', 1)} |"
        )
    return "\n".join(rows)


def stages_table(cases: list[dict[str, Any]]) -> str:
    names: list[str] = []
    for c in cases:
        names += [k for k in c["engine"]["stage_seconds"] if k not in names]
    rows = [
        "| case | " + " | ".join(names) + " | floor decode | floor pose | floor encode |",
        "|---|" + "---:|" * (len(names) + 3),
    ]
    for c in cases:
        st, fl = c["engine"]["stage_seconds"], c["floor"]["stage_seconds"]
        cells = [_f(st.get(n), "{:.2f}") for n in names]
        floor = [_f(fl.get(n), "{:.2f}") for n in ("decode", "pose", "encode")]
        rows.append(f"| {c['name']} | " + " | ".join(cells + floor) + " |")
    return "\n".join(rows)


def _bends(bends: dict[str, Any] | None) -> str:
    if not bends or not bends["moving"]["comparisons"]:
        return "—"
    m = bends["moving"]
    return f"{_pct(m['within_20'])} ({_pct(bends['frozen_moving']['within_20'])}) of {m['comparisons']}"


def _rescans(rep: dict[str, Any] | None) -> str:
    if not rep:
        return "—"
    return (f"{_pct(rep['mean_within_20'])} ({_pct(rep['min_within_20'])}-{_pct(rep['max_within_20'])}) / "
            f"{_f(rep['mean_median_deg'])} (≤{_f(rep['max_median_deg'])})")


def quality_table(cases: list[dict[str, Any]]) -> str:
    rows = [
        "| case | moving limbs within 20° | moving median ° | all limbs within 20° "
        "| frozen baseline, moving: within 20° / median ° | person detected | background PSNR dB / SSIM "
        "| ghost SSIM | jitter out/driver | flicker | face SSIM (another face) | mouth r | head roll r "
        "| moving wrist bends within 20° (frozen) | moving limbs over re-detections: within 20° mean (range) / "
        "median ° mean (max) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cases:
        r = c["eval"]
        f, b, s, a = r["fidelity"], r["background"], r["stability"], r["appearance"]
        rows.append(
            f"| {c['name']} | {_pct(f['moving']['within_20'])} | {_f(f['moving']['median_deg'])} | "
            f"{_pct(f['all']['within_20'])} | {_pct(f['frozen_moving']['within_20'])} / "
            f"{_f(f['frozen_moving']['median_deg'])} | {_pct(r['detection_rate'])} | "
            f"{_f(b['psnr_db'])} / {_f(b['ssim'], '{:.3f}')} ({b['orientation']}) | "
            f"{_f(b.get('vacated_ssim'), '{:.3f}')} | "
            f"{_f(s['jitter_ratio'], '{:.2f}')} | {_f(s['flicker'], '{:.2f}')} | "
            f"{_f(a['face_ssim'], '{:.3f}')} ({_f(a['face_ssim_driver'], '{:.3f}')}) | "
            f"{_f(a['mouth_correlation'], '{:.2f}')} | {_f(a.get('head_roll_correlation'), '{:.2f}')} | "
            f"{_bends(f.get('wrist_bends'))} | "
            f"{_rescans(r.get('repeatability'))} |"
        )
    return "\n".join(rows)


def targets_table(cases: list[dict[str, Any]]) -> str:
    names = [t["name"] for t in cases[0]["eval"]["targets"]] if cases else []
    rows = ["| case | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for c in cases:
        cells = []
        for t in c["eval"]["targets"]:
            value = _f(t["value"]) if t["threshold"] > 1 else _pct(t["value"])
            cells.append(f"{value} {'pass' if t['passed'] else '**FAIL**'}")
        rows.append(f"| {c['name']} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    load = ", ".join(f"{x:.2f}" for x in m["load_average_at_start"])
    cases = doc["cases"]
    return "\n\n".join([
        f"Run {m['date_utc']} UTC on commit `{m['commit']}`: {m['nproc']} CPUs ({m['cpu']}), "
        f"{m['ram_gib']} GiB RAM, load average at start {load}, Python {m['python']}.",
        "### Speed\n\n" + speed_table(cases),
        "### Stage seconds (engine threads overlap; floor = decode + pose + encode)\n\n"
        + stages_table(cases),
        "### Quality (`motionctl eval`)\n\n" + quality_table(cases),
        "### Engine acceptance targets (moving limbs ≥85% within 20°, median ≤10°, person ≥95%)\n\n"
        + targets_table(cases),
    ]) + "\n"  # fmt: skip
