"""A model's prices as the models catalogue shows them: units per output second for each (mode,
resolution) tier it can be asked for, each with where its price comes from (the seed's words, the
seeds' default for what they leave unpriced, or the operator's MOTIONCTL_PRICES), and one sentence for
the model's description naming the tiers the seeds do not price. The numbers are the ledger's own
(tasks/billing.py), so a catalogue price is what a task is charged."""

from __future__ import annotations

from typing import Any

from motionctl.settings import SEED_PRICE_PER_SECOND, Settings
from motionctl.tasks.billing import UNPRICED, price_per_second, price_source

UNIT = "units per output second (1 unit = 1 US dollar, the seeds' currency)"


def tier_prices(settings: Settings, price_model: str, tiers: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    return [
        {
            "mode": mode,
            "resolution": resolution,
            "per_second": price_per_second(settings.prices, price_model, mode, resolution),
            "source": price_source(settings.prices, price_model, mode, resolution),
        }
        for mode, resolution in tiers
    ]


def per_second(settings: Settings, price_model: str, tiers: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The catalogue's ``pricing``: ``tiers`` in full, and ``per_second`` by mode (each mode's first tier)."""
    listed = tier_prices(settings, price_model, tiers)
    by_mode: dict[str, float] = {}
    for t in listed:
        by_mode.setdefault(t["mode"], t["per_second"])
    return {"unit": UNIT, "per_second": by_mode, "tiers": listed}


def unpriced_note(pricing: dict[str, Any]) -> str:
    """The description's sentence on what the seeds do not price ("" when they price every tier)."""
    names = [f"{t['mode']} {t['resolution']}" for t in pricing.get("tiers", []) if t["source"] == UNPRICED]
    if not names:
        return ""
    return (f" Price: the seeds do not price {', '.join(names)}; charged at their one per-second price, "
            f"${SEED_PRICE_PER_SECOND}/s (Kling 3.0 at 720p, seed 004), until MOTIONCTL_PRICES sets one.")
