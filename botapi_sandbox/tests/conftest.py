"""The sandbox's own tests drive it with python-telegram-bot, opted into its coming types."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB warns on int time periods (RetryAfter) unless opted in, as a current bot does."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
