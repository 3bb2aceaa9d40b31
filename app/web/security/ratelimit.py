"""Rate limits: fixed-window counters in a ``limits`` storage (Flask-Limiter's engine), in
Redis when ``REDIS_URL`` is set (shared by every gunicorn worker on every host) and in this
process's memory otherwise (one worker, tests).

A limit is a number of events per window of seconds for a key (e.g. failed logins for one
username from one address). ``hit`` counts an event; ``over`` tells, without counting, whether
the key has used up its window and how many seconds are left (for ``Retry-After``); ``reset``
forgets the key. Counting is the storage's ``incr`` (what ``FixedWindowRateLimiter.hit`` does),
one round trip to Redis, plus one to read the time left when a request is refused.

A limit checked on every request of a hot path (saves) can be *leased*: a worker claims
``lease`` events at once from the shared counter and spends them without asking Redis again,
so nine saves in ten make no round trip. The total allowed stays the limit: a worker that
claims the last events gets only what is left (so the lease reads the count ``incr`` returns:
``FixedWindowRateLimiter.hit(cost=lease)`` would refuse the whole claim and waste the rest).
What a worker claimed and did not use is lost with the window, so a student spread over
several workers may be stopped up to ``lease - 1`` events per worker early.

Redis being unreachable must not lock a whole school out: the limiter then allows the request
and logs the problem once a minute (fail open), since the limits guard against guessing, and
passwords and join codes still need to be right.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def storage(redis_url: str | None, prefix: str = "rl") -> Storage:
    """Redis at ``redis_url`` (keys ``<prefix>:<limit>:<who>``, half a second to answer), or
    this process's memory."""
    if not redis_url:
        return MemoryStorage(wrap_exceptions=True)
    return RedisStorage(
        redis_url,
        key_prefix=prefix,
        wrap_exceptions=True,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
    )


class Limiter:
    def __init__(self, store: Storage, clock=time.monotonic) -> None:
        self.store = store
        self.clock = clock  # for leases only: the storage keeps its own time
        self._last_complaint = 0.0
        self._leased: dict[str, tuple[int, float]] = {}  # key -> (events left, window ends)
        self._lock = threading.Lock()

    def hit(self, limit: Limit, ident: str, lease: int = 1) -> float | None:
        """Count one event; the seconds to wait if that went over the limit, else None.
        With ``lease`` > 1, events are claimed that many at a time (see the module's
        docstring)."""
        key = f"{limit.name}:{ident}"
        if lease > 1 and self._spend_leased(key):
            return None
        claim = max(lease, 1)
        try:
            count = self.store.incr(key, limit.seconds, amount=claim)
            granted = min(claim, limit.count - (count - claim))
            if granted <= 0:
                return max(self._seconds_left(key), 1.0)
            if granted > 1:
                self._keep_leased(key, granted - 1, self._window_end(key, count == claim, limit))
        except StorageError as e:  # fail open: see the module's docstring
            self._complain(e)
        return None

    def add(self, limit: Limit, ident: str, events: int) -> float | None:
        """Count ``events`` events at once (one round trip); the seconds to wait if that went
        over the limit, else None."""
        key = f"{limit.name}:{ident}"
        try:
            if self.store.incr(key, limit.seconds, amount=events) > limit.count:
                return max(self._seconds_left(key), 1.0)
        except StorageError as e:  # fail open: see the module's docstring
            self._complain(e)
        return None

    def over(self, limit: Limit, ident: str) -> float | None:
        """The seconds to wait if ``ident`` has used up its window, else None (counts nothing)."""
        key = f"{limit.name}:{ident}"
        try:
            if self.store.get(key) < limit.count:
                return None
            return max(self._seconds_left(key), 1.0)
        except StorageError as e:
            self._complain(e)
            return None

    def count(self, limit: Limit, ident: str) -> int:
        """The events counted for ``ident`` in its window (0 if the store can't be asked)."""
        try:
            return int(self.store.get(f"{limit.name}:{ident}"))
        except StorageError as e:
            self._complain(e)
            return 0

    def reset(self, limit: Limit, ident: str) -> None:
        try:
            self.store.clear(f"{limit.name}:{ident}")
        except StorageError as e:
            self._complain(e)

    def _seconds_left(self, key: str) -> float:
        return self.store.get_expiry(key) - time.time()

    def _spend_leased(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            left, ends = self._leased.get(key, (0, 0.0))
            if left <= 0 or ends <= now:
                return False
            self._leased[key] = (left - 1, ends)
            return True

    def _window_end(self, key: str, opened: bool, limit: Limit) -> float:
        """When the window a lease was claimed in ends, on ``self.clock``: known without a
        round trip if this claim opened it, or if this worker's last lease on the key was
        claimed in it (its window has not ended: the count could not have started again)."""
        now = self.clock()
        if opened:
            return now + limit.seconds
        with self._lock:
            _, ends = self._leased.get(key, (0, 0.0))
        return ends if ends > now else now + self._seconds_left(key)

    def _keep_leased(self, key: str, events: int, ends: float) -> None:
        now = self.clock()
        with self._lock:
            self._leased[key] = (events, ends)
            if len(self._leased) > 10_000:
                for k in [k for k, (_, ends) in self._leased.items() if ends <= now]:
                    del self._leased[k]

    def _complain(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_complaint > 60:
            self._last_complaint = now
            log.error("rate-limit store unreachable (%s): requests are allowed meanwhile", error)


def in_words(seconds: float) -> str:
    """ "about 3 minutes", "about 40 seconds", "about 8 hours": how long, for a person."""
    seconds = int(seconds + 0.999)
    if seconds < 60:
        return f"about {seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    if minutes < 120:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    return f"about {(minutes + 59) // 60} hours"
