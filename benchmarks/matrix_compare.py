"""Two runs of the broad matrix side by side: each figure's worst case, 10th percentile and median in
both, the cases in both, and the cases whose moving-limb share moved most either way.

    .venv/bin/python benchmarks/matrix_compare.py BEFORE.json AFTER.json [--moved 8]

BEFORE and AFTER are matrix.py's results (bench-results/matrix/results.json, docs/quality/matrix.json,
or a copy kept with --save-as). Only the cases both runs scored are aggregated, so a case one run
lacks changes neither column.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from matrix_tables import FIGURES, aggregates_of, cell


def _scored(path: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads(path.read_text())
    return {c["name"]: c for c in doc["cases"] if c.get("status") == "ok"}


def compare(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> str:
    both = sorted(set(before) & set(after))
    agg_b = aggregates_of([before[n] for n in both])
    agg_a = aggregates_of([after[n] for n in both])
    rows = [f"Cases scored in both runs: {len(both)}.", "",
            "| figure | worst before → after | 10th percentile before → after | median before → after |",
            "|---|---:|---:|---:|"]
    for fig in FIGURES:
        b, a = agg_b.get(fig.key) or {}, agg_a.get(fig.key) or {}
        cells = [f"{cell(fig, b.get(k))} → {cell(fig, a.get(k))}" for k in ("worst", "p10", "median")]
        rows.append(f"| {fig.label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def moved(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], n: int) -> str:
    deltas = []
    for name in set(before) & set(after):
        wb, wa = before[name]["figures"].get("within20"), after[name]["figures"].get("within20")
        if wb is not None and wa is not None:
            deltas.append((wa - wb, name, wb, wa))
    deltas.sort()
    picked = deltas[:n] + [d for d in deltas[-n:] if d not in deltas[:n]]
    rows = ["| case | moving limbs within 20° before → after |", "|---|---:|"]
    rows += [f"| {name} | {100 * wb:.0f}% → {100 * wa:.0f}% |" for _, name, wb, wa in picked]
    return "\n".join(rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p.add_argument("--moved", type=int, default=8, help="cases shown from each end of the change")
    a = p.parse_args()
    before, after = _scored(a.before), _scored(a.after)
    print(compare(before, after))
    print()
    print(moved(before, after, a.moved))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
