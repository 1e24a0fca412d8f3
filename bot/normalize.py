"""Indonesian chat text reduced to comparable words, for the hoax registry and its search.

A forwarded hoax and its fact-check headline rarely share exact spelling: chat writes
"yg", "gak", "bangettt", "hati2", adds links and emoji, and conjugates the same root
("disebarkan", "penyebaran"). The steps, in order:

1. Unicode compatibility form, accents dropped, lower case; links removed.
2. Reduplication written with a 2 ("hati2") becomes two words; other digits are dropped.
3. Runs of three or more equal letters collapse to one ("bangettt" → "banget").
4. Words are split on anything that is not a letter; chat slang and abbreviations are
   replaced by the standard word(s) (`SLANG`, listed in bot/data/slang.tsv), Jakarta-style
   verbs ("nyebarin", "dikirimin") by their standard form.
5. For searching only: function words are dropped (`STOPWORDS`, bot/data/stopwords.txt) and
   the rest stemmed with Sastrawi, the dictionary stemmer (PySastrawi), whose roots are
   exact where the rule-based Snowball stemmer clips them ("menipu" → "tipu", Snowball
   "ipu"). Measured here it takes 0.05–1.5 ms for a word (the slowest are words it does not
   know, typos among them), so stems are cached per process. On the TurnBackHoax dev set
   (`benchmarks/search_train.py --stemmer snowball`, 2-fold cross-validated) the two are
   close: with headlines only, Sastrawi puts the right fact-check among the candidates for
   0.879 of the narratives (Snowball 0.867) and in the top 3 for 0.792 (0.782); with quoting
   explanations both are at 0.998–1.000. Sastrawi was kept for the harder case and for
   readable roots.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources
from typing import Any

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory


def _lines(name: str) -> list[str]:
    """A word list of bot/data/, without its comments and blank lines."""
    text = resources.files("bot").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


# Word lists live in bot/data/ so that they can be reviewed and extended as lists.
SLANG: dict[str, str] = dict(line.split("\t", 1) for line in _lines("slang.tsv"))
STOPWORDS: frozenset[str] = frozenset(_lines("stopwords.txt"))

_URL = re.compile(r"(?:https?://|www\.)\S+")
_REDUPLICATION = re.compile(r"([a-z]{2,})2(?![0-9])")
_DIGITS = re.compile(r"[0-9]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_NOT_LETTERS = re.compile(r"[^a-z]+")


def words(text: str) -> list[str]:
    """The text's words in standard spelling, in order (stopwords kept, nothing stemmed)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    folded = _URL.sub(" ", folded)
    folded = _REDUPLICATION.sub(r"\1 \1", folded)
    folded = _DIGITS.sub(" ", folded)
    folded = _REPEATS.sub(r"\1", folded)
    result: list[str] = []
    for word in _NOT_LETTERS.split(folded):
        if word:
            result.extend(SLANG.get(word, _colloquial_verb(word)).split())
    return result


def _colloquial_verb(word: str) -> str:
    """Jakarta-style verbs in their standard form: "nyembuhin" → "menyembuhkan"."""
    if len(word) < 7 or not word.endswith("in") or not word.startswith(("ny", "ng", "di")):
        return word
    stem = word[:-2] + "kan"
    return "me" + stem if stem.startswith(("ny", "ng")) else stem


def normalize(text: str) -> str:
    """One comparable string: the same claim written two ways gives the same result."""
    return " ".join(words(text))


def terms(text: str) -> list[str]:
    """Stemmed content words, in order and with repeats: what the search index holds."""
    content = [w for w in words(text) if len(w) > 1 and w not in STOPWORDS]
    return [s for s in map(stem, content) if len(s) > 1 and s not in STOPWORDS]


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The root of one lower-case word; cached, because chat repeats its words a lot."""
    return str(_stemmer().stem(word))


@functools.cache
def _stemmer() -> Any:
    """One stemmer per process, created on first use (its dictionary loads in ~10 ms)."""
    return StemmerFactory().create_stemmer()
