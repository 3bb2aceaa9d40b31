"""Rate limits: fixed-window counters, kept in Redis when ``REDIS_URL`` is set (shared by every
gunicorn worker on every host) and in this process's memory otherwise (one worker, tests).

A limit is a number of events per window of seconds for a key (e.g. failed logins for one
username from one address). ``hit`` counts an event; ``over`` tells, without counting, whether
the key has used up its window and how many seconds are left (for ``Retry-After``).

A limit checked on every request of a hot path (saves) can be *leased*: a worker claims
``lease`` events at once from the shared counter and spends them without asking Redis again,
so nine saves in ten make no round trip. The total allowed stays the limit (a worker that
claims the last events gets only what is left); what a worker claimed and did not use is
lost with the window, so a student spread over several workers may be stopped up to
``lease - 1`` events per worker early.

Redis being unreachable must not lock a whole school out: the limiter then allows the request
and logs the problem once a minute (fail open), since the limits guard against guessing, and
passwords and join codes still need to be right.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """The counters can't be reached (Redis down or slow)."""


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


class MemoryStore:
    """Counters in a dict, for one process."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, seconds: int, by: int = 1) -> tuple[int, float]:
        """Add ``by`` to ``key``'s count in its window; returns (count, seconds left)."""
        now = self.clock()
        with self._lock:
            count, ends = self._counts.get(key, (0, 0.0))
            if ends <= now:
                count, ends = 0, now + seconds
            self._counts[key] = (count + by, ends)
            if len(self._counts) > 100_000:
                self._forget_expired(now)
            return count + by, ends - now

    def get(self, key: str) -> tuple[int, float]:
        now = self.clock()
        with self._lock:
            count, ends = self._counts.get(key, (0, 0.0))
        return (count, ends - now) if ends > now else (0, 0.0)

    def delete(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)

    def _forget_expired(self, now: float) -> None:
        for key in [k for k, (_, ends) in self._counts.items() if ends <= now]:
            del self._counts[key]


class RedisStore:
    """Counters in Redis: INCRBY, and EXPIRE when the key is new, in one round trip."""

    def __init__(self, url: str) -> None:
        import redis

        self.errors = (redis.RedisError, OSError)
        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def _run(self, *commands: tuple) -> list:
        pipe = self.redis.pipeline()
        for name, *args in commands:
            getattr(pipe, name)(*args)
        try:
            return pipe.execute()
        except self.errors as e:
            raise StoreUnavailable(str(e)) from e

    def incr(self, key: str, seconds: int, by: int = 1) -> tuple[int, float]:
        count, _, ttl = self._run(
            ("incrby", key, by), ("expire", key, seconds, True), ("pttl", key)
        )
        return int(count), max(ttl, 0) / 1000

    def get(self, key: str) -> tuple[int, float]:
        count, ttl = self._run(("get", key), ("pttl", key))
        return (int(count), max(ttl, 0) / 1000) if count is not None else (0, 0.0)

    def delete(self, key: str) -> None:
        self._run(("delete", key))


class Limiter:
    def __init__(self, store, prefix: str = "rl", clock=time.monotonic) -> None:
        self.store = store
        self.prefix = prefix
        self.clock = clock
        self._last_complaint = 0.0
        self._leased: dict[str, tuple[int, float]] = {}  # key -> (events left, window ends)
        self._lock = threading.Lock()

    def _key(self, limit: Limit, ident: str) -> str:
        return f"{self.prefix}:{limit.name}:{ident}"

    def hit(self, limit: Limit, ident: str, lease: int = 1) -> float | None:
        """Count one event; the seconds to wait if that went over the limit, else None.
        With ``lease`` > 1, events are claimed that many at a time (see the module's
        docstring)."""
        key = self._key(limit, ident)
        if lease > 1 and self._spend_leased(key):
            return None
        try:
            count, left = self.store.incr(key, limit.seconds, by=max(lease, 1))
        except StoreUnavailable as e:  # fail open: see the module's docstring
            self._complain(e)
            return None
        granted = min(max(lease, 1), limit.count - (count - max(lease, 1)))
        if granted <= 0:
            return max(left, 1.0)
        if granted > 1:
            self._keep_leased(key, granted - 1, left)
        return None

    def _spend_leased(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            left, ends = self._leased.get(key, (0, 0.0))
            if left <= 0 or ends <= now:
                return False
            self._leased[key] = (left - 1, ends)
            return True

    def _keep_leased(self, key: str, events: int, seconds_left: float) -> None:
        now = self.clock()
        with self._lock:
            self._leased[key] = (events, now + seconds_left)
            if len(self._leased) > 10_000:
                for k in [k for k, (_, ends) in self._leased.items() if ends <= now]:
                    del self._leased[k]

    def over(self, limit: Limit, ident: str) -> float | None:
        """The seconds to wait if ``ident`` has used up its window, else None (counts nothing)."""
        try:
            count, left = self.store.get(self._key(limit, ident))
        except StoreUnavailable as e:
            self._complain(e)
            return None
        return max(left, 1.0) if count >= limit.count else None

    def reset(self, limit: Limit, ident: str) -> None:
        try:
            self.store.delete(self._key(limit, ident))
        except StoreUnavailable as e:
            self._complain(e)

    def _complain(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_complaint > 60:
            self._last_complaint = now
            log.error("rate-limit store unreachable (%s): requests are allowed meanwhile", error)


def in_words(seconds: float) -> str:
    """ "about 3 minutes", "about 40 seconds": how long to wait, for a person."""
    seconds = int(seconds + 0.999)
    if seconds < 60:
        return f"about {seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"
