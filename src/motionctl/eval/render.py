"""The evaluation report as Rich tables (a terminal) — JSON comes from EvalReport.to_dict()."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table

from motionctl.eval.fidelity import Summary
from motionctl.eval.report import EvalReport
from motionctl.eval.viewer_render import viewer_table


def _num(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _summary_row(label: str, s: Summary) -> list[str]:
    return [label, _num(s.median_deg), _pct(s.within_20), str(s.comparisons), str(s.misses)]


def fidelity_table(r: EvalReport) -> Table:
    f = r.fidelity
    t = Table(title="Motion fidelity (limb bones; error = output vs driver bone direction)")
    for col in ("", "median °", "within 20°", "comparisons", "missed"):
        t.add_column(col, justify="right" if col else "left")
    t.add_row(*_summary_row("output, all visible", f.all))
    t.add_row(*_summary_row("output, moving", f.moving), style="bold")
    t.add_row(*_summary_row("frozen baseline, all", f.frozen_all), style="dim")
    t.add_row(*_summary_row("frozen baseline, moving", f.frozen_moving), style="dim")
    rep = r.repeatability
    if rep is not None:
        shifts = ", ".join(f"{s.shift_px:+d}" for s in rep.scans[1:])
        t.add_row(f"moving, mean of {len(rep.scans)} re-detections (frames shifted {shifts} px)",
                  f"{_num(rep.mean_median_deg)} (≤{_num(rep.max_median_deg)})",
                  f"{_pct(rep.mean_within_20)} ({_pct(rep.min_within_20)}-{_pct(rep.max_within_20)})", "", "")
    return t


def per_bone_table(r: EvalReport) -> Table:
    t = Table(title="Per bone (median ° / within 20°)")
    for col in ("bone", "all", "moving", "frozen, moving"):
        t.add_column(col, justify="right" if col != "bone" else "left")
    for name, parts in r.fidelity.per_bone.items():
        t.add_row(name, *_parts_cells(parts))
    if r.fidelity.wrist_bends:
        t.add_row("wrist bends (both hands)", *_parts_cells(r.fidelity.wrist_bends), style="dim")
    return t


def _parts_cells(parts: dict[str, Summary]) -> list[str]:
    """"median / within 20°" for all, moving and frozen-moving comparisons ("—" where there are none)."""
    return [f"{_num(s.median_deg)} / {_pct(s.within_20)}" if s.comparisons else "—"
            for s in (parts["all"], parts["moving"], parts["frozen_moving"])]  # fmt: skip


def other_table(r: EvalReport) -> Table:
    b, s, a = r.background, r.stability, r.appearance
    t = Table(title="Detection, background, stability, appearance")
    t.add_column("metric")
    t.add_column("value", justify="right")
    t.add_column("reading")
    t.add_row("person detected in output", _pct(r.detection_rate), f"{r.output_frames} frames")
    t.add_row(
        f"background PSNR (orientation {b.orientation})",
        _num(b.psnr_db, "{:.1f} dB"),
        f"vs the image, {_pct(b.static_share)} of the frame, {b.frames} frames",
    )
    t.add_row(f"background SSIM (orientation {b.orientation})", _num(b.ssim, "{:.3f}"), "1.0 = identical")
    t.add_row(
        "ghost: SSIM to the image where it moved away",
        _num(b.vacated_ssim, "{:.3f}"),
        f"{_pct(b.vacated_share)} of the frame; near 1 = the original pose still shows",
    )
    t.add_row(
        "keypoint jitter output / driver",
        _num(s.jitter_ratio, "{:.2f}"),
        f"{_num(s.jitter_output, '{:.4f}')} / {_num(s.jitter_driver, '{:.4f}')} (body sizes/frame²)",
    )
    t.add_row("background flicker", _num(s.flicker, "{:.2f}"), "mean |Δ| grey levels, static pixels")
    t.add_row(
        "face SSIM vs image",
        _num(a.face_ssim, "{:.3f}"),
        f"{a.face_frames} frames; another person's face scores {_num(a.face_ssim_driver, '{:.3f}')}",
    )
    if r.mode == "pro":
        t.add_row("mouth opening correlation", _num(a.mouth_correlation, "{:.2f}"), "Pearson vs driver")
        t.add_row("head roll correlation", _num(a.head_roll_correlation, "{:.2f}"), "Pearson vs driver (eye line)")
    return t


def targets_table(r: EvalReport) -> Table:
    t = Table(title="Engine acceptance targets (issue 2)")
    for col in ("target", "value", "threshold", ""):
        t.add_column(col)
    for target in r.targets:
        op = "≥" if target.higher_is_better else "≤"
        mark = "[green]pass[/]" if target.passed else "[red]FAIL[/]"
        if target.threshold > 1 or target.threshold == 0:  # degrees, or a count of frames
            t.add_row(target.name, _num(target.value, "{:.1f}" if target.threshold else "{:.0f}"),
                      f"{op} {target.threshold:.{1 if target.threshold else 0}f}", mark)
        else:  # shares
            t.add_row(target.name, _pct(target.value), f"{op} {_pct(target.threshold)}", mark)
    return t


def print_report(r: EvalReport, console: Console | None = None) -> None:
    console = console or Console()
    console.print(f"[bold]{r.output}[/]: {r.output_frames} frames at {r.output_fps:.1f} fps, "
                  f"{r.output_size[0]}x{r.output_size[1]}; driver {r.video} ({r.driver_frames} frames); "
                  f"mode {r.mode}, orientation {r.orientation}")  # fmt: skip
    tables = [fidelity_table(r), per_bone_table(r), other_table(r)]
    if r.viewer is not None:
        tables.append(viewer_table(r.viewer))
    console.print(Group(*tables, targets_table(r)))
