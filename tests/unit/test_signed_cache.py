"""SignedValueCache: a value seen before gives what verifying it again would, without the
signature being checked again; anything else goes through the serializer."""

from __future__ import annotations

import time

import pytest
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.web.security.signed import SignedValueCache

KEY = "secret"


@pytest.fixture
def clock(monkeypatch):
    """``clock(s)`` sets the time ``s`` seconds after the test began, for the cache and for
    itsdangerous alike (both read ``time.time``)."""
    start = float(int(time.time()))  # a whole second, as values are signed

    def move(seconds: float) -> None:
        monkeypatch.setattr(time, "time", lambda: start + seconds)

    move(0)
    return move


class Serializers:
    """Makes the serializer for a secret, counting every signature it verifies."""

    def __init__(self) -> None:
        self.verified: list[str] = []

    def __call__(self, secret: str = KEY):
        serializers = self

        class Counted(URLSafeTimedSerializer):
            def loads(self, s, *args, **kwargs):
                serializers.verified.append(s)
                return super().loads(s, *args, **kwargs)

        return lambda: Counted(secret, salt="test")


def sign(value, secret: str = KEY) -> str:
    return URLSafeTimedSerializer(secret, salt="test").dumps(value)


def test_a_value_seen_before_is_not_verified_again(clock):
    cache, make = SignedValueCache(), Serializers()
    token = sign({"user": "1.0"})
    for _ in range(3):
        assert cache.loads(token, "secret", 60, make()) == {"user": "1.0"}
    assert make.verified == [token]


def test_a_tampered_value_is_refused_after_the_genuine_one_was_seen(clock):
    cache, make = SignedValueCache(), Serializers()
    token = sign("abc")
    assert cache.loads(token, "secret", 60, make()) == "abc"
    i = len(token) // 3
    for forged in (token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :], token + "x"):
        with pytest.raises(BadSignature):
            cache.loads(forged, "secret", 60, make())
    assert forged not in cache
    assert cache.loads(token, "secret", 60, make()) == "abc"


def test_a_value_seen_under_one_secret_is_verified_again_under_another(clock):
    cache, make = SignedValueCache(), Serializers()
    token = sign("abc")
    cache.loads(token, "secret", 60, make())
    with pytest.raises(BadSignature):
        cache.loads(token, "another secret", 60, make("another secret"))
    assert make.verified == [token, token]


def test_a_kept_value_expires_at_the_age_itsdangerous_would_refuse(clock):
    cache, make = SignedValueCache(), Serializers()
    token = sign("abc")
    cache.loads(token, "secret", 60, make())
    clock(60.9)  # 60 whole seconds: still good
    assert cache.loads(token, "secret", 60, make()) == "abc"
    clock(61.9)
    with pytest.raises(SignatureExpired):
        cache.loads(token, "secret", 60, make())
    with pytest.raises(SignatureExpired):  # and as itsdangerous itself says
        make()().loads(token, max_age=60)
    assert cache.loads(token, "secret", None, make()) == "abc"  # no limit: never expires
    assert make.verified == [token, token]  # only the first and the check above


def test_a_kept_value_signed_in_the_future_is_refused(clock):
    cache, make = SignedValueCache(), Serializers()
    token = sign("abc")
    cache.loads(token, "secret", 60, make())
    clock(-5)  # the clock set back
    with pytest.raises(SignatureExpired):
        cache.loads(token, "secret", 60, make())


def test_values_not_to_keep_are_verified_every_time(clock):
    cache, make = SignedValueCache(), Serializers()
    token = sign(["a list"])
    for _ in range(2):
        assert cache.loads(token, "secret", 60, make(), keep=lambda v: False) == ["a list"]
    assert make.verified == [token, token]
    assert token not in cache


def test_at_most_max_entries_are_kept_and_the_oldest_goes_first(clock):
    cache, make = SignedValueCache(max_entries=2), Serializers()
    first, second, third = (sign(n) for n in (1, 2, 3))
    for token in (first, second, third):
        cache.loads(token, "secret", 60, make())
    assert len(cache) == 2
    assert first not in cache
    assert second in cache
    assert third in cache
    assert cache.loads(first, "secret", 60, make()) == 1  # verified again
    assert make.verified == [first, second, third, first]
