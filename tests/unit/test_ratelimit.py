"""The limiter's leased counting: workers sharing one counter claim several events at once."""

from __future__ import annotations

import random
import time

import pytest
from limits.storage import MemoryStorage

from app.web.security.ratelimit import Limit, Limiter

SAVES = Limit("api_writes", 25, 60)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The time, moved on only by the test (the memory storage reads ``time.time``)."""
    clock = Clock()
    monkeypatch.setattr(time, "time", clock)
    return clock


def workers(n: int, clock: Clock) -> list[Limiter]:
    """``n`` workers sharing one store, as gunicorn workers share Redis."""
    store = MemoryStorage()
    return [Limiter(store, clock=clock) for _ in range(n)]


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize(("n", "lease"), [(1, 1), (1, 10), (3, 10), (5, 4), (8, 10)])
def test_leased_workers_together_allow_exactly_the_limit(seed, n, lease, clock):
    """However the saves fall on the workers, once each of them has been refused the count
    let through is the limit: no more (the last claim gets only what is left), no less (a
    worker is refused only when it holds nothing and nothing is left to claim)."""
    pool = workers(n, clock)
    rng = random.Random(seed)
    allowed, refused = 0, set()
    while len(refused) < n:
        i = rng.randrange(n)
        if pool[i].hit(SAVES, "student 7", lease=lease) is None:
            allowed += 1
        else:
            refused.add(i)
    assert allowed == SAVES.count


def test_a_lease_ends_with_its_window_and_a_new_window_starts_afresh(clock):
    [worker] = workers(1, clock)
    for _ in range(SAVES.count):
        assert worker.hit(SAVES, "s", lease=10) is None
    wait = worker.hit(SAVES, "s", lease=10)
    assert wait is not None
    assert 1 <= wait <= 60
    clock.now += 61
    assert worker.hit(SAVES, "s", lease=10) is None


def test_a_leased_event_makes_no_round_trip_to_the_store(clock):
    store = MemoryStorage()
    calls = []
    real = store.incr

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    store.incr = counted
    worker = Limiter(store, clock=clock)
    for _ in range(20):
        assert worker.hit(SAVES, "s", lease=10) is None
    assert len(calls) == 2


def test_unused_claims_of_other_workers_stop_a_student_at_most_lease_minus_one_each_early(
    clock,
):
    pool = workers(3, clock)
    pool[0].hit(SAVES, "s", lease=10)  # claims 10, uses 1
    pool[1].hit(SAVES, "s", lease=10)  # claims 10, uses 1
    allowed = 0
    while pool[2].hit(SAVES, "s", lease=10) is None:
        allowed += 1
    assert allowed == SAVES.count - 20  # the 5 claimed by no one else, and no more
    assert allowed + 2 >= SAVES.count - 2 * (10 - 1)


def test_later_claims_in_a_window_read_its_end_without_another_round_trip(clock):
    store = MemoryStorage()
    asked = []
    real = store.get_expiry
    store.get_expiry = lambda key: asked.append(key) or real(key)
    first, second = Limiter(store, clock=clock), Limiter(store, clock=clock)
    assert first.hit(SAVES, "s", lease=5) is None  # opens the window: its end is known
    clock.now += 30
    assert second.hit(SAVES, "s", lease=5) is None  # claims in a window it didn't open
    assert len(asked) == 1
    for _ in range(4 + 5):  # each spends its lease, then claims again
        assert first.hit(SAVES, "s", lease=5) is None
    assert len(asked) == 1  # the first worker's window still open: its end is known
    clock.now += 31  # the window has ended, and what the second worker still holds with it
    assert second.hit(SAVES, "s", lease=5) is None  # a new window, claimed afresh
    assert store.get("api_writes:s") == 5


def test_adding_several_events_at_once_refuses_only_past_the_limit(clock):
    [limiter] = workers(1, clock)
    limit = Limit("roster_taken", 5, 60)
    assert limiter.add(limit, "t", 3) is None
    assert limiter.add(limit, "t", 2) is None  # exactly the limit
    assert limiter.over(limit, "t") is not None
    assert limiter.count(limit, "t") == 5
    wait = limiter.add(limit, "t", 1)
    assert wait is not None
    assert 1 <= wait <= 60
    assert limiter.add(limit, "other", 5) is None  # counted per key
    clock.now += 61
    assert limiter.add(limit, "t", 5) is None  # a new window
