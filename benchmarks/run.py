"""Every benchmark side by side: `python -m benchmarks.run [--quick|--full] [--out PATH]`.

1. Delivery: 365 KIM groups + 25 Forum KIM + 10,000 subscribers, one kabupaten-wide
   announcement, server limits ×10 (S=10), each request delayed by a realistic network
   (lognormal, median 60 Telegram ms); kim-bot against three baselines on the same server:
   a sequential loop, and asyncio.gather behind AIORateLimiter with max_retries 0 and 3.
2. Responsiveness: during kim-bot's broadcast a villager sends /start every second.
3. Scale: 100,000 subscribers at S=100.
4. Hoax search: `benchmarks.search` (50,000 generated claims, for speed) and
   `benchmarks.search_real` (TurnBackHoax fact-checks from ../shared, when present).
5. Flood: the delivery case as a darurat broadcast while 5 accounts send /cek 25 times a
   second each, against the same run without them: the broadcast's rate, the replies to the
   well-behaved villagers of the probe, and how many replies the flooders got.
6. WhatsApp: the delivery case with 10,000 WhatsApp subscribers beside the Telegram ones,
   half of them inside their 24-hour window, the Cloud API stand-in in its own process at
   its limits (80 msg/s, one message per person per 6 s, a tier of 10,000 a day) and the
   same network, at S=1 (S=10 in --quick): each channel's ratio to its own limit, templates
   exactly for the people outside the window.

--quick uses a tenth of the recipients (and of the claims); --full runs the delivery and
flood cases at Telegram's real limits (S=1), which takes minutes. `--only flood` (or
delivery, scale, search, search_real, whatsapp) runs those cases alone. Results go to
benchmarks/results.json (and --out), the table to benchmarks/results.md and the terminal.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import delivery, report, search, search_real
from benchmarks.delivery import Case

HERE = Path(__file__).resolve().parent
SECTIONS = ("delivery", "scale", "search", "search_real", "flood", "whatsapp")
FLOODERS, FLOOD_PER_S = 5, 25.0
SCALE_TIME_LIMIT = {"quick": 30.0, "default": 75.0, "full": 75.0}  # seconds watched


def machine() -> dict[str, Any]:
    """Where the numbers come from."""
    cpu = platform.processor() or platform.machine()
    memory_gb: float | None = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": f"{platform.system()} {platform.release()}",
    }


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def plan(mode: str, seed: int) -> dict[str, Any]:
    """The cases of one mode; see the module docstring."""
    quick = mode == "quick"
    subscribers = 1_000 if quick else 10_000
    speedup = 1.0 if mode == "full" else 10.0
    main = Case(subscribers=subscribers, speedup=speedup, probe=True, seed=seed)
    # The baselines are slow (the sequential loop) or slow down with the number of waiting
    # sends (the gathered one): measured on the first chats, their time extrapolated.
    sequential_cap = 150 if quick else 600
    gather_cap = None if quick else 3_000
    darurat = Case(subscribers=subscribers, speedup=speedup, probe=True, seed=seed)
    darurat = replace(darurat, urgency="darurat")
    return {
        "kimbot": main,
        "flood_alone": darurat,
        "flood": replace(darurat, flooders=FLOODERS, flood_per_s=FLOOD_PER_S),
        "sequential": Case(subscribers=subscribers, speedup=speedup, limit=sequential_cap),
        "gather_ratelimiter": Case(subscribers=subscribers, speedup=speedup, limit=gather_cap),
        "gather_ratelimiter_retry3": Case(
            subscribers=subscribers, speedup=speedup, limit=gather_cap, max_retries=3
        ),
        # At the real limits but in --quick: at S=10 the stand-ins' 1,100 msg/s of both
        # channels together take the bot's one core, not its pacing.
        "whatsapp": replace(
            main, probe=False, whatsapp=subscribers, speedup=speedup if quick else 1.0
        ),
        "scale": Case(
            subscribers=10_000 if quick else 100_000,
            speedup=100.0,
            seed=seed,
            time_limit=SCALE_TIME_LIMIT[mode],
        ),
    }


def _extrapolate(name: str, result: dict[str, Any], full: int) -> dict[str, Any]:
    """A capped baseline run, its time scaled to every recipient (the rate is its own)."""
    measured = result["recipients"]
    if measured >= full or not result.get("seconds"):
        return result
    result["measured_recipients"] = measured
    result["measured_seconds"] = result["seconds"]
    result["seconds"] = round(result["seconds"] * full / measured, 1)
    result["note"] = (
        f"{name}: measured on the first {measured:,} of {full:,} recipients; seconds "
        "extrapolated, the other figures are the measured run's"
    )
    return result


def _latencies(probe: dict[str, Any]) -> dict[str, Any]:
    latencies: list[float] = probe["latencies"]
    return {
        "samples": len(latencies),
        "unanswered": probe["unanswered"],
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(p95, 3) if (p95 := percentile(latencies, 0.95)) is not None else None,
        "max_s": round(max(latencies), 3) if latencies else None,
    }


def flood(alone: dict[str, Any], flooded: dict[str, Any], case: Case) -> dict[str, Any]:
    """The flood case beside the same broadcast without it."""
    alone.pop("probe", None)
    replies = _latencies(flooded.pop("probe", {"latencies": [], "unanswered": 0}))
    sent = flooded.pop("flood", {"sent": 0, "replies": 0})
    return {
        "ratio_vs_alone": round(flooded["ratio"] / alone["ratio"], 3) if alone["ratio"] else None,
        "reply_p95_s": replies["p95_s"],
        "flood_replies": sent["replies"],
        "flood_sent": sent["sent"],
        "flooders": case.flooders,
        "flood_per_s": case.flood_per_s,
        "replies": replies,
        "recipients": flooded["recipients"],
        "speedup": case.speedup,
        "ratio": flooded["ratio"],
        "ratio_alone": alone["ratio"],
        "rate_per_s": flooded["rate_per_s"],
        "rate_per_s_alone": alone["rate_per_s"],
        "seconds": flooded["seconds"],
        "seconds_alone": alone["seconds"],
        "lost": flooded["lost"],
        "duplicates": flooded["duplicates"],
        "rate_limited": flooded["rate_limited"],
    }


def whatsapp(result: dict[str, Any]) -> dict[str, Any]:
    """The WhatsApp figures on top, Telegram's of the same run under `telegram`."""
    wa: dict[str, Any] = result.pop("whatsapp")
    wa["telegram"] = result
    wa["speedup"] = result.get("speedup")
    return wa


def run(
    mode: str,
    seed: int,
    *,
    only: frozenset[str] | None = None,
    baselines: bool = True,
    log: Any = sys.stderr,
) -> dict[str, Any]:
    cases = plan(mode, seed)
    main: Case = cases["kimbot"]
    results: dict[str, Any] = {
        "mode": mode,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
    }
    started = time.monotonic()

    def step(name: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {name} …", file=log, flush=True)

    wanted = frozenset(SECTIONS) if only is None else only
    if "delivery" in wanted:
        _delivery(results, cases, step, baselines)
    if "scale" in wanted:
        scale: Case = cases["scale"]
        step(f"scale: {scale.recipients:,} recipients at S={scale.speedup:g}")
        results["scale"] = delivery.run_isolated("kimbot", scale)
        if results["scale"].get("stopped_after_s"):
            results["scale"]["note"] = (
                f"scale: delivery watched for {SCALE_TIME_LIMIT[mode]:g} s, then stopped; rate "
                "and CPU are over what was sent by then; no ratio, lost or duplicates are "
                "claimed for a run that did not finish"
            )
    if "search" in wanted:
        step("hoax search")
        results.update(search.run(mode == "quick", seed))
    if "search_real" in wanted:
        step("hoax search on real data")
        results.update(search_real.run(mode == "quick"))
    if "flood" in wanted:
        flooded: Case = cases["flood"]
        step(f"flood: darurat to {flooded.recipients:,} at S={flooded.speedup:g}, alone")
        alone = delivery.run_isolated("kimbot", cases["flood_alone"])
        step(
            f"flood: the same while {flooded.flooders} accounts send /cek {flooded.flood_per_s:g}/s"
        )
        results["flood"] = flood(alone, delivery.run_isolated("kimbot", flooded), flooded)
    if "whatsapp" in wanted:
        both: Case = cases["whatsapp"]
        step(
            f"whatsapp: {both.recipients:,} Telegram chats and {both.whatsapp:,} WhatsApp people"
            f" at S={both.speedup:g}"
        )
        results["whatsapp"] = whatsapp(delivery.run_isolated("kimbot_whatsapp", both))
    results["seconds_total"] = round(time.monotonic() - started, 1)
    results["notes"] = [
        "Ratio = messages accepted by the server / seconds from approval to the last accepted "
        "send / the binding limit; every chat gets one message, so the binding limit is the "
        "overall 30×S msg/s (20/min per group and 1/s per private chat are never reached).",
        "The Bot API server runs in its own process; CPU and peak RSS are the bot process's "
        "(each case in a fresh process; CPU includes the SQLite thread).",
        f"kim-bot paced at BROADCAST_RATE = {main.rate_per_s:g}×S, group and private spacing "
        "÷S; AIORateLimiter configured like the server's windows (30 per 1/S s overall, 20 per "
        "60/S s per group), max_retries 0 (its default) and 3; the sequential loop meets the "
        "same network. Every configuration is in its result's `config`.",
        "Network: each request reaches the server after a delay drawn from `delivery.jitter` "
        "(Telegram seconds, divided by S), for kim-bot and the baselines alike; the server "
        "counts a message at its arrival.",
        "Flood: the per-person limit (ANSWERS_PER_MINUTE) and the flooders' pace are in real "
        "seconds, not ×S; the probe's villagers take turns so that each stays under the limit.",
    ]
    return results


def _delivery(
    results: dict[str, Any], cases: dict[str, Any], step: Any, with_baselines: bool
) -> None:
    """kim-bot's delivery with the responsiveness probe, then the baselines (which take
    most of an hour at S=1: `--no-baselines` leaves them out)."""
    main: Case = cases["kimbot"]
    step(f"kim-bot: {main.recipients:,} recipients at S={main.speedup:g}")
    kimbot = delivery.run_isolated("kimbot", main)
    results["delivery"] = kimbot
    kimbot["jitter"] = main.network.describe()
    results["responsiveness"] = _latencies(kimbot.pop("probe", {"latencies": [], "unanswered": 0}))
    if not with_baselines:
        return
    baselines: dict[str, Any] = {}
    step("baseline: sequential send_message loop")
    baselines["sequential"] = _extrapolate(
        "sequential", delivery.run_isolated("sequential", cases["sequential"]), main.recipients
    )
    for name, label in (
        ("gather_ratelimiter", "gather + AIORateLimiter"),
        ("gather_ratelimiter_retry3", "gather + AIORateLimiter(max_retries=3)"),
    ):
        step(f"baseline: asyncio.gather behind {label.split(' + ')[1]}")
        baselines[name] = _extrapolate(
            label, delivery.run_isolated(name, cases[name]), main.recipients
        )
    kimbot["baselines"] = baselines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a tenth of the recipients, ~1 min")
    size.add_argument("--full", action="store_true", help="delivery at the real limits (S=1)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this case (repeatable)"
    )
    parser.add_argument(
        "--no-baselines", action="store_true", help="kim-bot's delivery without the baselines"
    )
    args = parser.parse_args()
    mode = "quick" if args.quick else "full" if args.full else "default"
    only = None if args.only is None else frozenset(args.only)
    results = run(mode, args.seed, only=only, baselines=not args.no_baselines)
    paths = [HERE / "results.json"] + ([args.out] if args.out else [])
    report.write(results, *paths)
    print(report.markdown(results))
    print(f"JSON: {', '.join(str(p) for p in paths)}; table: {HERE / 'results.md'}")


if __name__ == "__main__":
    main()
