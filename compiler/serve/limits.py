"""Throttling and quotas as API Gateway applies them: token buckets (a steady rate refilling a
bucket of `burst` tokens, one token per request) and per-key quotas per calendar period.

Time comes from a clock object so tests can advance it instead of sleeping.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Optional

from ..model import Quota, Throttling


class Clock:
    """Real time: `monotonic()` for buckets and latencies, `time()` (epoch seconds) for quota periods
    and timestamps."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()


class FakeClock(Clock):
    """A clock that moves only when told to (`advance`), for deterministic tests."""

    def __init__(self, start: float = 1_764_371_940.0):
        self._lock = threading.Lock()
        self._offset = 0.0
        self._start = start

    def monotonic(self) -> float:
        with self._lock:
            return 10_000.0 + self._offset

    def time(self) -> float:
        with self._lock:
            return self._start + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


class TokenBucket:
    """`burst` tokens, refilled at `rate` per second; full at first."""

    def __init__(self, throttling: Throttling, clock: Clock):
        self.rate = float(throttling.rate_limit)
        self.burst = float(throttling.burst_limit)
        self._clock = clock
        self._tokens = self.burst
        self._last = clock.monotonic()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


def period_of(period: str, epoch_s: float) -> tuple:
    """The quota window holding `epoch_s`: the UTC day, ISO week or month."""
    moment = datetime.fromtimestamp(epoch_s, timezone.utc)
    if period == "DAY":
        return (moment.year, moment.month, moment.day)
    if period == "WEEK":
        year, week, _ = moment.isocalendar()
        return (year, week)
    return (moment.year, moment.month)


class QuotaCounter:
    """Requests left for one API key in the current period."""

    def __init__(self, quota: Quota, clock: Clock):
        self.quota = quota
        self._clock = clock
        self._window: Optional[tuple] = None
        self._used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            window = period_of(self.quota.period, self._clock.time())
            if window != self._window:
                self._window, self._used = window, 0
            if self._used >= self.quota.limit:
                return False
            self._used += 1
            return True


class Limits:
    """Every bucket and counter of one running API, created on first use."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._buckets: dict[tuple, TokenBucket] = {}
        self._quotas: dict[str, QuotaCounter] = {}
        self._lock = threading.Lock()

    def bucket(self, key: tuple, throttling: Throttling) -> TokenBucket:
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                found = self._buckets[key] = TokenBucket(throttling, self.clock)
            return found

    def quota(self, api_key: str, quota: Quota) -> QuotaCounter:
        with self._lock:
            found = self._quotas.get(api_key)
            if found is None:
                found = self._quotas[api_key] = QuotaCounter(quota, self.clock)
            return found
