"""Find registered fact-checks that a text repeats, even reworded, in slang, or misspelt.

The algorithm, in four steps:

1. The text becomes stemmed terms (`bot.normalize.terms`). A term the index has never
   seen is probably a typo: its neighbours are looked up in the trigram index of all known
   terms and kept when rapidfuzz rates them ≥ `TYPO_SIMILARITY`.
2. Candidates: an FTS5 OR-query of the rarest terms against each of the three indexes
   (headline, explanation, circulating narrative), best by bm25 in each. bm25 scores every
   row any term matches, so the terms are taken rarest first until their entries add up to
   `POSTINGS` (more for long texts): common terms cost the most and tell the least.
3. Ranking: `FEATURES` lexical features per candidate (bm25 and rank per index, weighted
   coverage of the text by the headline and of the headline by the text, exact and fuzzy,
   rare-term overlap, word pairs shared with the headline, the explanation and the
   narrative, length ratio), combined by a logistic regression whose weights
   (`WEIGHTS`) were learnt on the TurnBackHoax dev set by `benchmarks/search_train.py`.
   Tiers compare its log-odds; the score shown (0–100) is the probability of the log-odds
   shifted so that the `cocok` threshold sits at 90: it means the same whatever the
   registry's size, and the raw probability saturates near 100 long before `cocok`.
4. Tiers: `cocok` (the text repeats the checked claim) above a threshold that no text of
   the shipped calibration set of unrelated true texts (`bot/data/unrelated.txt`) reaches;
   `terkait` (possibly related; never worded as "this is a hoax") above a threshold that
   about one calibration text in ten reaches. Both follow the registry: bm25 and rarity
   shift as it grows, so `calibrate` runs again at every import and stores them.

Limits, measured on real data (`python -m benchmarks.run --only search_real`: TurnBackHoax
2015–2021, 6,540 fact-checks, its 578 circulating narratives as queries and left out of
the registry; unrelated: 98 true texts never used for the thresholds):
- When the fact-check's explanation quotes the narrative (all 578 do), /cek shows the right
  one in its top 3 for 0.983 of them, and answers `cocok` with it first for 0.798.
- With the headline alone (those explanations left out too), the ranking still has it in
  the top 3 for 0.79, but /cek shows it for only 0.635 and `cocok` for 0.149: a short,
  generic headline ("Situs untuk mendaftar Kartu Prakerja") scores no higher against its
  narrative than against a true announcement on the same topic, and `cocok` must stay
  silent for those. Unrelated texts: `cocok` 0 of 98, any answer 10%.
- A claim worded with entirely different words (synonyms only) is not found; numbers are
  ignored, so "Rp 600 ribu" and "Rp 300 ribu" look alike; the weights were learnt on this
  dev split (2015–2021), so newer wording may do worse.
- p95 per query: 23–30 ms on the real registry, 21 ms on 50,000 generated claims.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from importlib import resources
from itertools import pairwise

from rapidfuzz import fuzz, process

from bot.clock import isoformat
from bot.hoaxes import Entry, entries_by_id
from bot.normalize import terms
from bot.storage import Database

QUERY_TERMS = 12  # a short text; a long one gets a third of its terms, up to QUERY_TERMS_LONG
QUERY_TERMS_LONG = 64
MIN_QUERY_TERMS = 4  # taken whatever their cost
POSTINGS = 6000  # entries bm25 may score per QUERY_TERMS terms
TYPO_TERMS = 8  # unknown words looked up per text
TYPO_SIMILARITY = 75.0  # rapidfuzz ratio: one typo in a word of five letters or more
CLAIM_PRIOR = 8.0  # weight padding a claim gets against a text much longer than it
# Candidates taken from each index, best bm25 first.
PER_INDEX = {"claim": 100, "explanation": 20, "narrative": 20}

# The features that describe a candidate, in the order of `Candidate.features`, each with
# its weight learnt by benchmarks/search_train.py (standardisation folded in); BIAS is the
# intercept.
WEIGHTS = {
    "claim_bm25": -0.2665,
    "explanation_bm25": 0.3398,
    "narrative_bm25": 0.3398,
    "claim_rank": 3.5097,
    "explanation_rank": -0.5972,
    "narrative_rank": -0.5972,
    "claim_cover": 9.7602,
    "query_cover": 0.9812,
    "f_measure": 0.7887,
    "fuzzy_share": -3.2994,
    "rare_overlap": 1.0565,
    "claim_pairs": 1.7978,
    "explanation_cover": -5.8301,
    "explanation_pairs": 13.4387,
    "narrative_cover": -5.8301,
    "narrative_pairs": 13.4387,
    "length_ratio": -1.0803,
    "query_length": 1.0098,
}
BIAS = -7.9360
FEATURES = tuple(WEIGHTS)

# Thresholds are log-odds of the ranker. The defaults hold until the first import
# calibrates (they are what the TurnBackHoax registry calibrates to); the floors keep a
# tiny registry, which meets few of the calibration texts, from answering everything.
DEFAULT_COCOK = 9.4
DEFAULT_TERKAIT = 3.3
MIN_COCOK = 6.0
MIN_TERKAIT = 2.0
TERKAIT_SHARE = 0.10  # of the calibration texts, the share allowed a `terkait` answer
COCOK_MARGIN = 0.1  # above the best calibration text's log-odds


class Tier(StrEnum):
    COCOK = "cocok"
    TERKAIT = "terkait"


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: int  # 0–100; 90 and above is `cocok`
    tier: Tier


@dataclass(frozen=True)
class Candidate:
    rowid: int
    features: tuple[float, ...]

    @property
    def logit(self) -> float:
        return BIAS + sum(WEIGHTS[n] * v for n, v in zip(FEATURES, self.features, strict=True))


@dataclass(frozen=True)
class Thresholds:
    cocok: float
    terkait: float


async def search(db: Database, text: str, limit: int = 3) -> list[Match]:
    """The best registered claims for `text`, best first, each with its tier; empty when
    nothing reaches `terkait`."""
    if limit < 1:
        return []
    ranked = await rank(db, text)
    limits = await thresholds(db)
    best = [(z, rowid) for z, rowid in ranked if z >= limits.terkait][:limit]
    entries = await entries_by_id(db, (rowid for _, rowid in best))
    return [
        Match(entries[rowid], _score(z, limits), Tier.COCOK if z >= limits.cocok else Tier.TERKAIT)
        for z, rowid in best
    ]


def _score(z: float, limits: Thresholds) -> int:
    """0–100, where the `cocok` threshold is 90 (see the module docstring)."""
    shifted = max(min(z - limits.cocok + math.log(9), 40.0), -40.0)
    score = round(100 / (1 + math.exp(-shifted)))
    return max(score, 90) if z >= limits.cocok else min(score, 89)


async def rank(db: Database, text: str) -> list[tuple[float, int]]:
    """Every candidate's log-odds of being the claim `text` repeats, best first."""
    scored = [(c.logit, c.rowid) for c in await candidates(db, text)]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return scored


async def thresholds(db: Database) -> Thresholds:
    rows = await db.fetchall("SELECT tier, score FROM hoax_thresholds")
    stored = {row["tier"]: float(row["score"]) for row in rows}
    return Thresholds(
        cocok=stored.get(Tier.COCOK.value, DEFAULT_COCOK),
        terkait=stored.get(Tier.TERKAIT.value, DEFAULT_TERKAIT),
    )


def calibration_texts() -> list[str]:
    """The shipped unrelated, true Indonesian texts (one a line; # starts a comment)."""
    return list(_calibration_texts())


@functools.cache
def _calibration_texts() -> tuple[str, ...]:
    raw = resources.files("bot").joinpath("data/unrelated.txt").read_text(encoding="utf-8")
    return tuple(
        line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")
    )


def thresholds_for(best_scores: Sequence[float]) -> Thresholds:
    """`cocok` just above the best unrelated text, `terkait` above all but TERKAIT_SHARE."""
    ordered = sorted(best_scores)
    if not ordered:
        return Thresholds(DEFAULT_COCOK, DEFAULT_TERKAIT)
    cocok = max(MIN_COCOK, ordered[-1] + COCOK_MARGIN)
    quantile = ordered[min(len(ordered) - 1, math.ceil((1 - TERKAIT_SHARE) * len(ordered)))]
    terkait = min(max(MIN_TERKAIT, quantile), cocok)
    return Thresholds(round(cocok, 4), round(terkait, 4))


async def calibrate(db: Database, *, now: datetime) -> Thresholds:
    """Score the calibration texts against the registry as it is and store the thresholds
    (see `thresholds_for`); run after every import."""
    best: list[float] = []
    for text in calibration_texts():
        ranked = await rank(db, text)
        best.append(ranked[0][0] if ranked else -math.inf)
    found = thresholds_for(best)
    registry = int(await db.fetchval("SELECT count(*) FROM hoaxes"))
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO hoax_thresholds(tier, score, registry, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(tier) DO UPDATE SET score = excluded.score,"
            " registry = excluded.registry, at = excluded.at",
            [
                (Tier.COCOK.value, found.cocok, registry, isoformat(now)),
                (Tier.TERKAIT.value, found.terkait, registry, isoformat(now)),
            ],
        )
    return found


async def candidates(db: Database, text: str) -> list[Candidate]:
    """The entries worth ranking for `text`, each with its features (see `FEATURES`)."""
    ordered = terms(text)
    query = list(dict.fromkeys(ordered))
    if not query:
        return []
    frequencies, chosen = await _chosen_terms(db, query)
    if not chosen:
        return []
    match = " OR ".join(f'"{t}"' for t in chosen)
    ranks: dict[str, dict[int, int]] = {}
    bm25: dict[str, dict[int, float]] = {}
    for field, size in PER_INDEX.items():
        rows = await db.fetchall(
            f"SELECT rowid, bm25(hoax_{field}_index) AS score FROM hoax_{field}_index"
            f" WHERE hoax_{field}_index MATCH ? ORDER BY score LIMIT ?",
            (match, size),
        )
        ranks[field] = {row["rowid"]: place for place, row in enumerate(rows)}
        # A candidate outside an index's best few gets no bm25 there: scoring it would
        # cost the whole OR-query again.
        bm25[field] = {row["rowid"]: -float(row["score"]) for row in rows}
    pool = sorted({rowid for found in ranks.values() for rowid in found})
    if not pool:
        return []
    texts = await _indexed_terms(db, pool)
    claim_terms = {t for words in texts["claim"].values() for t in words}
    frequencies |= await _document_frequencies(db, claim_terms - frequencies.keys())
    documents = int(await db.fetchval("SELECT count(*) FROM hoaxes")) or 1
    weight = _Weights(frequencies, documents, query)
    query_pairs = set(pairwise(ordered))
    found = []
    for rowid in pool:
        claim = texts["claim"].get(rowid, [])
        values = {f"{index}_bm25": bm25[index].get(rowid, 0.0) / len(chosen) for index in PER_INDEX}
        values |= {f"{index}_rank": _closeness(ranks[index].get(rowid)) for index in PER_INDEX}
        values |= _claim_features(query, ordered, claim, weight)
        for index in ("explanation", "narrative"):
            values |= _text_features(index, query, query_pairs, texts, rowid, weight)
        found.append(Candidate(rowid, tuple(values[name] for name in FEATURES)))
    return found


async def _chosen_terms(db: Database, query: list[str]) -> tuple[dict[str, int], list[str]]:
    """The document frequency of every term met so far, and the terms worth searching for:
    the query's rarest known terms and the registry's neighbours of its unknown ones."""
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
    return frequencies, chosen


async def _indexed_terms(db: Database, pool: list[int]) -> dict[str, dict[int, list[str]]]:
    """Per index, the stored terms of each entry in `pool`."""
    marks = ",".join("?" * len(pool))
    texts: dict[str, dict[int, list[str]]] = {}
    for field in PER_INDEX:
        rows = await db.fetchall(
            f"SELECT rowid, terms FROM hoax_{field}_index WHERE rowid IN ({marks})", pool
        )
        texts[field] = {row["rowid"]: row["terms"].split() for row in rows}
    return texts


def _closeness(place: int | None) -> float:
    return 0.0 if place is None else 1 / (1 + place)


def _claim_features(
    query: list[str], ordered: list[str], claim: list[str], weight: _Weights
) -> dict[str, float]:
    """How well the headline and the text explain each other (see `FEATURES`)."""
    claim_set = set(claim)
    query_total = weight.query_total
    claim_total = sum(weight(t) for t in claim_set) or 1.0
    matched_query: dict[str, float] = {}
    claim_hit = fuzzy_hit = 0.0
    rare = rare_hit = 0
    rare_weight = math.log((weight.documents + 1) / 10.5)
    for term in claim_set:
        is_rare = weight(term) >= rare_weight
        rare += is_rare
        found = _best(term, query)
        if found is None:
            continue
        other, similarity = found
        claim_hit += weight(term) * similarity
        if other != term:
            fuzzy_hit += weight(term) * similarity
        rare_hit += is_rare
        matched_query[other] = max(matched_query.get(other, 0.0), similarity)
    claim_cover = claim_hit / claim_total
    query_cover = sum(weight(t) * s for t, s in matched_query.items()) / query_total
    beta = min(max(query_total / claim_total, 0.5), 10.0)
    # Against a long text, a short claim is covered by chance more easily: pad its weight.
    prior = CLAIM_PRIOR * min(max((beta - 1) / 3, 0.0), 1.0)
    padded = claim_hit / (claim_total + prior)
    f_measure = (
        (1 + beta**2) * query_cover * padded / (beta**2 * query_cover + padded)
        if query_cover and padded
        else 0.0
    )
    claim_pairs = set(pairwise(claim))
    query_pairs = set(pairwise(ordered))
    return {
        "claim_cover": claim_cover,
        "query_cover": query_cover,
        "f_measure": f_measure,
        "fuzzy_share": fuzzy_hit / claim_total,
        "rare_overlap": rare_hit / rare if rare else 0.0,
        "claim_pairs": len(claim_pairs & query_pairs) / len(claim_pairs) if claim_pairs else 0.0,
        "length_ratio": math.log((1 + len(query)) / (1 + len(claim_set))),
        "query_length": math.log(1 + len(query)),
    }


def _text_features(
    field: str,
    query: list[str],
    query_pairs: set[tuple[str, str]],
    texts: dict[str, dict[int, list[str]]],
    rowid: int,
    weight: _Weights,
) -> dict[str, float]:
    """How much of the text an explanation or narrative contains (a quoted repost: most)."""
    words = texts[field].get(rowid)
    if not words:
        return {f"{field}_cover": 0.0, f"{field}_pairs": 0.0}
    present = set(words)
    cover = sum(weight(t) for t in query if t in present) / weight.query_total
    pairs = set(pairwise(words))
    shared = len(query_pairs & pairs) / len(query_pairs) if query_pairs else 0.0
    return {f"{field}_cover": cover, f"{field}_pairs": shared}


class _Weights:
    """Inverse document frequency; a term no entry contains weighs as the rarest."""

    def __init__(self, frequencies: dict[str, int], documents: int, query: list[str]) -> None:
        self.frequencies = frequencies
        self.documents = documents
        self.known: dict[str, float] = {}
        self.query_total = sum(self(t) for t in query) or 1.0

    def __call__(self, term: str) -> float:
        known = self.known.get(term)
        if known is None:
            df = self.frequencies.get(term, 0)
            known = self.known[term] = math.log((self.documents + 1) / (df + 0.5))
        return known


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
