"""Fetching input URLs through the guarded transport (guard.py): size and total time capped while
streaming, every refusal an InvalidInput naming the field, the rule and the URL, and nothing left
on disk when a download fails."""

from __future__ import annotations

from pathlib import Path

import httpx

from motionctl.core.errors import InvalidInput
from motionctl.tasks.guard import (
    AddressPolicy,
    BlockedAddress,
    allow_all,
    make_client,
    parse_url,
    public_only,
    short,
)

__all__ = ["AddressPolicy", "BlockedAddress", "allow_all", "fetch", "make_client", "public_only"]

# Each read may wait this long; the whole download is capped by max_seconds.
READ_TIMEOUT_S = 15.0


def _refusal(field: str, url: str, rule: str, what: str, value: object = None) -> InvalidInput:
    return InvalidInput(f"{field}: {what} (got {short(url)})", field=field, rule=rule, value=value or url)


def _check_response(resp: httpx.Response, url: str, field: str, max_bytes: int) -> None:
    if resp.status_code != 200:
        raise _refusal(field, url, "downloadable", f"could not download (HTTP {resp.status_code})")
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _refusal(
            field, url, "max_size", f"file must be at most {max_bytes / 2**20:g} MB ({declared} bytes)", int(declared)
        )


def _stream_to(resp: httpx.Response, dest: Path, url: str, field: str, max_bytes: int) -> None:
    size = 0
    with open(dest, "wb") as f:
        for chunk in resp.iter_bytes():  # as received, so the transport's deadline is checked often
            size += len(chunk)
            if size > max_bytes:
                what = f"file must be at most {max_bytes / 2**20:g} MB (more than {max_bytes} bytes)"
                raise _refusal(field, url, "max_size", what, size)
            f.write(chunk)


def _explain(exc: Exception, url: str, field: str, max_seconds: float, max_redirects: int) -> InvalidInput:
    """The client's view of a failed download."""
    if isinstance(exc, BlockedAddress):
        return _refusal(
            field, url, "public_address",
            f"URL must point at a public address; {exc.host} resolves to {exc.ip} (private, loopback, "
            "link-local and metadata addresses are refused)",
        )  # fmt: skip
    if isinstance(exc, httpx.TimeoutException):
        return _refusal(field, url, "download_time", f"download took longer than {max_seconds:g} s")
    if isinstance(exc, httpx.TooManyRedirects):
        return _refusal(field, url, "redirects", f"more than {max_redirects} redirects")
    return _refusal(field, url, "downloadable", f"could not download ({type(exc).__name__}: {exc})")


def fetch(
    url: str,
    dest: Path,
    *,
    field: str,
    max_bytes: int,
    max_seconds: float,
    policy: AddressPolicy,
    max_redirects: int = 5,
) -> Path:
    """Download ``url`` into ``dest``; InvalidInput naming ``field`` on any refusal or failure."""
    parse_url(url, field)
    client = make_client(
        policy, timeout=min(max_seconds, READ_TIMEOUT_S), max_redirects=max_redirects, deadline_s=max_seconds
    )
    try:
        with client, client.stream("GET", url) as resp:
            _check_response(resp, url, field, max_bytes)
            _stream_to(resp, dest, url, field, max_bytes)
    except InvalidInput:
        dest.unlink(missing_ok=True)
        raise
    except (BlockedAddress, httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        # ValueError: a host name the resolver cannot encode (empty labels, bad punycode).
        dest.unlink(missing_ok=True)
        raise _explain(exc, url, field, max_seconds, max_redirects) from None
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return dest
