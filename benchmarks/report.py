"""The benchmark's results as a Markdown table (targets met or not, in plain words) and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (section, key, target text, check) — a check gets the value and says whether it is met.
Check = Callable[[Any, dict[str, Any]], bool]
TARGETS: list[tuple[str, str, str, Check]] = [
    ("delivery", "ratio", "≥ 0.93", lambda v, _: v is not None and v >= 0.93),
    ("delivery", "lost", "= 0", lambda v, _: v == 0),
    ("delivery", "duplicates", "= 0", lambda v, _: v == 0),
    (
        "delivery",
        "rate_limited",
        "≤ 0.1% of sends",
        lambda v, s: v <= 0.001 * max(1, s.get("messages", 0)),
    ),
    ("responsiveness", "p95_s", "≤ 1 s", lambda v, _: v is not None and v <= 1.0),
    ("scale", "peak_rss_mb", "≤ 200 MB", lambda v, _: v is not None and v <= 200),
    ("scale", "outbox_write_s", "≤ 2 s", lambda v, _: v is not None and v <= 2.0),
    ("flood", "ratio_vs_alone", "≥ 0.8", lambda v, _: v is not None and v >= 0.8),
    ("flood", "reply_p95_s", "≤ 1 s", lambda v, _: v is not None and v <= 1.0),
    ("search", "p95_ms", "≤ 50 ms", lambda v, _: v is not None and v <= 50),
    ("search", "recall_at_3", "≥ 0.9", lambda v, _: v is not None and v >= 0.9),
    ("search_real", "recall_at_3", "≥ 0.82", lambda v, _: v is not None and v >= 0.82),
    ("search_real", "cocok_false_match", "≤ 0.01", lambda v, _: v is not None and v <= 0.01),
    ("search_real", "terkait_false_match", "≤ 0.15", lambda v, _: v is not None and v <= 0.15),
    ("search_real", "import_s", "≤ 30 s", lambda v, _: v is not None and v <= 30),
    ("whatsapp", "ratio", "≥ 0.95", lambda v, _: v is not None and v >= 0.95),
    ("whatsapp", "lost", "= 0", lambda v, _: v == 0),
    ("whatsapp", "duplicates", "= 0", lambda v, _: v == 0),
    (
        "whatsapp",
        "templates",
        "= people outside the window",
        lambda v, s: v == s.get("outside_window") == s.get("templates_outside_window"),
    ),
    ("whatsapp.telegram", "ratio", "≥ 0.95", lambda v, _: v is not None and v >= 0.95),
    ("whatsapp.telegram", "lost", "= 0", lambda v, _: v == 0),
    ("whatsapp.telegram", "duplicates", "= 0", lambda v, _: v == 0),
]


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured value and whether it is met."""
    out = []
    for section, key, target, check in TARGETS:
        data: Any = results
        for part in section.split("."):  # "whatsapp.telegram": a section inside another
            data = data.get(part) if isinstance(data, dict) else None
        if not isinstance(data, dict) or key not in data:
            continue
        value = data[key]
        out.append(
            {
                "section": section,
                "key": key,
                "target": target,
                "value": value,
                "met": bool(check(value, data)),
            }
        )
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _delivery_table(results: dict[str, Any]) -> list[str]:
    delivery = results.get("delivery")
    if not isinstance(delivery, dict):
        return []
    baselines = delivery.get("baselines", {})
    columns = [("kim-bot", delivery)] + [
        (name.replace("_", " + "), data) for name, data in baselines.items()
    ]
    rows = [
        ("recipients", "recipients"),
        ("messages delivered", "messages"),
        ("seconds (approval → last delivery)", "seconds"),
        ("achieved rate (msg/s)", "rate_per_s"),
        ("binding limit (msg/s)", "binding_limit_per_s"),
        ("ratio", "ratio"),
        ("replies and edits counted in the same budget", "other_counted"),
        ("ratio of the limit, replies and edits included", "ratio_of_limit"),
        ("429 answers", "rate_limited"),
        ("lost", "lost"),
        ("duplicates", "duplicates"),
        ("CPU ms per 1,000 messages", "cpu_ms_per_1000"),
        ("peak RSS (MB)", "peak_rss_mb"),
    ]
    lines = [
        "| " + " | ".join(["delivery"] + [name for name, _ in columns]) + " |",
        "|" + "---|" * (len(columns) + 1),
    ]
    for label, key in rows:
        lines.append(
            "| " + " | ".join([label] + [_fmt(data.get(key)) for _, data in columns]) + " |"
        )
    notes = [data["note"] for _, data in columns if data.get("note")]
    notes += [f"{name}: {data['config']}" for name, data in columns if data.get("config")]
    jitter = delivery.get("jitter")
    if isinstance(jitter, dict):
        notes.append(
            f"network: {jitter.get('distribution')} delay per request, median "
            f"{_fmt(jitter.get('median_s'))} s, sigma {_fmt(jitter.get('sigma'))}, p95 "
            f"{_fmt(jitter.get('p95_s'))} s, p99 {_fmt(jitter.get('p99_s'))} s, cap "
            f"{_fmt(jitter.get('cap_s'))} s (Telegram time, ÷S), seed {jitter.get('seed')}"
        )
    return [*lines, "", *(f"- {note}" for note in notes)]


def _flood_table(results: dict[str, Any]) -> list[str]:
    flood = results.get("flood")
    if not isinstance(flood, dict):
        return []
    replies = flood.get("replies", {})
    return [
        f"| flood ({_fmt(flood.get('flooders'))} accounts × {_fmt(flood.get('flood_per_s'))} "
        f"/cek per s during a darurat broadcast, {_fmt(flood.get('recipients'))} recipients, "
        f"S={_fmt(flood.get('speedup'))}) | with the flood | alone |",
        "|---|---|---|",
        f"| achieved rate (msg/s) | {_fmt(flood.get('rate_per_s'))} "
        f"| {_fmt(flood.get('rate_per_s_alone'))} |",
        f"| ratio | {_fmt(flood.get('ratio'))} | {_fmt(flood.get('ratio_alone'))} |",
        f"| seconds | {_fmt(flood.get('seconds'))} | {_fmt(flood.get('seconds_alone'))} |",
        f"| ratio with / alone | {_fmt(flood.get('ratio_vs_alone'))} | |",
        f"| villagers' replies: p50 / p95 / max (s) | {_fmt(replies.get('p50_s'))} / "
        f"{_fmt(replies.get('p95_s'))} / {_fmt(replies.get('max_s'))} | |",
        f"| /cek sent by the flooders | {_fmt(flood.get('flood_sent'))} | |",
        f"| replies the flooders got | {_fmt(flood.get('flood_replies'))} | |",
        f"| 429 answers / lost / duplicates | {_fmt(flood.get('rate_limited'))} / "
        f"{_fmt(flood.get('lost'))} / {_fmt(flood.get('duplicates'))} | |",
        "",
    ]


def markdown(results: dict[str, Any]) -> str:
    """The whole report: machine, delivery side by side, the other cases, the targets."""
    machine = results.get("machine", {})
    lines = [
        f"# kim-bot benchmark ({results.get('mode', '?')} mode)",
        "",
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('memory_gb', '?')} GB; Python {machine.get('python', '?')}, "
        f"SQLite {machine.get('sqlite', '?')}; {results.get('date', '')}",
        "",
        *_delivery_table(results),
        "",
    ]
    responsiveness = results.get("responsiveness")
    if isinstance(responsiveness, dict):
        lines += [
            "| responsiveness (/start every second during the broadcast) | value |",
            "|---|---|",
            f"| replies measured | {_fmt(responsiveness.get('samples'))} |",
            f"| p50 reply latency (s) | {_fmt(responsiveness.get('p50_s'))} |",
            f"| p95 reply latency (s) | {_fmt(responsiveness.get('p95_s'))} |",
            f"| max reply latency (s) | {_fmt(responsiveness.get('max_s'))} |",
            "",
        ]
    scale = results.get("scale")
    if isinstance(scale, dict):
        lines += [
            f"| scale ({_fmt(scale.get('recipients'))} recipients, "
            f"S={_fmt(scale.get('speedup'))}) | value |",
            "|---|---|",
            f"| seconds | {_fmt(scale.get('seconds'))} |",
            f"| achieved rate (msg/s) | {_fmt(scale.get('rate_per_s'))} |",
            f"| ratio | {_fmt(scale.get('ratio'))} |",
            f"| 429 answers | {_fmt(scale.get('rate_limited'))} |",
            f"| lost / duplicates | {_fmt(scale.get('lost'))} / {_fmt(scale.get('duplicates'))} |",
            f"| outbox write (approve) (s) | {_fmt(scale.get('outbox_write_s'))} |",
            f"| peak RSS (MB) | {_fmt(scale.get('peak_rss_mb'))} |",
            f"| CPU ms per 1,000 messages | {_fmt(scale.get('cpu_ms_per_1000'))} |",
            "",
            *([f"- {scale['note']}", ""] if scale.get("note") else []),
        ]
    lines += _flood_table(results)
    lines += _whatsapp_table(results)
    search = results.get("search")
    if isinstance(search, dict):
        baseline = search.get("baseline", {})
        lines += [
            f"| hoax search ({_fmt(search.get('registry'))} claims, "
            f"{_fmt(search.get('queries'))} queries) | /cek search | brute-force rapidfuzz |",
            "|---|---|---|",
        ]
        for label, key in (
            ("p50 (ms)", "p50_ms"),
            ("p95 (ms)", "p95_ms"),
            ("recall@1", "recall_at_1"),
            ("recall@3", "recall_at_3"),
            ("false matches on unrelated texts", "false_matches"),
        ):
            lines.append(f"| {label} | {_fmt(search.get(key))} | {_fmt(baseline.get(key))} |")
        lines.append("")
    lines += _search_real_table(results)
    lines += ["| target | value | met? |", "|---|---|---|"]
    for verdict in verdicts(results):
        met = "met" if verdict["met"] else "**NOT met**"
        lines.append(
            f"| {verdict['section']}.{verdict['key']} {verdict['target']} "
            f"| {_fmt(verdict['value'])} | {met} |"
        )
    notes = results.get("notes", [])
    if notes:
        lines += ["", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def _whatsapp_table(results: dict[str, Any]) -> list[str]:
    """Telegram and WhatsApp delivering one announcement side by side, each against its own
    limit, beside the Telegram-only case."""
    wa = results.get("whatsapp")
    if not isinstance(wa, dict):
        return []
    tg = wa.get("telegram", {})
    alone = results.get("delivery", {})
    if alone.get("speedup") != wa.get("speedup"):  # side by side only at the same speed
        alone = {}
    rows = [
        ("recipients", "recipients"),
        ("messages delivered", "messages"),
        ("seconds (approval → last delivery)", "seconds"),
        ("achieved rate (msg/s)", "rate_per_s"),
        ("binding limit (msg/s)", "binding_limit_per_s"),
        ("ratio", "ratio"),
        ("rate-limit answers (429 / 130429, 131056)", "rate_limited"),
    ]
    lines = [
        f"| both channels (S={_fmt(wa.get('speedup'))}) | Telegram | WhatsApp | Telegram alone |",
        "|---|---|---|---|",
    ]
    columns = (tg, wa, alone)
    for label, key in rows:
        lines.append(f"| {label} | " + " | ".join(_fmt(d.get(key)) for d in columns) + " |")
    cells = [f"{_fmt(d.get('lost'))} / {_fmt(d.get('duplicates'))}" for d in columns]
    lines.append("| lost / duplicates | " + " | ".join(cells) + " |")
    lines += [
        f"| templates (people outside the window) | | {_fmt(wa.get('templates'))} "
        f"({_fmt(wa.get('outside_window'))}) | |",
        "",
    ]
    return lines


def _search_real_table(results: dict[str, Any]) -> list[str]:
    """The real-data search: both registries side by side, then the baselines."""
    real = results.get("search_real")
    if not isinstance(real, dict) or "recall_at_3" not in real:
        return []
    bare = real.get("headlines", {})
    lines = [
        f"| hoax search, real data ({_fmt(real.get('registry'))} TurnBackHoax fact-checks, "
        f"{_fmt(real.get('queries'))} narratives) | explanations quote them | headlines only |",
        "|---|---|---|",
    ]
    for label, key in (
        ("recall@1", "recall_at_1"),
        ("recall@3", "recall_at_3"),
        ("recall@10", "recall_at_10"),
        ("`cocok` recall@1", "cocok_recall_at_1"),
        ("`cocok` false matches (98 unrelated dev texts)", "cocok_false_match"),
        ("any answer on unrelated dev texts", "terkait_false_match"),
        ("p50 (ms)", "p50_ms"),
        ("p95 (ms)", "p95_ms"),
    ):
        lines.append(f"| {label} | {_fmt(real.get(key))} | {_fmt(bare.get(key))} |")
    for label, source in (("ranking alone, recall@3", "ranking_only"),):
        lines.append(
            f"| {label} | {_fmt(real.get(source, {}).get('recall_at_3'))} "
            f"| {_fmt(bare.get(source, {}).get('recall_at_3'))} |"
        )
    for name in ("bm25", "current"):
        lines.append(
            f"| baseline {name}: recall@3 "
            f"| {_fmt(real.get('baselines', {}).get(name, {}).get('recall_at_3'))} "
            f"| {_fmt(bare.get('baselines', {}).get(name, {}).get('recall_at_3'))} |"
        )
    hard = real.get("unrelated", {}).get("dev_hard", {})
    lines += [
        "",
        f"- import of the whole file: {_fmt(real.get('import_s'))} s; same-topic unrelated "
        f"texts ({_fmt(hard.get('texts'))}): `cocok` {_fmt(hard.get('cocok'))}, any answer "
        f"{_fmt(hard.get('any'))}.",
        "",
    ]
    return lines


def write(results: dict[str, Any], *paths: Path) -> None:
    """JSON to every path given; the Markdown table beside the first (`.md`)."""
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if paths:
        paths[0].with_suffix(".md").write_text(markdown(results), encoding="utf-8")
