"""What a task costs: units per output second from a configurable table (``Settings.prices``), by
model and tier. 1 unit = 1 US dollar, the currency the seeds price in.

A tier is ``"<mode>-<resolution>"`` (``"std-1080p"``) or a mode alone (``"pro"``: every resolution of
that mode); the more specific entry wins. A model the table leaves out keeps its default prices. A
task without a resolution has its mode's (std 720p, pro 1080p), as the engine renders it.

The seeds price exactly two things (SEED_QUOTES, ELEMENT_CREATION_QUOTE): Kling 3.0 motion control
per output second, "Starts at $0.1134/s" on seed 004's page, whose "720p and 1080p modes" make 720p
the lower-cost path, so the quote is Kling 3.0's std 720p price; and an element creation,
"$0.0139/ request(1 Credits)". They price neither pro mode, 1080p, kling-v2-6 nor wan2.2-animate:
those tiers default to the one per-second price the seeds give, and ``price_source`` says so (the
models catalogue shows it beside each tier).
"""

from __future__ import annotations

from motionctl.core.errors import InternalError
from motionctl.settings import DEFAULT_PRICES, SEED_PRICE_PER_SECOND

SEED_QUOTES: dict[tuple[str, str, str], str] = {
    ("kling-v3", "std", "720p"): 'seed 004: "Starts at $0.1134/s" (Kling 3.0 motion control, its 720p path)',
}
ELEMENT_CREATION_UNITS = 0.0139
ELEMENT_CREATION_QUOTE = 'seed 004: "Fixed price: 1 Credit per element creation", "$0.0139/ request(1 Credits)"'
UNPRICED = (f"not priced by the seeds: charged at the seeds' one per-second price (${SEED_PRICE_PER_SECOND}/s, "
            "Kling 3.0 at 720p) until MOTIONCTL_PRICES sets one")
OPERATOR_SET = "set by this service's operator (MOTIONCTL_PRICES)"


def resolution_of(mode: str, resolution: str | None) -> str:
    """The resolution a task renders at: its own, else its mode's (std 720p, pro 1080p)."""
    return (resolution or ("1080p" if mode == "pro" else "720p")).lower()


def _lookup(prices: dict[str, dict[str, float]], model: str, mode: str, resolution: str | None) -> float | None:
    row = prices.get(model, {})
    for key in (f"{mode}-{resolution_of(mode, resolution)}", mode):
        if key in row:
            return float(row[key])
    return None


def price_per_second(prices: dict[str, dict[str, float]], model: str, mode: str, resolution: str | None) -> float:
    """The table's price for the tier; a model the table leaves out keeps its default."""
    value = _lookup(prices if model in prices else DEFAULT_PRICES, model, mode, resolution)
    if value is None:
        res = resolution_of(mode, resolution)
        raise InternalError(f"prices: no price for model {model!r} mode {mode!r} resolution {res!r}")
    return value


def units_for(prices: dict[str, dict[str, float]], model: str, mode: str, resolution: str | None,
              seconds: float) -> float:
    return round(price_per_second(prices, model, mode, resolution) * max(seconds, 0.0), 4)


def price_source(prices: dict[str, dict[str, float]], model: str, mode: str, resolution: str | None) -> str:
    """Where a tier's price comes from: the seed's words, the seeds' default, or the operator."""
    if model in prices and _lookup(prices, model, mode, resolution) != _lookup(DEFAULT_PRICES, model, mode, resolution):
        return OPERATOR_SET
    return SEED_QUOTES.get((model, mode, resolution_of(mode, resolution)), UNPRICED)


def format_number(value: float, digits: int = 3) -> str:
    """The API's decimal strings: '3.5', '0', '12.333' (never '3.500' or '3.5e+00')."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def format_units(value: float) -> str:
    """Units as the API writes them: to a hundredth of a cent, as the seeds' prices ('0.1134')."""
    return format_number(value, 4)
