"""Which open case a new report belongs to: the same picture, link or text, or a close text.

A new report joins an *open* case when it carries the same photo/file (`file_unique_id`), the
same link, the same text after `bot.normalize.normalize`, or a text close to one of the
case's reports: both texts reduced to stemmed terms (`bot.normalize.terms`), each term matched
to its closest spelling in the other text (rapidfuzz), and the two coverages combined into an
F-measure. Texts of fewer than `MIN_TERMS` terms only join on exact matches, because a few
common words ("bantuan desa") are shared by unrelated claims.
"""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite
from rapidfuzz import fuzz, process

MIN_TERMS = 3
MATCH_THRESHOLD = 60  # F-measure (0–100) of the two texts' matched terms
TERM_SIMILARITY = 75.0  # rapidfuzz ratio: one typo in a word of five letters or more
OPEN_REPORTS_COMPARED = 2000  # the most recent reports of open cases, for the fuzzy join


def similarity(first: Sequence[str], second: Sequence[str]) -> int:
    """0–100: how far two texts' terms cover each other (see the module docstring)."""
    a, b = set(first), set(second)
    if len(a) < MIN_TERMS or len(b) < MIN_TERMS:
        return 0
    covered_a = sum(_closest(term, b) for term in a) / len(a)
    covered_b = sum(_closest(term, a) for term in b) / len(b)
    if covered_a == 0 or covered_b == 0:
        return 0
    return round(100 * 2 * covered_a * covered_b / (covered_a + covered_b))


def _closest(term: str, among: set[str]) -> float:
    if term in among:
        return 1.0
    if len(term) < 4:
        return 0.0
    found = process.extractOne(term, among, scorer=fuzz.ratio, score_cutoff=TERM_SIMILARITY)
    return 0.0 if found is None else found[1] / 100


async def matching_case(
    conn: aiosqlite.Connection,
    text_key: str,
    report_terms: list[str],
    link: str,
    file_unique_id: str | None,
) -> int | None:
    """The open case this report belongs to, if any (exact matches first, then close text)."""
    for column, value in (
        ("file_unique_id", file_unique_id),
        ("link", link),
        ("text_key", text_key),
    ):
        if not value:
            continue
        async with conn.execute(
            f"SELECT r.case_id FROM hoax_reports r JOIN hoax_cases c ON c.id = r.case_id"
            f" WHERE c.status = 'open' AND r.{column} = ? ORDER BY r.id LIMIT 1",
            (value,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            return int(row[0])
    if len(set(report_terms)) < MIN_TERMS:
        return None
    rows = await conn.execute_fetchall(
        "SELECT r.case_id, r.terms FROM hoax_reports r JOIN hoax_cases c ON c.id = r.case_id"
        " WHERE c.status = 'open' AND r.terms != '' ORDER BY r.id DESC LIMIT ?",
        (OPEN_REPORTS_COMPARED,),
    )
    best: tuple[int, int] | None = None
    for row in rows:
        score = similarity(report_terms, str(row[1]).split())
        if score >= MATCH_THRESHOLD and (best is None or score > best[0]):
            best = (score, int(row[0]))
    return None if best is None else best[1]
