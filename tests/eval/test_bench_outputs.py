"""The benchmark's writers (Markdown tables, the time plot) on a results document of known content."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from pictures import time_plot  # noqa: E402
from tables import markdown  # noqa: E402


def _summary(median: float | None, within: float | None) -> dict[str, Any]:
    return {"median_deg": median, "within_20": within, "comparisons": 10, "misses": 0}


def _case(name: str, within: float, passed: bool) -> dict[str, Any]:
    return {
        "name": name, "orientation": "image",
        "engine": {"width": 1280, "height": 720, "frames": 106, "duration": 3.53, "wall_seconds": 7.0,
                   "wall_runs": [6.5, 7.0, 8.1], "realtime_factor": 0.504, "frames_per_second": 15.1,
                   "peak_rss_mib": 512.0, "peak_tree_mib": 900.0,
                   "stage_seconds": {"decode": 1.0, "pose": 3.0, "render": 4.5, "encode": 1.5, "encode_cpu": 9.0}},
        "floor": {"wall_seconds": 3.5, "stage_seconds": {"decode": 1.0, "pose": 2.5, "encode": 0.8}},
        "engine_over_floor": 2.0,
        "eval": {
            "fidelity": {"all": _summary(4.0, 0.9), "moving": _summary(8.0, within),
                         "frozen_all": _summary(17.0, 0.5), "frozen_moving": _summary(57.0, 0.3)},
            "detection_rate": 1.0,
            "background": {"psnr_db": 44.9, "ssim": 0.991, "orientation": "image", "vacated_ssim": 0.537},
            "stability": {"jitter_ratio": 1.2, "flicker": 0.05},
            "appearance": {"face_ssim": 0.44, "face_ssim_driver": 0.26, "mouth_correlation": None},
            "targets": [{"name": "moving limbs within 20 deg", "value": within, "threshold": 0.85,
                         "passed": passed}],
        },
    }  # fmt: skip


def _doc() -> dict[str, Any]:
    return {"machine": {"date_utc": "2026-11-22 02:30", "commit": "abc1234", "nproc": 2, "cpu": "Xeon",
                        "ram_gib": 23.0, "load_average_at_start": [1.0, 0.5, 0.2], "python": "3.11.9"},
            "cases": [_case("elf image std-720p", 0.9, True), _case("dance pro-1080p", 0.5, False)]}  # fmt: skip


def test_markdown_names_the_machine_and_shows_every_case_and_figure() -> None:
    text = markdown(_doc())
    assert "2 CPUs (Xeon), 23.0 GiB RAM" in text and "`abc1234`" in text
    speed = next(line for line in text.splitlines() if line.startswith("| elf image std-720p |"))
    # the median run with all runs beside it; memory of all processes; CPU totals are not "stages"
    assert "| 7.0 (6.5, 7.0, 8.1) | 0.50 | 15.1 | 900 | 3.5 | 2.00 | render 4.5s | 1 |" in speed
    quality = [line for line in text.splitlines() if line.startswith("| dance pro-1080p |")]
    assert any("| 50% | 8.0 | 90% | 30% / 57.0 | 100% | 44.9 / 0.991 (image) | 0.537 |" in q for q in quality)
    assert "50% **FAIL**" in text and "90% pass" in text


def test_time_plot_writes_a_png(tmp_path: Path) -> None:
    dest = time_plot(_doc()["cases"], tmp_path / "time.png")
    with Image.open(dest) as im:
        assert im.format == "PNG" and im.width > 600 and im.height > 200


def test_fresh_tables_replace_only_the_marked_part_of_the_quality_page(tmp_path: Path) -> None:
    import run

    page = tmp_path / "QUALITY.md"
    page.write_text(f"# Title\nprose before\n{run.START}\nold table\n{run.END}\nprose after\n")
    run.splice_results(page, markdown(_doc()))
    text = page.read_text()
    assert "old table" not in text and "| elf image std-720p |" in text
    assert text.startswith("# Title\nprose before\n") and text.endswith(f"{run.END}\nprose after\n")
