"""Rate limiting for public endpoints, on Django's cache (no extra dependency).

Use it as a decorator on a view:

    from patrimoine.core.ratelimit import ratelimit

    @ratelimit(rate="30/m")                          # per client IP, every method
    def ical_team(request, token, team_pk): ...

    @ratelimit(rate="5/10m", key="ip", methods=("POST",), group="open311-post")
    def open311_create(request): ...

or in a service/view body, to count something other than a request (e.g. per e-mail address):

    if not hit("portal-mail", email, rate="3/h"):
        ...refuse...

`rate` is `<count>/<period>` with the period in seconds (`s`), minutes (`m`), hours (`h`) or days
(`d`), optionally prefixed by a number (`10m`). `key` is `"ip"` (the client address, as the audit
trail sees it: `AUDIT_TRUST_X_FORWARDED_FOR` decides whether the proxy's header is believed),
`"user"` (the signed-in user, else the IP) or a callable `request -> str`. A refused request gets a
429 page in French with a `Retry-After` header.

Windows are fixed (the counter is `cache.add` then `cache.incr`, atomic on Redis and Memcached, and
per process with the default local-memory cache). Set `RATELIMIT_ENABLED=false` to switch it off;
`RATELIMIT_CACHE` names the cache to use (a shared one — Redis — in production, so that every worker
counts together).
"""

import hashlib
import re
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from django.utils.translation import gettext as _

from patrimoine.core.audit import client_ip

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/m' → (30, 60); '5/10m' → (5, 600)."""
    match = _RATE.match(rate.strip())
    if not match:
        raise ValueError(f"Invalid rate {rate!r}: expected e.g. '30/m' or '5/10m'")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


def hit(group: str, key: str, *, rate: str) -> tuple[bool, int]:
    """Count one event for (group, key); return (allowed, seconds until the window resets)."""
    limit, period = parse_rate(rate)
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        return True, 0
    now = int(time.time())
    window = now - now % period
    digest = hashlib.sha256(f"{group}\x00{key}".encode()).hexdigest()[:32]
    cache_key = f"rl:{digest}:{window}"
    cache = caches[getattr(settings, "RATELIMIT_CACHE", "default")]
    if cache.add(cache_key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=period + 1)
            count = 1
    return count <= limit, window + period - now


def _request_key(request, key) -> str:
    if callable(key):
        return str(key(request))
    if key == "user" and getattr(request, "user", None) is not None and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request)}"


def ratelimit(
    *, rate: str, key: str | Callable = "ip", methods: tuple[str, ...] | None = None, group: str | None = None
):
    """Decorate a view: more than `rate` requests per `key` gets a 429."""
    parse_rate(rate)  # fail at import time on a malformed rate

    def decorator(view):
        name = group or f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if methods is None or request.method in methods:
                allowed, retry_after = hit(name, _request_key(request, key), rate=rate)
                if not allowed:
                    response = render(
                        request,
                        "refused.html",
                        {"message": _("Trop de demandes en peu de temps. Réessayez dans quelques instants.")},
                        status=429,
                    )
                    response["Retry-After"] = str(max(retry_after, 1))
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
