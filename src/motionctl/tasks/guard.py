"""Outgoing HTTP without becoming an SSRF proxy: the address policy, URL checks, and the httpx
transport every input download and callback goes through.

``GuardedTransport`` owns its connection pool, whose every TCP connection (the first request and
each redirect hop) is made by ``GuardedBackend``: it resolves the host itself, refuses non-public
addresses, and connects to the very address it checked, so DNS tricks (rebinding, a public name
pointing at 127.0.0.1) and redirects to internal hosts are refused. The transport also caps each
request's total time (``deadline_s``), which httpx's per-operation timeouts do not: a sender that
trickles a byte every few seconds is cut off all the same.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import certifi
import httpcore
import httpx

from motionctl.core.errors import InvalidInput, rule_violation

AddressPolicy = Callable[[str], bool]  # ip -> allowed?
MAX_URL_CHARS = 2048


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


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to; httpcore.ConnectError when it does not resolve (or is
    not a valid host name at all)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    return [str(sockaddr[0]) for _f, _t, _p, _n, sockaddr in infos]


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
        last: Exception | None = None
        for ip in resolve(host, port):
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


_HTTPCORE_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's errors as httpx's (most specific first), as httpx's own transport does."""
    try:
        yield
    except Exception as exc:
        for theirs, ours in _HTTPCORE_ERRORS:
            if isinstance(exc, theirs):
                raise ours(str(exc)) from exc
        raise


class _DeadlineStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes], deadline: float | None) -> None:
        self._stream = stream
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            for part in self._stream:
                if self._deadline is not None and time.monotonic() > self._deadline:
                    raise httpx.ReadTimeout("the response took longer than its deadline")
                yield part

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport whose connections obey ``policy`` and whose requests end by ``deadline_s``."""

    def __init__(self, policy: AddressPolicy, *, deadline_s: float | None = None) -> None:
        self.deadline_s = deadline_s
        self._pool = httpcore.ConnectionPool(ssl_context=_ssl_context(), network_backend=GuardedBackend(policy))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.deadline_s if self.deadline_s is not None else None
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            resp = self._pool.handle_request(req)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_DeadlineStream(resp.stream, deadline),  # type: ignore[arg-type]
            extensions=resp.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def make_client(
    policy: AddressPolicy, *, timeout: float, max_redirects: int, deadline_s: float | None = None
) -> httpx.Client:
    return httpx.Client(
        transport=GuardedTransport(policy, deadline_s=deadline_s),
        follow_redirects=max_redirects > 0,
        max_redirects=max_redirects,
        timeout=httpx.Timeout(timeout),
        trust_env=False,  # never route through an environment proxy that would bypass the checks
        headers={"User-Agent": "motionctl-fetch/1"},
    )


def short(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "..."


def parse_url(url: str, field: str, *, schemes: tuple[str, ...] = ("http", "https")) -> httpx.URL:
    """``url`` parsed, or InvalidInput naming ``field`` and the rule it breaks (length, syntax,
    scheme, host)."""
    if len(url) > MAX_URL_CHARS:
        raise rule_violation(InvalidInput, field, f"a URL of at most {MAX_URL_CHARS} characters", f"{len(url)}")
    try:
        parsed = httpx.URL(url)
        host = parsed.host
        parsed.raw_host.decode("ascii")
    except (httpx.InvalidURL, ValueError) as exc:
        raise rule_violation(InvalidInput, field, "a well-formed URL", f"{short(url)!r}: {exc}") from None
    if parsed.scheme not in schemes:
        wanted = " or ".join(f"{s}://" for s in schemes)
        raise rule_violation(InvalidInput, field, f"a URL starting with {wanted}", short(url))
    if not host:
        raise rule_violation(InvalidInput, field, "a URL with a host name", short(url))
    return parsed


def check_callback_url(url: str, *, allow_http: bool, policy: AddressPolicy) -> None:
    """Refuse at submit a callback URL that could never be delivered: malformed, too long, plain
    http (unless allowed), or a host resolving to a loopback/private/link-local address (unless the
    policy allows it). The same checks run again at each delivery (DNS can change)."""
    field = "callback_url"
    parsed = parse_url(url, field, schemes=("http", "https") if allow_http else ("https",))
    try:
        addresses = resolve(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
    except httpcore.ConnectError:
        raise rule_violation(InvalidInput, field, "a host name that resolves", short(url)) from None
    for ip in addresses:
        if not policy(ip):
            raise rule_violation(
                InvalidInput, field, "a public address (loopback, private and link-local ones are refused)",
                f"{short(url)}, which resolves to {ip}",
            )  # fmt: skip
