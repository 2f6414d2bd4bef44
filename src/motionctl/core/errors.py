"""The one error tree of motionctl.

Every error carries a stable business ``code`` (Kling's codes), the ``http_status`` the API answers
with, and a message that names the field, the rule and the actual value.

    MotionctlError                      5000 / 500
    ├── AuthError                       1000-1004 / 401
    ├── AccountError                    1100-1103 / 429 (1103: 403)
    ├── InvalidInput                    1200-1201 / 400   bad parameter or media (CLI exit 2)
    │   ├── MediaRejected               1201 / 400        file breaks a documented media limit
    │   ├── ContentRejected             1201 / 400        no person found, not enough usable motion
    │   └── TooLarge                    1201 / 413        a request body over its endpoint's limit
    ├── MethodNotAllowed                1202 / 404
    ├── NotFound                        1203 / 404
    ├── PolicyError                     1300-1301 / 400
    ├── RateLimited                     1302 / 429
    ├── ConcurrencyLimited              1303 / 429
    ├── InternalError                   5000 / 500        (CLI exit 1)
    ├── Unavailable                     5001 / 503
    └── ServerTimeout                   5002 / 504
"""

from __future__ import annotations

from typing import Any


class MotionctlError(Exception):
    code: int = 5000
    http_status: int = 500

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        value: Any = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule
        self.value = value
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields would be lost by Exception's default pickling (engine child processes).
        return (_restore, (type(self), self.message, dict(self.__dict__)))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        if self.rule is not None:
            out["rule"] = self.rule
        return out


def _restore(cls: type[MotionctlError], message: str, state: dict[str, Any]) -> MotionctlError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


def rule_violation(
    cls: type[MotionctlError], field: str, rule: str, value: Any, *, detail: str = ""
) -> MotionctlError:
    """Build an error whose message reads ``field: rule (got value)``."""
    message = f"{field}: {rule} (got {value})"
    if detail:
        message += f"; {detail}"
    return cls(message, field=field, rule=rule, value=value)


class AuthError(MotionctlError):
    """1000 failed, 1001 empty, 1002 invalid, 1003 not yet valid, 1004 expired."""

    code = 1000
    http_status = 401


class AccountError(MotionctlError):
    """1100 account exception, 1101 arrears, 1102 resource pack depleted, 1103 no access."""

    code = 1100
    http_status = 429

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        if self.code == 1103:
            self.http_status = 403


class InvalidInput(MotionctlError):
    code = 1201
    http_status = 400


class MediaRejected(InvalidInput):
    """A media file breaks a documented limit, is corrupt, or lies about its format."""


class ContentRejected(InvalidInput):
    """The media is valid but its content cannot be used: no person, too little usable motion."""


class TooLarge(InvalidInput):
    """A request body larger than its endpoint accepts (refused while it streams in)."""

    http_status = 413


class MethodNotAllowed(MotionctlError):
    code = 1202
    http_status = 404


class NotFound(MotionctlError):
    code = 1203
    http_status = 404


class PolicyError(MotionctlError):
    code = 1300
    http_status = 400


class RateLimited(MotionctlError):
    code = 1302
    http_status = 429

    def __init__(self, message: str, *, retry_after: float = 5.0, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after  # seconds, for the Retry-After header


class ConcurrencyLimited(MotionctlError):
    code = 1303
    http_status = 429


class InternalError(MotionctlError):
    code = 5000
    http_status = 500


class Unavailable(MotionctlError):
    code = 5001
    http_status = 503


class ServerTimeout(MotionctlError):
    code = 5002
    http_status = 504
