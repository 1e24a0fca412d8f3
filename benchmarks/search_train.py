"""Learn the weights of the hoax search's ranker (`bot.hoax_search.WEIGHTS`, `BIAS`).

    python -m benchmarks.search_train [--stemmer sastrawi|snowball] [--write]

Data: the TurnBackHoax dev split in ../shared (see benchmarks/real_hoaxes.py): for each of
its ~578 narratives, every candidate the search considers, labelled 1 for the narrative's
own fact-check and 0 for the others, in both variants of the registry (with the query
rows' explanations, which quote the narratives, and without: so that the ranker also
learns to rely on the headline); plus the candidates of the 98 unrelated dev texts, all 0.
The narratives are long, so short texts are added, made from the real headlines: a chat
paraphrase of a headline (`benchmarks.search.paraphrase`: words dropped and swapped, slang,
typos) labelled like a narrative, and a question on its topic only (two or three of its
words in a chat sentence: "ada yang tahu soal kartu prakerja?"), whose candidates are all
0. Without those the ranker never sees a short text, and takes a question that names a
claim's topic for a repeat of the claim.

Model: a logistic regression on the standardised features (L2, full-batch gradient
descent, numpy; the standardisation is folded into the shipped weights, so the bot needs
no numpy). Reported: recall@1/@3 of the ranking with 2-fold cross-validation (queries split
by parity, trained on one half and measured on the other), then with the weights trained
on all of it. `--write` puts the weights into bot/hoax_search.py.
`--stemmer snowball` measures the same with PyStemmer's Snowball stemmer (when installed).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import real_hoaxes
from benchmarks.search import paraphrase
from bot import hoax_search, normalize

SEARCH_MODULE = Path(hoax_search.__file__)


def _use_snowball() -> None:
    import Stemmer  # type: ignore[import-not-found, unused-ignore]

    snowball = Stemmer.Stemmer("indonesian")
    normalize.stem.cache_clear()
    normalize._stemmer.cache_clear()

    class _Snowball:
        def stem(self, word: str) -> str:
            return str(snowball.stemWord(word))

    setattr(normalize, "_stemmer", lambda: _Snowball())  # noqa: B010 (a measurement swap)


Collected = tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]


SHORT_TEXTS = 600  # headlines turned into a paraphrase and a topic question each
TOPIC_QUESTIONS = (
    "{} kapan ya?",
    "ada yang tahu soal {}?",
    "info {} hari ini gimana?",
    "{} di desa kita sudah ada belum?",
    "mau tanya tentang {}",
    "kemarin ngobrol soal {} sama tetangga",
)


def topic_question(rng: random.Random, headline: str) -> str:
    """Two or three neighbouring words of the headline in a chat sentence."""
    words = [w for w in re.findall(r"[A-Za-z]{3,}", headline)]
    size = min(len(words), rng.choice((2, 3)), max(1, len(words) // 3))
    start = rng.randrange(len(words) - size + 1) if words else 0
    return rng.choice(TOPIC_QUESTIONS).format(" ".join(words[start : start + size]).lower())


async def collect(*, headlines: bool) -> Collected:
    """Per query: feature matrix and labels; then the unrelated texts' feature matrices."""
    queries = real_hoaxes.read_queries()
    unrelated = real_hoaxes.read_unrelated()
    rng = random.Random(12 if headlines else 11)
    with tempfile.TemporaryDirectory() as folder:
        db, _ = await real_hoaxes.open_registry(Path(folder), calibrate=False, headlines=headlines)
        try:
            expected = await real_hoaxes.expected_ids(db, queries)
            features, labels = [], []
            for query, wanted in zip(queries, expected, strict=True):
                found = await hoax_search.candidates(db, query.text)
                features.append(
                    np.array([c.features for c in found]).reshape(-1, len(hoax_search.FEATURES))
                )
                labels.append(np.array([c.rowid == wanted for c in found], dtype=float))
            rows = await db.fetchall("SELECT id, claim FROM hoaxes ORDER BY id")
            negatives = []
            for row in rng.sample(rows, SHORT_TEXTS):
                found = await hoax_search.candidates(db, paraphrase(rng, row["claim"]))
                features.append(
                    np.array([c.features for c in found]).reshape(-1, len(hoax_search.FEATURES))
                )
                labels.append(np.array([c.rowid == row["id"] for c in found], dtype=float))
                found = await hoax_search.candidates(db, topic_question(rng, row["claim"]))
                negatives.append(
                    np.array([c.features for c in found]).reshape(-1, len(hoax_search.FEATURES))
                )
            for text in unrelated:
                found = await hoax_search.candidates(db, text)
                negatives.append(
                    np.array([c.features for c in found]).reshape(-1, len(hoax_search.FEATURES))
                )
        finally:
            await db.close()
    return features, labels, negatives


def fit(
    x: np.ndarray, y: np.ndarray, *, l2: float = 1e-3, steps: int = 3000
) -> tuple[np.ndarray, float]:
    """Logistic regression; returns raw-feature weights and intercept."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    positive = max(y.sum(), 1.0)
    # Positives are rare among candidates: weigh them up so both classes count alike.
    sample = np.where(y > 0, len(y) / (2 * positive), len(y) / (2 * (len(y) - positive)))
    w, b = np.zeros(z.shape[1]), 0.0
    rate = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * sample
        w -= rate * (z.T @ g / len(y) + l2 * w)
        b -= rate * g.mean()
    return w / std, float(b - (w * mean / std).sum())


def recall(
    features: list[np.ndarray], labels: list[np.ndarray], w: np.ndarray, b: float
) -> tuple[float, float]:
    at1 = at3 = 0
    for x, y in zip(features, labels, strict=True):
        if len(y) == 0:
            continue
        order = np.argsort(-(x @ w + b), kind="stable")
        at1 += bool(y[order[:1]].any())
        at3 += bool(y[order[:3]].any())
    return at1 / len(labels), at3 / len(labels)


def train(
    features: list[np.ndarray], labels: list[np.ndarray], negatives: list[np.ndarray]
) -> tuple[np.ndarray, float]:
    xs = [x for x in features + negatives if len(x)]
    ys = [y for y in labels if len(y)] + [np.zeros(len(x)) for x in negatives if len(x)]
    return fit(np.vstack(xs), np.concatenate(ys))


def shipped(w: np.ndarray) -> np.ndarray:
    """The weights as the bot uses them. The dev registry holds no narratives (they are the
    queries), so a narrative's features take the explanation's weights: both are the
    circulating text's own words, which is what those features measure."""
    names = list(hoax_search.FEATURES)
    w = w.copy()
    for feature in ("bm25", "rank", "cover", "pairs"):
        w[names.index(f"narrative_{feature}")] = w[names.index(f"explanation_{feature}")]
    return w


def write(w: np.ndarray, b: float) -> None:
    source = SEARCH_MODULE.read_text(encoding="utf-8")
    pairs = "\n".join(f'    "{n}": {v:.4f},' for n, v in zip(hoax_search.FEATURES, w, strict=True))
    block = f"WEIGHTS = {{\n{pairs}\n}}\nBIAS = {b:.4f}\n"
    source, count = re.subn(r"WEIGHTS = .*?\nBIAS = [^\n]*\n", block, source, count=1, flags=re.S)
    assert count == 1, "WEIGHTS/BIAS block not found"
    SEARCH_MODULE.write_text(source, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stemmer", choices=("sastrawi", "snowball"), default="sastrawi")
    parser.add_argument("--write", action="store_true", help="write the weights into the bot")
    args = parser.parse_args()
    if args.stemmer == "snowball":
        _use_snowball()
    quoted = asyncio.run(collect(headlines=False))
    bare = asyncio.run(collect(headlines=True))
    features, labels = quoted[0] + bare[0], quoted[1] + bare[1]
    negatives = quoted[2] + bare[2]
    count = len(real_hoaxes.read_queries())
    for name, (_, y, _) in (("quoted", quoted), ("headlines", bare)):
        found = sum(bool(v.any()) for v in y[:count]) / count
        print(f"{name}: queries {len(y)}, right claim among the candidates: {found:.3f}")
    folds: dict[str, list[tuple[float, float]]] = {"quoted": [], "headlines": []}
    per_variant = len(quoted[1])
    for half in (0, 1):
        train_ids = [i for i in range(len(labels)) if (i % per_variant) % 2 != half]
        w, b = train([features[i] for i in train_ids], [labels[i] for i in train_ids], negatives)
        for name, (f, y, _) in (("quoted", quoted), ("headlines", bare)):
            test_ids = [i for i in range(count) if i % 2 == half]
            folds[name].append(recall([f[i] for i in test_ids], [y[i] for i in test_ids], w, b))
    for name, measured in folds.items():
        print(
            "{}: 2-fold cross-validated recall@1 {:.3f}, recall@3 {:.3f}".format(
                name, *np.mean(np.array(measured), axis=0)
            )
        )
    w, b = train(features, labels, negatives)
    w = shipped(w)
    for name, (f, y, _) in (("quoted", quoted), ("headlines", bare)):
        measured = recall(f[:count], y[:count], w, b)
        print("{}: trained on all: recall@1 {:.3f}, recall@3 {:.3f}".format(name, *measured))
        short = recall(f[count:], y[count:], w, b)
        print("{}: headline paraphrases: recall@1 {:.3f}, recall@3 {:.3f}".format(name, *short))
    for name, value in zip(hoax_search.FEATURES, w, strict=True):
        print(f"  {name:<20} {value:+.4f}")
    print(f"  {'bias':<20} {b:+.4f}")
    if args.write:
        write(w, b)
        print(f"written to {SEARCH_MODULE}")


if __name__ == "__main__":
    main()
