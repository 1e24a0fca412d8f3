"""How well /cek finds the fact-check a real forwarded message repeats.

    python -m benchmarks.search_real [--quick]

Data: benchmarks/real_hoaxes.py (TurnBackHoax 2015–2021 from ../shared; skipped when
absent). Two registries: `quoted` (the file without its narratives; the query rows'
explanations quote them) and `headlines` (their explanations left out too). Queries: the
578 narratives (100 with --quick), each expecting its own fact-check; unrelated true texts:
the 98 of ../shared's unrelated_dev.txt (the dev set; `hard` = those on a topic that has
registered hoaxes) and the project's own calibration set (bot/data/unrelated.txt, on which
the thresholds are set, so its `cocok` rate is 0 by construction).

Reported per registry: recall@1/@3/@10 of what /cek shows (matches at `terkait` or above),
`cocok` recall@1 (the top answer is right and `cocok`), the same ranking without thresholds,
false matches (share of unrelated texts answered `cocok`; share answered at all), p50/p95
per query; the import time of the whole file as it is (with calibration); and the
baselines: naive FTS5 bm25 over the raw headlines, and the previous search.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import previous_search, real_hoaxes
from bot import hoax_search
from bot.hoax_search import Tier
from bot.storage import Database

_WORD = re.compile(r"\w{2,}")


def _ms(values: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered) * 1000, 2), round(p95 * 1000, 2)


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


async def _false_matches(db: Database, texts: list[str]) -> dict[str, Any]:
    cocok = answered = 0
    for text in texts:
        matches = await hoax_search.search(db, text, limit=3)
        answered += bool(matches)
        cocok += any(m.tier is Tier.COCOK for m in matches)
    return {
        "texts": len(texts),
        "cocok": _share(cocok, len(texts)),
        "any": _share(answered, len(texts)),
    }


async def _naive_bm25(db: Database, queries: list[str], expected: list[int]) -> dict[str, Any]:
    """FTS5 bm25 over the raw headlines (unicode61, no stemming), OR of the text's words."""
    await db.write("CREATE VIRTUAL TABLE naive_headlines USING fts5(title)")
    await db.write("INSERT INTO naive_headlines(rowid, title) SELECT id, claim FROM hoaxes")
    at = {1: 0, 3: 0, 10: 0}
    for text, wanted in zip(queries, expected, strict=True):
        words = sorted({w.lower() for w in _WORD.findall(text)})
        if not words:
            continue
        rows = await db.fetchall(
            "SELECT rowid FROM naive_headlines WHERE naive_headlines MATCH ?"
            " ORDER BY bm25(naive_headlines) LIMIT 10",
            (" OR ".join(f'"{w}"' for w in words),),
        )
        found = [row["rowid"] for row in rows]
        for k in at:
            at[k] += wanted in found[:k]
    return {f"recall_at_{k}": _share(v, len(queries)) for k, v in at.items()}


async def _previous(db: Database, queries: list[str], expected: list[int]) -> dict[str, Any]:
    at = {1: 0, 3: 0}
    for text, wanted in zip(queries, expected, strict=True):
        found = [rowid for rowid, _ in await previous_search.search(db, text, limit=3)]
        for k in at:
            at[k] += wanted in found[:k]
    return {f"recall_at_{k}": _share(v, len(queries)) for k, v in at.items()}


async def _variant(
    folder: Path, *, headlines: bool, queries: list[real_hoaxes.Query], unrelated: list[str]
) -> dict[str, Any]:
    db, import_s = await real_hoaxes.open_registry(folder, headlines=headlines)
    try:
        expected = await real_hoaxes.expected_ids(db, queries)
        times: list[float] = []
        at = {1: 0, 3: 0, 10: 0}
        ranked_at = {1: 0, 3: 0, 10: 0}
        cocok_at_1 = 0
        for query, wanted in zip(queries, expected, strict=True):
            started = time.perf_counter()
            matches = await hoax_search.search(db, query.text, limit=10)
            times.append(time.perf_counter() - started)
            found = [m.entry.id for m in matches]
            for k in at:
                at[k] += wanted in found[:k]
            cocok_at_1 += bool(matches) and found[0] == wanted and matches[0].tier is Tier.COCOK
            order = [rowid for _, rowid in await hoax_search.rank(db, query.text)]
            for k in ranked_at:
                ranked_at[k] += wanted in order[:k]
        hard = [t for t in unrelated if real_hoaxes.HARD_TOPICS.search(t)]
        dev = await _false_matches(db, unrelated)
        hard_false = await _false_matches(db, hard)
        shipped = await _false_matches(db, hoax_search.calibration_texts())
        limits = await hoax_search.thresholds(db)
        p50, p95 = _ms(times)
        total = len(queries)
        result: dict[str, Any] = {
            "registry": int(await db.fetchval("SELECT count(*) FROM hoaxes")),
            "queries": total,
            **{f"recall_at_{k}": _share(v, total) for k, v in at.items()},
            "cocok_recall_at_1": _share(cocok_at_1, total),
            "cocok_false_match": dev["cocok"],
            "terkait_false_match": dev["any"],
            "p50_ms": p50,
            "p95_ms": p95,
            "import_without_narratives_s": round(import_s, 1),
            "ranking_only": {f"recall_at_{k}": _share(v, total) for k, v in ranked_at.items()},
            "unrelated": {"dev": dev, "dev_hard": hard_false, "calibration_set": shipped},
            "thresholds": {"cocok": limits.cocok, "terkait": limits.terkait},
        }
        texts = [q.text for q in queries]
        result["baselines"] = {
            "bm25": await _naive_bm25(db, texts, expected),
            "current": await _previous(db, texts, expected),
        }
        return result
    finally:
        await db.close()


async def _run(quick: bool) -> dict[str, Any]:
    if not real_hoaxes.REAL_FILE.exists():
        return {"search_real": {"skipped": f"{real_hoaxes.REAL_FILE} not found"}}
    queries = real_hoaxes.read_queries()
    if quick:
        queries = queries[::6]
    unrelated = real_hoaxes.read_unrelated()
    import_s = await real_hoaxes.import_seconds()
    with tempfile.TemporaryDirectory() as folder:
        quoted = await _variant(Path(folder), headlines=False, queries=queries, unrelated=unrelated)
        bare = await _variant(Path(folder), headlines=True, queries=queries, unrelated=unrelated)
    quoted["import_s"] = round(import_s, 1)
    quoted["headlines"] = bare
    return {"search_real": quoted}


def run(quick: bool) -> dict[str, Any]:
    return asyncio.run(_run(quick))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a sixth of the queries")
    args = parser.parse_args()
    print(json.dumps(run(args.quick), indent=2))


if __name__ == "__main__":
    main()
