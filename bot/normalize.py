"""Indonesian chat text reduced to comparable words, for the hoax registry and its search.

A forwarded hoax and its fact-check headline rarely share exact spelling: chat writes
"yg", "gak", "bangettt", "hati2", adds links and emoji, and conjugates the same root
("disebarkan", "penyebaran"). The steps, in order:

1. Unicode compatibility form, accents dropped, lower case; links removed.
2. Reduplication written with a 2 ("hati2") becomes two words; other digits are dropped.
3. Runs of three or more equal letters collapse to one ("bangettt" → "banget").
4. Words are split on anything that is not a letter; chat slang and abbreviations are
   replaced by the standard word(s) (`SLANG`), Jakarta-style verbs ("nyebarin",
   "dikirimin") by their standard form.
5. For searching only: function words are dropped (`STOPWORDS`) and the rest stemmed with
   Sastrawi, the dictionary stemmer (PySastrawi), whose roots are exact where the rule-based
   Snowball stemmer clips them ("menipu" → "tipu", Snowball "ipu"). Measured here it takes
   0.05–1.5 ms for a word (the slowest are words it does not know, typos among them), so
   stems are cached per process. On the TurnBackHoax dev set (`benchmarks/search_train.py
   --stemmer snowball`, 2-fold cross-validated) the two are close: with headlines only,
   Sastrawi puts the right fact-check among the candidates for 0.879 of the narratives
   (Snowball 0.867) and in the top 3 for 0.792 (0.782); with quoting explanations both
   are at 0.998–1.000. Sastrawi was kept for the harder case and for readable roots.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

SLANG: dict[str, str] = {
    # negation
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "nggk": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "kagak": "tidak",
    "jgn": "jangan",
    "blm": "belum",
    "blum": "belum",
    "blom": "belum",
    "belom": "belum",
    "bkn": "bukan",
    # connectives
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "utk": "untuk",
    "krn": "karena",
    "krna": "karena",
    "karna": "karena",
    "tp": "tetapi",
    "tpi": "tetapi",
    "tapi": "tetapi",
    "jg": "juga",
    "dr": "dari",
    "dri": "dari",
    "dlm": "dalam",
    "pd": "pada",
    "sm": "sama",
    "ama": "sama",
    "spt": "seperti",
    "kyk": "seperti",
    "kayak": "seperti",
    "klo": "kalau",
    "kalo": "kalau",
    "kl": "kalau",
    "sbg": "sebagai",
    "tsb": "tersebut",
    "trs": "terus",
    "jd": "jadi",
    "jdi": "jadi",
    "aja": "saja",
    "aj": "saja",
    "cuma": "hanya",
    "cuman": "hanya",
    # verbs and adverbs
    "sdh": "sudah",
    "udah": "sudah",
    "udh": "sudah",
    "dah": "sudah",
    "bs": "bisa",
    "bsa": "bisa",
    "dpt": "dapat",
    "dapet": "dapat",
    "hrs": "harus",
    "msh": "masih",
    "lg": "lagi",
    "emg": "memang",
    "emang": "memang",
    "bgt": "banget",
    "bngt": "banget",
    "skrg": "sekarang",
    "skrng": "sekarang",
    "bnyk": "banyak",
    "byk": "banyak",
    "gmn": "bagaimana",
    "gimana": "bagaimana",
    "knp": "mengapa",
    "kenapa": "mengapa",
    "bener": "benar",
    "bnr": "benar",
    "denger": "dengar",
    "ngasih": "memberi",
    "dikasih": "diberi",
    "lwt": "lewat",
    "link": "tautan",
    "wa": "whatsapp",
    "fb": "facebook",
    "ig": "instagram",
    "nyebar": "menyebar",
    "disebar": "disebarkan",
    "bikin": "membuat",
    "dibikin": "dibuat",
    "pake": "pakai",
    "dipake": "dipakai",
    "ngomong": "berbicara",
    # people and things
    "sy": "saya",
    "aku": "saya",
    "gue": "saya",
    "gw": "saya",
    "kmu": "kamu",
    "km": "kamu",
    "lu": "kamu",
    "lo": "kamu",
    "org": "orang",
    "ortu": "orang tua",
    "temen": "teman",
    "tmn": "teman",
    "bpk": "bapak",
    "pak": "bapak",
    "bu": "ibu",
    "duit": "uang",
    "hp": "ponsel",
    "info": "informasi",
    "infonya": "informasi",
    "pemkab": "pemerintah kabupaten",
    "pemkot": "pemerintah kota",
    "pemprov": "pemerintah provinsi",
    "pemda": "pemerintah daerah",
    "kab": "kabupaten",
    "kec": "kecamatan",
    "ds": "desa",
    "kel": "kelurahan",
    "bansos": "bantuan sosial",
    "blt": "bantuan langsung tunai",
    "medsos": "media sosial",
    "rb": "ribu",
    "jt": "juta",
    "thn": "tahun",
    "bln": "bulan",
    "hr": "hari",
    "tgl": "tanggal",
    "gratisan": "gratis",
    "mie": "mi",
}

STOPWORDS: frozenset[str] = frozenset(
    [
        "ada",
        "adalah",
        "agar",
        "akan",
        "aku",
        "anda",
        "apa",
        "apakah",
        "atas",
        "atau",
        "bahwa",
        "bahkan",
        "banget",
        "begitu",
        "beliau",
        "benarkah",
        "beneran",
        "bisa",
        "dalam",
        "dan",
        "dari",
        "demikian",
        "dengan",
        "deh",
        "di",
        "dia",
        "dong",
        "hal",
        "hanya",
        "harus",
        "hingga",
        "ini",
        "itu",
        "iya",
        "jadi",
        "jika",
        "juga",
        "kabarnya",
        "kalau",
        "kami",
        "kamu",
        "karena",
        "katanya",
        "ke",
        "kepada",
        "kita",
        "kok",
        "lagi",
        "lah",
        "lalu",
        "lho",
        "loh",
        "maka",
        "masih",
        "mereka",
        "mohon",
        "nah",
        "nih",
        "nya",
        "oleh",
        "pada",
        "para",
        "per",
        "pun",
        "saat",
        "saja",
        "sama",
        "sampai",
        "sangat",
        "saya",
        "se",
        "sebagai",
        "sebuah",
        "sedang",
        "sehingga",
        "seperti",
        "serta",
        "sih",
        "sudah",
        "supaya",
        "tentang",
        "telah",
        "terhadap",
        "tersebut",
        "terus",
        "tetapi",
        "tolong",
        "untuk",
        "ya",
        "yah",
        "yaitu",
        "yakni",
        "yang",
    ]
)

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
