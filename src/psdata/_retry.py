"""One retry policy for every engine: bounded attempts, exponential backoff, full jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter, for transient failures.

    The batch uses it for failures of a whole measurement (a browser crash); the PSI
    engine for the HTTP attempts of one API request.

    >>> policy = RetryPolicy(max_attempts=3, backoff_s=1.0, backoff_max_s=4.0)
    >>> 0 <= policy.delay(1) <= 1.0 and 0 <= policy.delay(5) <= 4.0
    True
    """

    max_attempts: int = 3
    backoff_s: float = 1.0
    backoff_max_s: float = 15.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt *attempt* (1-based) before the next one."""
        return random.uniform(0, self.cap(attempt))

    def cap(self, attempt: int) -> float:
        """The longest :meth:`delay` after attempt *attempt*: ``backoff_s · 2^(attempt−1)``.

        >>> [RetryPolicy(backoff_s=1, backoff_max_s=4).cap(n) for n in (1, 2, 3, 4)]
        [1.0, 2.0, 4.0, 4.0]
        """
        return float(min(self.backoff_max_s, self.backoff_s * 2.0 ** (attempt - 1)))
