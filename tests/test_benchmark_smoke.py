"""The benchmark machinery on a tiny network: it runs end to end and reports every key that
scripts read. No timings are asserted: unit tests never judge speed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks import delivery, report, run
from benchmarks.delivery import Case

TINY = Case(subscribers=40, speedup=100.0, groups=10, probe=True)
FIGURES = {"ratio", "lost", "duplicates", "rate_limited", "seconds", "messages", "recipients"}


async def test_kimbot_delivers_to_every_recipient_once_and_reports_its_figures() -> None:
    """kim-bot's run over the server process: everyone reached once, all figures present."""
    result = await delivery.run_here("kimbot", TINY)
    assert FIGURES | {"peak_rss_mb", "cpu_ms_per_1000", "outbox_write_s"} <= result.keys()
    assert result["recipients"] == TINY.recipients == 50
    assert (result["lost"], result["duplicates"]) == (0, 0)
    assert result["outbox"]["sent"] == 50
    assert set(result["probe"]) == {"latencies", "unanswered"}


async def test_flood_case_reports_the_flooders_replies_beside_the_broadcast() -> None:
    """Two accounts flooding /cek during the broadcast: everyone still reached once, and the
    flood section carries the keys the results JSON promises."""
    flooded = replace(TINY, urgency="darurat", flooders=2, flood_per_s=25.0)
    alone = await delivery.run_here("kimbot", replace(flooded, flooders=0))
    result = await delivery.run_here("kimbot", flooded)
    assert (result["lost"], result["duplicates"]) == (0, 0)
    section = run.flood(alone, result, flooded)
    assert {"ratio_vs_alone", "reply_p95_s", "flood_replies"} <= section.keys()
    assert section["flood_replies"] <= 2 * (20 + 1)  # the bucket and one notice each


async def test_whatsapp_case_reports_each_channel_beside_the_other() -> None:
    """Both channels in one run: every Telegram chat and WhatsApp person reached once, the
    templates exactly for the half outside their window, the figures the JSON promises."""
    both = replace(TINY, probe=False, whatsapp=20, speedup=10.0)
    section = run.whatsapp(await delivery.run_here("kimbot_whatsapp", both))
    assert FIGURES | {"templates", "outside_window"} <= section.keys()
    assert (section["messages"], section["lost"], section["duplicates"]) == (20, 0, 0)
    assert section["templates"] == section["outside_window"] == 10
    telegram = section["telegram"]
    assert (telegram["messages"], telegram["lost"], telegram["duplicates"]) == (50, 0, 0)


async def test_baselines_report_the_same_figures_over_a_capped_run() -> None:
    """Every baseline counts what reached the first `limit` chats and states its setup."""
    capped = Case(subscribers=40, speedup=100.0, groups=10, limit=12)
    for name in ("sequential", "gather_ratelimiter", "gather_ratelimiter_retry3"):
        case = replace(capped, max_retries=3) if name.endswith("retry3") else capped
        result = await delivery.run_here(name, case)
        assert result.keys() >= FIGURES | {"config"}, name
        assert result["recipients"] == 12
        assert result["messages"] + result["lost"] == 12


def test_report_names_every_target_met_or_not(tmp_path: Path) -> None:
    """The JSON keeps the documented keys and the table says plainly what is not met."""
    figures: dict[str, Any] = dict.fromkeys(FIGURES, 0) | {"messages": 100, "ratio": 0.5}
    results: dict[str, Any] = {
        "mode": "quick",
        "machine": run.machine(),
        "delivery": figures
        | {"peak_rss_mb": 80.0, "cpu_ms_per_1000": 900.0}
        | {"baselines": {"sequential": figures, "gather_ratelimiter": figures}},
        "responsiveness": {"p50_s": 0.1, "p95_s": 0.2},
        "scale": {"ratio": 0.5, "peak_rss_mb": 90.0, "outbox_write_s": 0.4, "cpu_ms_per_1000": 1},
        "search": {"p50_ms": 1.0, "p95_ms": 2.0, "recall_at_1": 1.0, "recall_at_3": 1.0},
        "flood": {"ratio_vs_alone": 0.95, "reply_p95_s": 1.5, "flood_replies": 105},
    }
    report.write(results, tmp_path / "results.json")
    table = (tmp_path / "results.md").read_text()
    assert "| delivery.ratio ≥ 0.93 | 0.5 | **NOT met** |" in table
    assert "| responsiveness.p95_s ≤ 1 s | 0.2 | met |" in table
    assert "| flood.ratio_vs_alone ≥ 0.8 | 0.95 | met |" in table
    assert "| flood.reply_p95_s ≤ 1 s | 1.5 | **NOT met** |" in table
    assert "| replies the flooders got | 105 | |" in table
    assert {"cores", "python", "sqlite"} <= results["machine"].keys()
    assert (tmp_path / "results.json").read_text().startswith("{")
