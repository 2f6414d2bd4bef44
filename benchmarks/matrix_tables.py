"""The matrix's figures per case, their aggregates over cases, and the Markdown the bench writes.

Each case's figures come from its `motionctl eval` report; each has a target (issue 22) and a side
that is bad. Aggregates over the cases that ran: the worst case, the 10th percentile from the bad
side (a tenth of the cases are at least this bad) and the median.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    higher_is_better: bool
    target: float | None  # None: reported, no target
    kind: str  # "share" (0-1, shown as %), "deg", "count"


FIGURES: tuple[Figure, ...] = (
    Figure("person", "person detected", True, 0.95, "share"),
    Figure("within20", "moving limbs within 20°", True, 0.85, "share"),
    Figure("median", "moving median °", False, 10.0, "deg"),
    Figure("limbs", "limb appearance", True, 0.85, "share"),
    Figure("broken", "broken frames", False, 0.0, "count"),
    Figure("cuts", "frames with a part cut by an edge (image)", False, 0.0, "count"),
    Figure("scale", "frames mis-scaled (image)", False, 0.0, "count"),
    Figure("ghost", "ghost frames", False, None, "share"),
)
# Over the cases' medians (issue 22): the median case within 20° at least this, median at most this.
MEDIAN_TARGETS = {"within20": 0.90, "median": 7.0}


def figures(report: dict[str, Any]) -> dict[str, float | None]:
    """One case's figures from its eval report (EvalReport.to_dict())."""
    f, v = report["fidelity"]["moving"], report.get("viewer") or {}
    g = v.get("ghosts") or {}
    framing = v.get("framing")
    return {
        "person": report["detection_rate"],
        "within20": f["within_20"],
        "median": f["median_deg"],
        "limbs": (v.get("limb_appearance") or {}).get("share"),
        "broken": (v.get("broken") or {}).get("broken"),
        "cuts": framing["cut_frames"] if framing else None,
        "scale": framing["mis_scaled_frames"] if framing else None,
        "ghost": g["ghost_frames"] / g["frames"] if g.get("frames") else None,
    }


def passes(fig: Figure, value: float | None) -> bool | None:
    if fig.target is None:
        return None
    if value is None:
        return fig.key in ("cuts", "scale")  # framing is read in orientation image only
    return value >= fig.target if fig.higher_is_better else value <= fig.target


def badness(values: dict[str, float | None]) -> float:
    """How far a case is from its targets, summed over figures (0: every target met); ranks the worst."""
    total = 0.0
    for fig in FIGURES:
        v = values.get(fig.key)
        if fig.target is None or passes(fig, v):
            continue
        if v is None:
            total += 1.0
        elif fig.kind == "count":
            total += min(1.0, v / 10.0)
        elif fig.higher_is_better:
            total += (fig.target - v) / fig.target
        else:
            total += (v - fig.target) / fig.target
    return total


def aggregate(fig: Figure, values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"worst": None, "p10": None, "median": None, "cases": 0}
    a = np.array(values, float)
    bad_side = 10 if fig.higher_is_better else 90
    return {"worst": float(a.min() if fig.higher_is_better else a.max()),
            "p10": float(np.percentile(a, bad_side)), "median": float(np.median(a)), "cases": len(a)}


def cell(fig: Figure, v: float | None) -> str:
    if v is None:
        return "—"
    if fig.kind == "share":
        return f"{100 * v:.0f}%"
    if fig.kind == "deg":
        return f"{v:.1f}"
    return f"{v:.0f}"


def _mark(fig: Figure, v: float | None) -> str:
    ok = passes(fig, v)
    text = cell(fig, v)
    return text if ok is None or ok else f"**{text}** ✗"


def case_table(cases: list[dict[str, Any]]) -> str:
    head = "| case | status | " + " | ".join(f.label for f in FIGURES) + " | gen s / eval s |"
    rows = [head, "|---|---|" + "---:|" * (len(FIGURES) + 1)]
    for c in cases:
        vals = c.get("figures") or {}
        cells = [_mark(f, vals.get(f.key)) if c["status"] == "ok" else "—" for f in FIGURES]
        t = c.get("timing") or {}
        times = f"{t.get('generate_wall', 0):.0f} / {t.get('eval_wall', 0):.0f}" if t else "—"
        rows.append(f"| {c['name']} | {c['status_text']} | " + " | ".join(cells) + f" | {times} |")
    return "\n".join(rows)


def aggregate_table(aggregates: dict[str, dict[str, float | None]]) -> str:
    rows = ["| figure | target | worst | 10th percentile (bad side) | median | cases |",
            "|---|---|---:|---:|---:|---:|"]
    for f in FIGURES:
        a = aggregates[f.key]
        target = "—" if f.target is None else (("≥ " if f.higher_is_better else "≤ ") + cell(f, f.target))
        if f.key in MEDIAN_TARGETS:
            target += f" (median ≥ {cell(f, MEDIAN_TARGETS[f.key])})" if f.higher_is_better else \
                f" (median ≤ {cell(f, MEDIAN_TARGETS[f.key])})"
        rows.append(f"| {f.label} | {target} | {cell(f, a['worst'])} | {cell(f, a['p10'])} | "
                    f"{cell(f, a['median'])} | {a['cases']} |")
    return "\n".join(rows)


def refusal_table(refusals: dict[str, dict[str, Any]]) -> str:
    rows = ["| character | the engine, without joints | in the matrix |", "|---|---|---|"]
    for name, r in refusals.items():
        rows.append(f"| {name} | {r['engine']} | {r['matrix']} |")
    return "\n".join(rows)


def aggregates_of(cases: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    done = [c for c in cases if c["status"] == "ok"]
    pick: Callable[[Figure], list[float]] = lambda f: [c["figures"][f.key] for c in done  # noqa: E731
                                                      if c["figures"].get(f.key) is not None]
    return {f.key: aggregate(f, pick(f)) for f in FIGURES}


def weak_cases(cases: list[dict[str, Any]], per_figure: int = 5) -> str:
    """For each figure with a target, the cases that miss it, worst first (at most ``per_figure``)."""
    lines = []
    done = [c for c in cases if c["status"] == "ok"]
    for f in FIGURES:
        missing = [c for c in done if passes(f, c["figures"].get(f.key)) is False]
        if not missing:
            continue
        missing.sort(key=lambda c: (c["figures"].get(f.key) is not None, c["figures"].get(f.key) or 0),
                     reverse=not f.higher_is_better)
        shown = ", ".join(f"{c['name']} ({cell(f, c['figures'].get(f.key))})" for c in missing[:per_figure])
        more = f" and {len(missing) - per_figure} more" if len(missing) > per_figure else ""
        lines.append(f"- **{f.label}** misses its target in {len(missing)} of {len(done)} cases: {shown}{more}.")
    return "\n".join(lines) or "Every case meets every target."


def summary(doc: dict[str, Any], sheets_prefix: str = "") -> str:
    """The part docs/QUALITY.md shows: aggregates, refusals, the five worst sheets, the weak cases."""
    parts = [
        "#### Aggregates over the cases\n\n" + aggregate_table(doc["aggregates"]),
        "#### Characters the pose model reads poorly (`_nopose`, drawings)\n\n" + refusal_table(doc["refusals"]),
        "#### Where the targets are missed\n\n" + weak_cases(doc["cases"]),
    ]
    if doc.get("worst"):
        parts.append("#### The five worst cases\n\n" + "\n\n".join(
            f"{w['name']}:\n\n![{w['name']}]({sheets_prefix}{w['sheet']})" for w in doc["worst"]))
    return "\n\n".join(parts)


def markdown(doc: dict[str, Any]) -> str:
    m, cases = doc["machine"], doc["cases"]
    passed = sum(1 for c in cases if c["status"] == "ok" and c["passed"])
    ran = sum(1 for c in cases if c["status"] == "ok")
    parts = [
        f"Run {m['date_utc']} UTC on commit `{m['commit']}`: {m['nproc']} CPUs ({m['cpu']}), load average "
        f"at start {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}; {len(cases)} cases, {ran} ran, "
        f"{passed} meet every target. Wall {doc['wall_seconds'] / 60:.1f} min with {doc['jobs']} jobs; CPU "
        f"{doc['cpu_seconds'] / 60:.1f} min in all (on an idle machine of {m['nproc']} cores the wall time is "
        f"about the CPU time over {m['nproc']}).",
        "### Aggregates over the cases\n\n" + aggregate_table(doc["aggregates"]),
        "### Characters the pose model reads poorly (`_nopose`, drawings)\n\n" + refusal_table(doc["refusals"]),
        "### Every case (✗: misses its target)\n\n" + case_table(cases),
    ]
    if doc.get("worst"):
        parts.append("### The five worst cases (contact sheets)\n\n" + "\n".join(
            f"- {w['name']}: [{w['sheet']}]({w['sheet']})" for w in doc["worst"]))
    return "\n\n".join(parts) + "\n"
