"""The composition root: what `build_application` puts together."""

from __future__ import annotations

import pytest
from telegram.warnings import PTBUserWarning

from bot.app import build_application
from bot.settings import Settings


def test_the_only_scheduler_is_the_projects_own(settings: Settings) -> None:
    """The Application brings no JobQueue: schedules run in broadcasts/scheduler.py alone."""
    app = build_application(settings)
    with pytest.warns(PTBUserWarning, match="No `JobQueue`"):
        assert app.job_queue is None
