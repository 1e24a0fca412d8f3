"""The callback data of subscriptions, the tipline, triage and /cek: each kind decodes to
itself, fits Telegram's 64 bytes at its largest, and is told apart from every other kind."""

from __future__ import annotations

import pytest

from bot.buttons import ButtonData
from bot.hoaxes import Verdict
from handlers import answers, forwarded, reports, subscriptions, triage
from handlers.subscriptions import Origin

BIGGEST_ID = 10**12 - 1  # the most digits a report or case id is allowed in a button
DESA = "d3514142011"  # the longest area token

LARGEST: list[ButtonData] = [
    subscriptions.KecamatanList(),
    subscriptions.DesaPage("k351414", 99),
    subscriptions.Topics(Origin.PROFILE, DESA, 2**20 - 1),
    subscriptions.Save(Origin.SUBSCRIBE, DESA, 2**20 - 1),
    subscriptions.Accept(DESA),
    subscriptions.Decline(),
    subscriptions.ShowProfile(),
    subscriptions.Remove(DESA),
    subscriptions.Digest(),
    subscriptions.Stop(confirmed=True),
    subscriptions.Forget(confirmed=False),
    reports.AreaChoice(BIGGEST_ID, "35.14.14"),
    reports.AreaChoice(BIGGEST_ID, None),
    reports.CheckedReport(),
    forwarded.CheckQuoted(),
    answers.Help(),
    triage.OpenCase(BIGGEST_ID),
    triage.VerdictChoice(BIGGEST_ID, Verdict.TIDAK_DAPAT_DIVERIFIKASI),
    triage.Duplicates(BIGGEST_ID),
    triage.MergeInto(BIGGEST_ID, BIGGEST_ID),
    triage.BackToPanel(BIGGEST_ID),
    triage.SkipLink(BIGGEST_ID),
    triage.Clarify(BIGGEST_ID),
]


@pytest.mark.parametrize("data", LARGEST, ids=lambda data: type(data).__name__ + repr(data))
def test_each_kind_decodes_to_itself_and_to_no_other(data: ButtonData) -> None:
    """Encoded at its largest, a button's data is under 64 bytes and only its kind reads it."""
    encoded = data.encode()
    assert len(encoded.encode()) <= 64
    assert type(data).decode(encoded) == data
    others = {type(other) for other in LARGEST} - {type(data)}
    assert [kind for kind in others if kind.decode(encoded) is not None] == []
