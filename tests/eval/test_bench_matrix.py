"""The matrix's case list, aggregates and tables on documents of known content."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from matrix_cases import CHARACTERS, DRIVERS, TESTDATA, all_cases, joints_file, quick_cases  # noqa: E402
from matrix_tables import FIGURES, aggregate, aggregates_of, badness, markdown, passes, weak_cases  # noqa: E402

FIG = {f.key: f for f in FIGURES}


def _case(name: str, **values: float | None) -> dict[str, Any]:
    figs = {"person": 1.0, "within20": 0.9, "median": 5.0, "limbs": 0.9, "broken": 0, "cuts": 0, "scale": 0,
            "ghost": 0.0}
    figs.update(values)
    return {"name": name, "status": "ok", "status_text": "ok", "figures": figs, "badness": badness(figs),
            "passed": all(passes(f, figs.get(f.key)) is not False for f in FIGURES),
            "timing": {"generate_wall": 10.0, "eval_wall": 20.0}}


def test_every_driver_is_met_and_every_character_runs_in_both_orientations() -> None:
    cases = all_cases()
    assert {c.driver for c in cases} == set(DRIVERS)
    assert {c.character for c in cases} == set(CHARACTERS)
    for name in CHARACTERS:
        assert {c.orientation for c in cases if c.character == name and c.mode == "std"} == {"image", "video"}
    assert {c.mode for c in cases} == {"std", "pro"}
    assert all(c in cases or c.mode == "std" for c in quick_cases())


@pytest.mark.skipif(not TESTDATA.is_dir(), reason="../shared/testdata is absent")
def test_every_character_and_driver_in_the_test_material_is_in_the_matrix() -> None:
    on_disk = {p.stem for p in (TESTDATA / "characters").glob("*.*")}
    on_disk |= {p.name for p in (TESTDATA / "characters").glob("drawn_char*")}
    on_disk |= {p.name for p in (TESTDATA / "pairs").iterdir()}
    assert on_disk == set(CHARACTERS)
    drivers = {str(p.relative_to(TESTDATA)) for p in (TESTDATA / "drivers").glob("*.mp4")}
    drivers |= {str(p.relative_to(TESTDATA)) for p in (TESTDATA / "pairs").glob("*/video.mp4")}
    assert drivers == {d.source for d in DRIVERS.values()}
    assert all((TESTDATA / image).is_file() for image, _, _ in CHARACTERS.values())


def test_the_characters_no_single_pass_reads_have_joints_files() -> None:
    for name in CHARACTERS:
        if "nopose" in name or name.startswith("drawn_char"):
            assert joints_file(name) is not None, name


def test_aggregates_take_the_worst_and_the_tenth_percentile_from_the_bad_side() -> None:
    shares = [0.5 + 0.05 * i for i in range(11)]  # 0.50 .. 1.00
    a = aggregate(FIG["limbs"], shares)
    assert a["worst"] == 0.5 and a["median"] == pytest.approx(0.75) and a["p10"] == pytest.approx(0.55)
    b = aggregate(FIG["median"], [float(v) for v in range(11)])
    assert b["worst"] == 10.0 and b["p10"] == pytest.approx(9.0)


def test_a_case_missing_more_targets_by_more_ranks_worse() -> None:
    good, near, bad = _case("good"), _case("near", limbs=0.8), _case("bad", limbs=0.3, broken=40, within20=0.2)
    assert good["badness"] == 0 < near["badness"] < bad["badness"]
    assert good["passed"] and not near["passed"]


def test_framing_is_not_read_in_orientation_video_and_that_passes() -> None:
    assert passes(FIG["cuts"], None) is True and passes(FIG["limbs"], None) is False
    assert passes(FIG["ghost"], 0.9) is None  # reported, no target


def test_the_tables_name_each_weak_case_and_the_aggregates() -> None:
    cases = [_case("a"), _case("b", limbs=0.4), _case("c", cuts=12)]
    refused = {"status": "refused", "status_text": "exit 2", "name": "cup", "figures": {}}
    doc = {"machine": {"date_utc": "2026-01-01 00:00", "commit": "abc", "nproc": 2, "cpu": "x",
                       "load_average_at_start": [1.0, 1.0, 1.0]},
           "wall_seconds": 600.0, "cpu_seconds": 1100.0, "jobs": 2, "cases": [*cases, refused],
           "aggregates": aggregates_of([*cases, refused]), "refusals": {"cup": {"engine": "refused: x",
                                                                              "matrix": "animated"}},
           "worst": [{"name": "b", "sheet": "matrix_b.png"}]}
    md = markdown(doc)
    assert "| b | ok |" in md and "**40%** ✗" in md and "matrix_b.png" in md and "| cup | refused: x |" in md
    weak = weak_cases(doc["cases"])
    assert "limb appearance** misses its target in 1 of 3" in weak and "c (12)" in weak
