"""Find registered claims that a text repeats, even reworded, in slang, or misspelt.

The algorithm, in three steps:

1. The text becomes stemmed terms (`bot.normalize.terms`). A term the index has never
   seen is probably a typo: its neighbours are looked up in the trigram index of all known
   terms and kept when rapidfuzz rates them ≥ `TYPO_SIMILARITY`.
2. Candidates: an FTS5 OR-query of the rarest terms, best `CANDIDATES` by bm25, the claim
   weighted above the circulating narrative. bm25 scores every row any term matches, so
   the terms are taken rarest first until their entries add up to `POSTINGS` (more terms
   and a larger budget for long texts): common terms cost the most and tell the least.
3. Ranking: each candidate's claim terms are matched to the text's terms (equal, or close
   by rapidfuzz), each term weighted by its inverse document frequency. Two coverages come
   out: how much of the text the claim explains, and how much of the claim the text
   repeats; the score is their F-measure, leaning towards the second as the text grows
   longer than the claim (a forwarded message is usually much longer than the headline
   that checks it). A narrative, when the entry has one, can lift the score.
   Matches below `THRESHOLD` are not returned: unrelated texts get nothing.

Limits: a claim worded with entirely different words (synonyms only) is not found; numbers
are ignored, so "Rp 600 ribu" and "Rp 300 ribu" look alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.hoaxes import Entry, entries_by_id
from bot.normalize import terms
from bot.storage import Database

# Calibrated with benchmarks/search.py (50,000 entries: p95 ≈ 20 ms, recall@3 ≈ 0.98,
# no match for any unrelated text at THRESHOLD 60).
CANDIDATES = 40
QUERY_TERMS = 12  # a short text; a long one gets a third of its terms, up to QUERY_TERMS_LONG
QUERY_TERMS_LONG = 64
MIN_QUERY_TERMS = 4  # taken whatever their cost
POSTINGS = 6000  # entries bm25 may score per QUERY_TERMS terms
TYPO_TERMS = 8  # unknown words looked up per text
TYPO_SIMILARITY = 75.0  # rapidfuzz ratio: one typo in a word of five letters or more
THRESHOLD = 60
NARRATIVE_FACTOR = 0.85  # a narrative is wordier than a claim: its matches count less
NARRATIVE_TERMS = 6  # texts with fewer terms than this count less against a narrative
CLAIM_PRIOR = 8.0  # weight padding a claim gets against a text much longer than it


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: int  # 0–100


async def search(db: Database, text: str, limit: int = 3) -> list[Match]:
    """The best registered claims for `text`, best first; empty when nothing is close."""
    query = list(dict.fromkeys(terms(text)))
    if not query or limit < 1:
        return []
    frequencies = await _document_frequencies(db, query)
    neighbours: dict[str, list[str]] = {}
    unknown = [t for t in query if t not in frequencies and len(t) >= 4]
    for term in unknown[:TYPO_TERMS]:
        neighbours[term] = await _near_terms(db, term)
    extra = {n for near in neighbours.values() for n in near} - frequencies.keys()
    frequencies |= await _document_frequencies(db, extra)
    searchable = {t for t in query if t in frequencies} | {
        n for near in neighbours.values() for n in near
    }
    if not searchable:
        return []
    # A long text needs more terms to reach its headline; a short one is fast with few.
    wanted = min(max(QUERY_TERMS, len(query) // 3), QUERY_TERMS_LONG)
    chosen: list[str] = []
    postings, budget = 0, POSTINGS * wanted // QUERY_TERMS
    for term in sorted(searchable, key=lambda t: (frequencies[t], t))[:wanted]:
        # bm25 scores every row any term matches: common terms cost the most, add the least.
        if len(chosen) >= MIN_QUERY_TERMS and postings + frequencies[term] > budget:
            break
        chosen.append(term)
        postings += frequencies[term]
    rows = await db.fetchall(
        "SELECT rowid, claim, narrative FROM hoax_index WHERE hoax_index MATCH ?"
        " ORDER BY bm25(hoax_index, 1.0, 0.3) LIMIT ?",
        (" OR ".join(f'"{t}"' for t in chosen), CANDIDATES),
    )
    candidate_terms = {t for row in rows for t in row["claim"].split()} - frequencies.keys()
    frequencies |= await _document_frequencies(db, candidate_terms)
    documents = int(await db.fetchval("SELECT count(*) FROM hoaxes")) or 1
    weight = _Weights(frequencies, documents)

    scored: list[tuple[float, int]] = []
    for row in rows:
        score = _score(query, row["claim"].split(), weight)
        if row["narrative"]:
            narrative = set(row["narrative"].split())
            # A few words are found in almost any long narrative: short texts count less.
            sure = min(1.0, len(query) / NARRATIVE_TERMS)
            score = max(score, NARRATIVE_FACTOR * sure * _covered(query, narrative, weight))
        if score * 100 >= THRESHOLD:
            scored.append((score, row["rowid"]))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    best = scored[:limit]
    entries = await entries_by_id(db, (rowid for _, rowid in best))
    return [Match(entries[rowid], round(score * 100)) for score, rowid in best]


class _Weights:
    """Inverse document frequency; a term no entry contains weighs as the rarest."""

    def __init__(self, frequencies: dict[str, int], documents: int) -> None:
        self.frequencies = frequencies
        self.documents = documents

    def __call__(self, term: str) -> float:
        df = self.frequencies.get(term, 0)
        return math.log((self.documents + 1) / (df + 0.5))


def _score(query: list[str], claim: list[str], weight: _Weights) -> float:
    """F-measure of the two weighted coverages (see the module docstring)."""
    claim_set = set(claim)
    if not claim_set:
        return 0.0
    matched_query: dict[str, float] = {}
    claim_hit = 0.0
    for term in claim_set:
        found = _best(term, query)
        if found is not None:
            other, similarity = found
            claim_hit += weight(term) * similarity
            matched_query[other] = max(matched_query.get(other, 0.0), similarity)
    claim_total = sum(weight(t) for t in claim_set)
    query_total = sum(weight(t) for t in query)
    beta = min(max(query_total / claim_total, 0.5), 10.0)
    # Against a long text, a short claim is covered by chance more easily: pad its weight.
    prior = CLAIM_PRIOR * min(max((beta - 1) / 3, 0.0), 1.0)
    claim_cover = claim_hit / (claim_total + prior)
    query_cover = sum(weight(t) * s for t, s in matched_query.items()) / query_total
    if claim_cover == 0 or query_cover == 0:
        return 0.0
    return (1 + beta**2) * query_cover * claim_cover / (beta**2 * query_cover + claim_cover)


def _covered(query: list[str], narrative: set[str], weight: _Weights) -> float:
    """The weighted share of the text's terms that occur in the narrative."""
    total = sum(weight(t) for t in query)
    hit = 0.0
    for term in query:
        found = _best(term, narrative)
        if found is not None:
            hit += weight(term) * found[1]
    return hit / total if total else 0.0


def _best(term: str, among: Iterable[str]) -> tuple[str, float] | None:
    """The same term, or a close spelling of it (only for words long enough to misspell)."""
    pool = among if isinstance(among, set | frozenset) else set(among)
    if term in pool:
        return term, 1.0
    if len(term) < 4:
        return None
    found = process.extractOne(term, pool, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY)
    if found is None:
        return None
    return found[0], found[1] / 100


async def _document_frequencies(db: Database, wanted: Iterable[str]) -> dict[str, int]:
    ordered = sorted(set(wanted))
    found: dict[str, int] = {}
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(
            f"SELECT term, docs FROM hoax_terms WHERE term IN ({marks})", chunk
        )
        found.update((row["term"], int(row["docs"])) for row in rows)
    return found


async def _near_terms(db: Database, term: str) -> list[str]:
    """Known terms spelt like `term`: trigram candidates, then rapidfuzz decides."""
    grams = {term[i : i + 3] for i in range(len(term) - 2)}
    rows = await db.fetchall(
        "SELECT term FROM hoax_terms_index WHERE hoax_terms_index MATCH ? ORDER BY rank LIMIT 30",
        (" OR ".join(f'"{g}"' for g in sorted(grams)),),
    )
    close = process.extract(
        term,
        [row["term"] for row in rows],
        scorer=fuzz.ratio,
        score_cutoff=TYPO_SIMILARITY,
        limit=2,
    )
    return [choice for choice, _, _ in close]
