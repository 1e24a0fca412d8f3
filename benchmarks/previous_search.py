"""The registry search as it ranked before the learned ranker, kept as a baseline.

One bm25 candidate list over the headlines, then the F-measure of the two weighted
coverages (text by headline, headline by text) and a fixed threshold of 60, calibrated on
generated paraphrases. It reads the same index as `bot.hoax_search` (so it stems the same).
"""

from __future__ import annotations

import math

from bot import hoax_search
from bot.normalize import terms
from bot.storage import Database

THRESHOLD = 60
CANDIDATES = 40


async def search(db: Database, text: str, limit: int = 3) -> list[tuple[int, int]]:
    """(entry id, score 0–100) of the best headlines at or above THRESHOLD, best first."""
    query = list(dict.fromkeys(terms(text)))
    if not query:
        return []
    frequencies = await hoax_search._document_frequencies(db, query)
    neighbours = {
        t: await hoax_search._near_terms(db, t)
        for t in [t for t in query if t not in frequencies and len(t) >= 4][:8]
    }
    extra = {n for near in neighbours.values() for n in near}
    frequencies |= await hoax_search._document_frequencies(db, extra - frequencies.keys())
    searchable = {t for t in query if t in frequencies} | extra
    if not searchable:
        return []
    wanted = min(max(12, len(query) // 3), 64)
    chosen: list[str] = []
    postings, budget = 0, 6000 * wanted // 12
    for term in sorted(searchable, key=lambda t: (frequencies[t], t))[:wanted]:
        if len(chosen) >= 4 and postings + frequencies[term] > budget:
            break
        chosen.append(term)
        postings += frequencies[term]
    rows = await db.fetchall(
        "SELECT rowid, terms FROM hoax_claim_index WHERE hoax_claim_index MATCH ?"
        " ORDER BY bm25(hoax_claim_index) LIMIT ?",
        (" OR ".join(f'"{t}"' for t in chosen), CANDIDATES),
    )
    claim_terms = {t for row in rows for t in row["terms"].split()}
    frequencies |= await hoax_search._document_frequencies(db, claim_terms - frequencies.keys())
    documents = int(await db.fetchval("SELECT count(*) FROM hoaxes")) or 1

    def weight(term: str) -> float:
        return math.log((documents + 1) / (frequencies.get(term, 0) + 0.5))

    scored = []
    for row in rows:
        score = _score(query, row["terms"].split(), weight)
        if score * 100 >= THRESHOLD:
            scored.append((score, int(row["rowid"])))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [(rowid, round(score * 100)) for score, rowid in scored[:limit]]


def _score(query: list[str], claim: list[str], weight: object) -> float:
    assert callable(weight)
    claim_set = set(claim)
    if not claim_set:
        return 0.0
    matched_query: dict[str, float] = {}
    claim_hit = 0.0
    for term in claim_set:
        found = hoax_search._best(term, query)
        if found is not None:
            other, similarity = found
            claim_hit += weight(term) * similarity
            matched_query[other] = max(matched_query.get(other, 0.0), similarity)
    claim_total = sum(weight(t) for t in claim_set)
    query_total = sum(weight(t) for t in query)
    beta = min(max(query_total / claim_total, 0.5), 10.0)
    prior = 8.0 * min(max((beta - 1) / 3, 0.0), 1.0)
    claim_cover = claim_hit / (claim_total + prior)
    query_cover = sum(weight(t) * s for t, s in matched_query.items()) / query_total
    if claim_cover == 0 or query_cover == 0:
        return 0.0
    return float((1 + beta**2) * query_cover * claim_cover / (beta**2 * query_cover + claim_cover))
