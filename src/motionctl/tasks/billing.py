"""final_unit_deduction: units per output second, by model and mode, from a configurable table."""

from __future__ import annotations

from motionctl.core.errors import InternalError


def units_for(prices: dict[str, dict[str, float]], model: str, mode: str, seconds: float) -> float:
    try:
        per_second = prices[model][mode]
    except KeyError:
        raise InternalError(f"prices: no price for model {model!r} mode {mode!r}") from None
    return round(per_second * max(seconds, 0.0), 3)


def format_number(value: float) -> str:
    """The API's decimal strings: '3.5', '0', '12.333' (never '3.500' or '3.5e+00')."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
