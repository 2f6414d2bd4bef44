"""Service settings, read from the environment (prefix ``MOTIONCTL_``) by pydantic-settings.

Every process of one deployment (API, workers) must see the same data dir / database URL; the CLI's
``--data-dir`` flags set ``MOTIONCTL_DATA_DIR`` so child processes inherit it.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Units charged per output second (1 unit = 1 US dollar), by model and tier: a mode ("std", "pro") or
# one resolution of it ("std-1080p"). The seeds give one per-second price, Kling 3.0 motion control at
# 720p (seed 004: "Starts at $0.1134/s"); every tier they leave unpriced defaults to it
# (tasks/billing.py quotes the seeds; the models catalogue says which tier is which).
SEED_PRICE_PER_SECOND = 0.1134
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    model: {"std": SEED_PRICE_PER_SECOND, "pro": SEED_PRICE_PER_SECOND}
    for model in ("kling-v2-6", "kling-v3", "wan2.2-animate")
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOTIONCTL_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = None  # default: SQLite file in data_dir
    # Base of every signed URL the service hands out (responses and callbacks); the request's Host
    # header is used instead only when trust_host_header is set.
    public_url: str = "http://127.0.0.1:8000"
    trust_host_header: bool = False
    allow_private_urls: bool = False  # dev/tests only: inputs and callbacks may point at loopback

    # Submission limits.
    max_active_tasks: int = Field(default=10, ge=1)  # submitted + processing per account, else 1303
    rate_limit_per_minute: int = Field(default=0, ge=0)  # submissions per account per minute; 0 = off
    upload_rate_per_minute: int = Field(default=30, ge=0)  # uploads per account per minute; 0 = off
    upload_quota_bytes: int = Field(default=2 * 1024**3, ge=0)  # bytes uploaded per account per 24 h; 0 = off
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
    worker_sched_idle: bool = True  # and in Linux's SCHED_IDLE class: the CPU only when the API idles
    # Analysed characters kept in <data_dir>/characters (~15 MB each at 720p), least recently used
    # dropped first; 0 keeps none (engine/character_cache.py).
    character_cache_entries: int = Field(default=32, ge=0)

    shutdown_grace_seconds: float = Field(default=10.0, gt=0)  # open requests after SIGTERM

    # Results and retention.
    url_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    retention_days: float = Field(default=30.0, gt=0)
    cleanup_interval_seconds: float = 3600.0

    # Callbacks: https only (unless callback_allow_http), public addresses only (unless
    # allow_private_urls); several sent at once, at most callback_per_account of one account.
    callback_allow_http: bool = False
    callback_max_attempts: int = Field(default=4, ge=1)  # the first try and 3 retries
    callback_concurrency: int = Field(default=8, ge=1)
    callback_per_account: int = Field(default=2, ge=1)
    callback_backoff_seconds: float = 1.0  # doubles each attempt, capped at callback_backoff_max
    callback_backoff_max: float = 300.0
    callback_timeout_seconds: float = 10.0

    # Auth: a JWT's exp may lie at most this far ahead of its iat (or of now, without iat).
    jwt_max_lifetime_seconds: int = Field(default=24 * 3600, ge=60)
    metrics_token: str = ""  # /metrics needs 'Bearer <token>'; empty: loopback clients only

    prices: dict[str, dict[str, float]] = Field(default_factory=lambda: {m: dict(t) for m, t in DEFAULT_PRICES.items()})
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

