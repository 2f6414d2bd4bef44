"""Service settings, read from the environment (prefix ``MOTIONCTL_``) by pydantic-settings.

Every process of one deployment (API, workers) must see the same data dir / database URL; the CLI's
``--data-dir`` flags set ``MOTIONCTL_DATA_DIR`` so child processes inherit it.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Units charged per output second, by model and mode (the hosted product bills per second too).
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "kling-v2-6": {"std": 0.5, "pro": 0.8},
    "kling-v3": {"std": 0.6, "pro": 1.0},
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOTIONCTL_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = None  # default: SQLite file in data_dir
    public_url: str = "http://127.0.0.1:8000"  # base of URLs in callbacks (no request to copy it from)
    allow_private_urls: bool = False  # dev/tests only: inputs and callbacks may point at loopback

    # Submission limits.
    max_active_tasks: int = Field(default=10, ge=1)  # submitted + processing per account, else 1303
    rate_limit_per_minute: int = Field(default=0, ge=0)  # submissions per account per minute; 0 = off
    intake_processes: int = Field(default=2, ge=0)  # processes validating inputs; 0: in the API process
    intake_nice: int = Field(default=5, ge=0, le=19)  # their CPU priority below the API's (polls first)
    download_max_seconds: float = 60.0
    download_max_redirects: int = 5

    # Workers.
    lease_seconds: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)  # claims of one task (crashes, retries) before failing
    poll_seconds: float = Field(default=0.5, gt=0)
    # Workers run at a lower CPU priority than the API, so polls stay fast while the engine renders.
    worker_nice: int = Field(default=10, ge=0, le=19)
    # Analysed characters kept in <data_dir>/characters (~15 MB each at 720p), least recently used
    # dropped first; 0 keeps none (engine/character_cache.py).
    character_cache_entries: int = Field(default=32, ge=0)

    # Results and retention.
    url_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    retention_days: float = Field(default=30.0, gt=0)
    cleanup_interval_seconds: float = 3600.0

    # Callbacks.
    callback_max_attempts: int = Field(default=8, ge=1)
    callback_backoff_seconds: float = 1.0  # doubles each attempt, capped at callback_backoff_max
    callback_backoff_max: float = 300.0
    callback_timeout_seconds: float = 10.0

    prices: dict[str, dict[str, float]] = Field(default_factory=lambda: dict(DEFAULT_PRICES))
    # Refuse submissions the account's units cannot cover (1101 in arrears, 1102 depleted). Off by
    # default: a self-hosted install is unlimited and the ledger only records what was used.
    require_units: bool = False
    # Seed 003: the character must cover more than this share of the image (0: not checked).
    min_character_coverage: float = Field(default=0.05, ge=0.0, lt=1.0)

    # Sync and server-sent-event modes of the create endpoints.
    sync_wait_max_seconds: float = Field(default=600.0, gt=0)  # `Prefer: wait` blocks at most this long
    sse_keepalive_seconds: float = Field(default=15.0, gt=0)  # a comment line when nothing happened
    sse_poll_seconds: float = Field(default=0.25, gt=0)  # how often a stream looks for new events
    log_json: bool = True

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'motionctl.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def get_settings() -> Settings:
    return Settings()
