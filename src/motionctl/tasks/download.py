"""Fetching input URLs without becoming an SSRF proxy.

Every TCP connection (the first request and each redirect hop) goes through ``GuardedBackend``,
which resolves the host itself, refuses non-public addresses, and connects to the very address it
checked, so DNS tricks (rebinding, a public name pointing at 127.0.0.1) and redirects to internal
hosts are refused. Size and total time are capped while streaming.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import certifi
import httpcore
import httpx

from motionctl.core.errors import InvalidInput

AddressPolicy = Callable[[str], bool]  # ip -> allowed?


def public_only(ip: str) -> bool:
    """True for globally routable unicast addresses; refuses private, loopback, link-local
    (169.254.169.254 metadata), shared (100.64/10, Alibaba metadata), multicast and reserved ones."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return bool(addr.is_global) and not addr.is_multicast


def allow_all(ip: str) -> bool:
    return True


class BlockedAddress(Exception):
    def __init__(self, host: str, ip: str) -> None:
        super().__init__(f"{host} resolves to {ip}")
        self.host = host
        self.ip = ip


class GuardedBackend(httpcore.SyncBackend):
    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        last: Exception | None = None
        for _family, _type, _proto, _name, sockaddr in infos:
            ip = str(sockaddr[0])
            if not self.policy(ip):
                raise BlockedAddress(host, ip)
            try:
                return super().connect_tcp(ip, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"cannot connect to {host}")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~0.1 s of CPU: once per process, not once per download.
    return ssl.create_default_context(cafile=certifi.where())


def make_client(policy: AddressPolicy, *, timeout: float, max_redirects: int) -> httpx.Client:
    transport = httpx.HTTPTransport(verify=_ssl_context())
    # Swap in a pool whose every connection is made by the guarded backend (the redirect hops
    # reuse this transport, hence this pool).
    transport._pool = httpcore.ConnectionPool(ssl_context=_ssl_context(), network_backend=GuardedBackend(policy))
    return httpx.Client(
        transport=transport,
        follow_redirects=True,
        max_redirects=max_redirects,
        timeout=httpx.Timeout(timeout),
        trust_env=False,  # never route through an environment proxy that would bypass the checks
        headers={"User-Agent": "motionctl-fetch/1"},
    )


def _short(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "..."


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
    deadline = time.monotonic() + max_seconds
    limit_mb = max_bytes / (1024 * 1024)
    try:
        with make_client(policy, timeout=min(max_seconds, 15.0), max_redirects=max_redirects) as client:
            with client.stream("GET", url) as resp:
                if resp.status_code != 200:
                    raise InvalidInput(
                        f"{field}: could not download (got HTTP {resp.status_code} from {_short(url)})",
                        field=field,
                        rule="downloadable",
                        value=url,
                    )
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise InvalidInput(
                        f"{field}: file must be at most {limit_mb:g} MB (got {int(declared)} bytes)",
                        field=field,
                        rule="max_size",
                        value=int(declared),
                    )
                size = 0
                with open(dest, "wb") as f:
                    for chunk in resp.iter_bytes():  # as received, so the deadline is checked often
                        size += len(chunk)
                        if size > max_bytes:
                            raise InvalidInput(
                                f"{field}: file must be at most {limit_mb:g} MB (got more than {max_bytes} bytes)",  # noqa: E501
                                field=field,
                                rule="max_size",
                                value=size,
                            )
                        if time.monotonic() > deadline:
                            raise httpx.ReadTimeout("deadline")
                        f.write(chunk)
    except BlockedAddress as exc:
        dest.unlink(missing_ok=True)
        raise InvalidInput(
            f"{field}: URL must point at a public address; {exc.host} resolves to {exc.ip} (private, "
            f"loopback, link-local and metadata addresses are refused) (got {_short(url)})",
            field=field,
            rule="public_address",
            value=url,
        ) from None
    except httpx.TimeoutException:
        dest.unlink(missing_ok=True)
        raise InvalidInput(
            f"{field}: download took longer than {max_seconds:g} s (got {_short(url)})",
            field=field,
            rule="download_time",
            value=url,
        ) from None
    except httpx.TooManyRedirects:
        dest.unlink(missing_ok=True)
        raise InvalidInput(
            f"{field}: more than {max_redirects} redirects (got {_short(url)})",
            field=field,
            rule="redirects",
            value=url,
        ) from None
    except httpx.HTTPError as exc:
        dest.unlink(missing_ok=True)
        raise InvalidInput(
            f"{field}: could not download ({type(exc).__name__}: {exc}) (got {_short(url)})",
            field=field,
            rule="downloadable",
            value=url,
        ) from None
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return dest
