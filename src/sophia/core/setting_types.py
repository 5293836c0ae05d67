"""The checked kinds of setting values: a URL of the right scheme, a crontab line, a time
zone... Each is a type `Settings` fields are declared with, so a bad value fails at start
with a message that names the variable (see `core.config.load_settings`)."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator

__all__ = [
    "Crontab",
    "HttpURL",
    "IPNetworks",
    "PinnedInstant",
    "RedisURL",
    "Regexes",
    "TimeZoneName",
    "comma_items",
]


def comma_items(value: str) -> list[str]:
    """The non-empty items of a comma-separated setting."""
    return [item.strip() for item in value.split(",") if item.strip()]


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"must start with http:// or https://, got {value!r}")
    return value


def _redis_url(value: str) -> str:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        # Not the value itself: a Redis URL may carry a password.
        raise ValueError("must start with redis://, rediss:// or unix://")
    return value


def _networks(value: str) -> str:
    for item in comma_items(value):
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or CIDR range") from None
    return value


def _crontab(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"not a crontab line ({exc}): {value!r}") from None
    return value


def _patterns(value: list[str]) -> list[str]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
    return value


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def _empty_is_unset(value: object) -> object:
    # `SOPHIA_NOW=` in an env file means "not pinned", as for the secrets.
    return None if value == "" else value


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"needs a time zone (e.g. Z or +00:00): {value.isoformat()}")
    return value


HttpURL = Annotated[str, AfterValidator(_http_url)]
RedisURL = Annotated[str, AfterValidator(_redis_url)]
# Comma-separated IP addresses or CIDR ranges.
IPNetworks = Annotated[str, AfterValidator(_networks)]
Crontab = Annotated[str, AfterValidator(_crontab)]
Regexes = Annotated[list[str], AfterValidator(_patterns)]
TimeZoneName = Annotated[str, AfterValidator(_known_zone)]
# An instant with a zone, or unset (an empty value too).
PinnedInstant = Annotated[datetime | None, BeforeValidator(_empty_is_unset), AfterValidator(_aware)]
