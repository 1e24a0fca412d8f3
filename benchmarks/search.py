"""How fast and how well `bot.hoax_search.search` finds reworded, misspelt claims.

    python -m benchmarks.search [--quick] [--seed N]

Builds a registry in a temporary database: 50,000 claims (5,000 with --quick), generated
from word lists below. When ../shared/data/hoaks/turnbackhoax_2015_2021.csv is present
(next to the repository), its real headlines come first and generated ones fill up the
rest (at least 1,000 generated ones, which the generated queries are drawn from). The file
is only read, never copied; how well real reposts are found is `benchmarks.search_real`.
The registry is not calibrated, so the default thresholds apply.

Queries: 1,000 (100) paraphrases of registered claims — words dropped and swapped, chat
slang, character typos, chatty additions — plus 200 (20) unrelated chat texts, which must
match nothing. Reported: latency p50/p95 of `search()`, recall@1 and @3, false matches, and
the same for a brute-force baseline (rapidfuzz `process.extract` with token_sort_ratio over
every normalised claim).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from benchmarks import real_hoaxes
from bot import hoaxes
from bot.hoax_search import search
from bot.normalize import normalize
from bot.storage import Database

REAL_FILE = real_hoaxes.REAL_FILE

# --- word lists for generated claims ---------------------------------------------------

PLACES = [
    "Bangil",
    "Beji",
    "Pandaan",
    "Gempol",
    "Prigen",
    "Purwosari",
    "Sukorejo",
    "Grati",
    "Nguling",
    "Lekok",
    "Rembang",
    "Kraton",
    "Pohjentrek",
    "Gondangwetan",
    "Winongan",
    "Rejoso",
    "Lumbang",
    "Puspo",
    "Tosari",
    "Tutur",
    "Pasrepan",
    "Kejayan",
    "Wonorejo",
    "Purwodadi",
    "Surabaya",
    "Malang",
    "Sidoarjo",
    "Probolinggo",
    "Jember",
    "Lumajang",
    "Mojokerto",
    "Jombang",
    "Kediri",
    "Blitar",
    "Tulungagung",
    "Banyuwangi",
    "Situbondo",
    "Bondowoso",
    "Gresik",
    "Lamongan",
    "Tuban",
    "Bojonegoro",
    "Madiun",
    "Ngawi",
    "Magetan",
    "Ponorogo",
    "Pacitan",
    "Trenggalek",
    "Nganjuk",
    "Sampang",
    "Pamekasan",
    "Sumenep",
]
SUBJECTS = [
    "Pemerintah Kabupaten",
    "Bupati",
    "Kepala Desa",
    "Camat",
    "Menteri Kesehatan",
    "Menteri Sosial",
    "Gubernur Jawa Timur",
    "Presiden",
    "PLN",
    "BPJS Kesehatan",
    "Polres",
    "Dinas Sosial",
    "Dinas Pendidikan",
    "Dinas Perhubungan",
    "Puskesmas",
    "Rumah Sakit Umum Daerah",
    "Kantor Pos",
    "Bank Indonesia",
    "Pertamina",
    "Kementerian Agama",
    "Dinas Pertanian",
    "Badan Pertanahan Nasional",
    "Samsat",
    "Dinas Kependudukan",
    "Telkomsel",
    "Majelis Ulama Indonesia",
    "Komisi Pemilihan Umum",
    "Badan Gizi Nasional",
    "Dinas Koperasi",
    "Bank BRI",
    "Kodim",
    "Satpol PP",
    "DPRD",
    "Kejaksaan Negeri",
    "Dinas Lingkungan Hidup",
    "PDAM",
]
ACTIONS = [
    "membagikan",
    "melarang",
    "mewajibkan",
    "menghapus",
    "menaikkan harga",
    "menurunkan tarif",
    "menutup pendaftaran",
    "membuka pendaftaran",
    "mengumumkan pembagian",
    "menyita",
    "menjual murah",
    "menggratiskan",
    "memotong",
    "mencabut",
    "menunda pencairan",
    "mempercepat pencairan",
    "membatalkan",
    "mendata ulang",
    "memblokir",
    "mengganti",
    "menarik kembali",
    "membekukan",
]
OBJECTS = [
    "bantuan tunai",
    "beras gratis",
    "kuota internet",
    "subsidi listrik",
    "vaksin booster",
    "pupuk bersubsidi",
    "sertifikat tanah",
    "kartu prakerja",
    "gas elpiji melon",
    "minyak goreng",
    "surat izin mengemudi",
    "kartu keluarga",
    "ijazah sekolah",
    "beasiswa kuliah",
    "rekening bank",
    "kartu tanda penduduk",
    "bantuan modal usaha",
    "obat cacing",
    "seragam sekolah",
    "bibit padi",
    "sapi kurban",
    "rumah subsidi",
    "token listrik",
    "air bersih",
    "kartu indonesia sehat",
    "paket sembako",
    "tabung oksigen",
    "susu formula",
    "sepeda motor listrik",
    "dana desa",
    "tunjangan guru",
    "gaji perangkat desa",
    "pajak kendaraan",
    "tiket kereta",
    "makan siang gratis",
]
RECIPIENTS = [
    "untuk semua warga",
    "bagi lansia",
    "bagi pemilik kartu keluarga",
    "untuk pelajar",
    "untuk petani",
    "untuk nelayan",
    "untuk pedagang pasar",
    "untuk ibu hamil",
    "untuk guru honorer",
    "untuk ojek online",
    "bagi penyandang disabilitas",
    "untuk pemilik sepeda motor",
    "untuk peternak",
    "bagi karyawan pabrik",
    "untuk santri",
    "untuk buruh tani",
    "bagi pensiunan",
    "untuk anak yatim",
]
TIMES = [
    "mulai besok",
    "mulai bulan depan",
    "hanya hari ini",
    "sebelum lebaran",
    "akhir pekan ini",
    "mulai tahun depan",
    "selama bulan puasa",
    "tanpa syarat",
    "lewat pesan WhatsApp",
    "lewat tautan pendaftaran",
    "tanpa antre",
    "setelah pemilu",
    "pekan depan",
    "malam ini",
]
REMEDIES = [
    "Air kelapa",
    "Rebusan daun sirih",
    "Bawang putih",
    "Air rebusan jahe",
    "Daun pepaya",
    "Kunyit",
    "Madu hutan",
    "Air garam hangat",
    "Rebusan sereh",
    "Minyak kayu putih",
    "Jeruk nipis",
    "Kopi pahit",
    "Temulawak",
    "Daun kelor",
    "Rebusan kulit manggis",
    "Cuka apel",
    "Telur ayam kampung",
    "Air rebusan daun jambu",
]
INGREDIENTS = [
    "garam dapur",
    "gula merah",
    "air hangat",
    "minyak zaitun",
    "kapur sirih",
    "soda kue",
    "susu beruang",
    "daun mint",
    "kencur",
    "cengkeh",
    "asam jawa",
    "air es",
    "teh hijau",
    "bubuk kayu manis",
]
DISEASES = [
    "demam berdarah",
    "kanker",
    "diabetes",
    "darah tinggi",
    "stroke",
    "asam urat",
    "covid",
    "tipes",
    "gagal ginjal",
    "serangan jantung",
    "cacar monyet",
    "polio",
    "campak",
    "maag kronis",
    "sesak napas",
    "kolesterol",
    "hepatitis",
    "flu burung",
]
DURATIONS = [
    "dalam tiga hari",
    "dalam semalam",
    "tanpa obat dokter",
    "dalam satu minggu",
    "seketika",
    "tanpa operasi",
    "dalam sepuluh menit",
    "sampai tuntas",
]
AUTHORITIES = [
    "menurut dokter spesialis",
    "kata profesor dari Jepang",
    "menurut penelitian universitas",
    "kata bidan desa",
    "menurut pesan dari rumah sakit",
    "kata ahli herbal",
    "menurut video dokter",
    "kata perawat puskesmas",
]
DISASTERS = [
    "Gempa besar",
    "Tsunami",
    "Banjir bandang",
    "Angin puting beliung",
    "Letusan Gunung Bromo",
    "Letusan Gunung Semeru",
    "Tanah longsor",
    "Kekeringan panjang",
    "Gelombang panas",
    "Hujan es",
    "Badai tropis",
    "Pemadaman listrik total",
]
WARNINGS = [
    "warga diminta mengungsi",
    "sekolah diliburkan",
    "jalan tol ditutup",
    "pasar ditutup sementara",
    "warga diminta menimbun air",
    "semua kantor diliburkan",
    "warga dilarang keluar rumah",
    "listrik dipadamkan",
]
EVENTS = [
    "Penculikan anak",
    "Begal sadis",
    "Pencurian sapi",
    "Perampokan toko emas",
    "Penjualan organ tubuh",
    "Uang palsu",
    "Beras plastik",
    "Telur palsu",
    "Daging babi oplosan",
    "Obat terlarang dalam permen",
    "Jarum suntik di kursi bioskop",
    "Sindikat hipnotis",
    "Pengemis kaya raya",
    "Ular piton raksasa",
    "Harimau lepas",
]
MODES = [
    "dengan modus menawarkan permen",
    "dengan mobil ambulans",
    "dengan mobil tanpa pelat",
    "berkedok petugas survei",
    "berkedok penjual sayur",
    "dengan modus arisan online",
    "berpura pura menjadi polisi",
    "lewat panggilan video",
    "dengan modus undian berhadiah",
    "memakai seragam ojek online",
    "berkedok petugas PLN",
]
VICTIMS = [
    "menimpa siswa sekolah dasar",
    "menyasar ibu rumah tangga",
    "menyasar lansia",
    "meresahkan pedagang pasar",
    "menimpa sopir truk",
    "menyasar pengguna jalan",
    "menimpa warga perumahan",
    "menyasar petani",
]

TEMPLATES: list[Callable[[random.Random], str]] = [
    lambda r: (
        f"{r.choice(SUBJECTS)} {r.choice(PLACES)} {r.choice(ACTIONS)} {r.choice(OBJECTS)} "
        f"{r.choice(RECIPIENTS)} {r.choice(TIMES)}"
    ),
    lambda r: (
        f"{r.choice(REMEDIES)} dicampur {r.choice(INGREDIENTS)} bisa menyembuhkan "
        f"{r.choice(DISEASES)} {r.choice(DURATIONS)} {r.choice(AUTHORITIES)}"
    ),
    lambda r: (
        f"{r.choice(DISASTERS)} akan melanda {r.choice(PLACES)} dan {r.choice(PLACES)} "
        f"{r.choice(TIMES)}, {r.choice(WARNINGS)}"
    ),
    lambda r: (
        f"{r.choice(EVENTS)} {r.choice(MODES)} {r.choice(VICTIMS)} di {r.choice(PLACES)} "
        f"{r.choice(TIMES)}"
    ),
    lambda r: (
        f"Pesan berantai {r.choice(SUBJECTS)} bagikan {r.choice(OBJECTS)} "
        f"{r.choice(RECIPIENTS)} di {r.choice(PLACES)} {r.choice(TIMES)}"
    ),
]

# --- how people rewrite a claim in chat --------------------------------------------------

TO_SLANG: dict[str, list[str]] = {
    "yang": ["yg"],
    "tidak": ["gak", "ga", "nggak", "tdk"],
    "dengan": ["dgn"],
    "untuk": ["utk", "buat"],
    "sudah": ["udah", "sdh"],
    "karena": ["krn"],
    "bisa": ["bs", "bisa"],
    "saja": ["aja"],
    "dari": ["dr"],
    "lewat": ["lwt"],
    "warga": ["warga2"],
    "orang": ["org"],
    "kabupaten": ["kab"],
    "tahun": ["thn"],
    "bulan": ["bln"],
    "WhatsApp": ["WA", "wa"],
    "tautan": ["link"],
}
OPENERS = [
    "katanya",
    "info dari grup:",
    "beneran gak sih",
    "hati2 ya,",
    "tolong sebarkan!",
    "VIRAL!!",
    "kabarnya",
    "dapet info dr tetangga,",
    "",
    "",
]
CLOSERS = [
    "",
    "",
    "bener gak?",
    "mohon infonya",
    "cek dulu sebelum share",
    "!!!",
    "wkwk",
    "ini hoax?",
]
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"

UNRELATED = [
    "{greet}, besok {activity} di {venue} jam {hour}, jangan lupa bawa {thing}",
    "{greet} bu, {thing} yang kemarin sudah saya titipkan di {venue} ya",
    "Selamat ulang tahun {name}, semoga panjang umur dan sehat selalu",
    "Siapa yang mau ikut {activity} ke {place} hari minggu? kumpul di {venue}",
    "Tolong bantu doa untuk kesembuhan {name} yang dirawat di {venue}",
    "{greet}, jadwal {activity} minggu ini pindah ke {venue} karena hujan",
    "Mas {name}, motornya sudah bisa diambil di bengkel dekat {venue}",
    "Harga {thing} di pasar {place} hari ini naik sedikit, stok masih banyak",
    "Skor akhir {team} lawan {team2} tadi malam dua satu, pertandingan seru",
    "Lomba {activity} tingkat desa {place} dibuka, hadiahnya {thing}",
]
GREETINGS = ["Assalamualaikum", "Selamat pagi", "Halo semua", "Permisi", "Sugeng enjing"]
ACTIVITIES = [
    "kerja bakti",
    "arisan",
    "senam pagi",
    "pengajian",
    "rapat RT",
    "latihan voli",
    "posyandu",
    "tahlilan",
    "lomba masak",
    "jalan sehat",
    "bersih sungai",
]
VENUES = [
    "balai desa",
    "masjid",
    "rumah Pak RT",
    "lapangan",
    "musala",
    "pendopo",
    "warung kopi",
    "sekolah",
]
THINGS = [
    "piring",
    "tikar",
    "sapu lidi",
    "kue",
    "payung",
    "kotak makan",
    "karung",
    "kursi lipat",
    "pisang goreng",
]
NAMES = ["Budi", "Sari", "Wati", "Agus", "Joko", "Rina", "Dimas", "Lestari", "Eko", "Yuni"]
TEAMS = ["Persebaya", "Arema", "Persib", "Persija", "PSIS", "Persela", "Madura United"]


def generate_claims(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    claims: list[str] = []
    while len(claims) < count:
        claim = rng.choice(TEMPLATES)(rng)
        key = normalize(claim)
        if key not in taken:
            taken.add(key)
            claims.append(claim)
    return claims


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # a letter left out
        return word[:i] + word[i + 1 :]
    if kind == 1:  # two letters swapped
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 2:  # a neighbouring key
        return word[:i] + rng.choice(KEYBOARD) + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # a letter doubled


def paraphrase(rng: random.Random, claim: str) -> str:
    """A claim as someone would retype it in a chat: shorter, shuffled, slangy, misspelt."""
    words = claim.replace(",", "").split()
    words = [rng.choice(TO_SLANG[w]) if w in TO_SLANG and rng.random() < 0.7 else w for w in words]
    for _ in range(1 if len(words) < 9 else 2):
        if rng.random() < 0.7 and len(words) > 4:
            del words[rng.randrange(len(words))]
    if rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    long_words = [i for i, w in enumerate(words) if len(w) >= 5]
    for i in rng.sample(long_words, min(len(long_words), rng.choice((1, 1, 2)))):
        words[i] = _typo(rng, words[i])
    text = " ".join(words)
    if rng.random() < 0.7:
        text = text.lower()
    return " ".join(p for p in (rng.choice(OPENERS), text, rng.choice(CLOSERS)) if p)


def unrelated(rng: random.Random) -> str:
    return rng.choice(UNRELATED).format(
        greet=rng.choice(GREETINGS),
        activity=rng.choice(ACTIVITIES),
        venue=rng.choice(VENUES),
        hour=rng.choice(["tujuh", "delapan", "3 sore", "19.00"]),
        thing=rng.choice(THINGS),
        name=rng.choice(NAMES),
        place=rng.choice(PLACES),
        team=rng.choice(TEAMS),
        team2=rng.choice(TEAMS),
    )


# --- the run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RealRow:
    title: str
    verdict: hoaxes.Verdict
    url: str
    narrative: str


def read_real(path: Path) -> list[RealRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            RealRow(
                row["title"].strip(),
                hoaxes.parse_verdict(row["verdict"]) or hoaxes.Verdict.HOAKS,
                row["source_url"].strip(),
                row["claim_text"].strip(),
            )
            for row in csv.DictReader(handle)
            if row["title"].strip()
        ]


def _ms(values: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered) * 1000, 2), round(p95 * 1000, 2)


async def _measure(db: Database, queries: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
    """Latency and recall of `search()`; expected None means nothing should match."""
    times: list[float] = []
    at1 = at3 = related = false = 0
    for text, expected in queries:
        started = time.perf_counter()
        matches = await search(db, text, limit=3)
        times.append(time.perf_counter() - started)
        found = [normalize(m.entry.claim) for m in matches]
        if expected is None:
            false += bool(matches)
            continue
        related += 1
        at1 += found[:1] == [expected]
        at3 += expected in found
    p50, p95 = _ms(times)
    return {
        "queries": len(queries),
        "p50_ms": p50,
        "p95_ms": p95,
        "recall_at_1": round(at1 / related, 3) if related else None,
        "recall_at_3": round(at3 / related, 3) if related else None,
        "false_matches": false,
    }


def _baseline(claims: list[str], queries: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
    """Brute force: token_sort_ratio over every normalised claim.

    Of rapidfuzz's scorers, token_sort_ratio finds the most reworded claims here (WRatio,
    the default, under half of them: its partial matching favours short claims).
    """
    times: list[float] = []
    at1 = at3 = related = 0
    for text, expected in queries:
        if expected is None:
            continue
        started = time.perf_counter()
        best = process.extract(normalize(text), claims, scorer=fuzz.token_sort_ratio, limit=3)
        times.append(time.perf_counter() - started)
        found = [choice for choice, _, _ in best]
        related += 1
        at1 += found[:1] == [expected]
        at3 += expected in found
    p50, p95 = _ms(times)
    return {
        "p50_ms": p50,
        "p95_ms": p95,
        "recall_at_1": round(at1 / related, 3),
        "recall_at_3": round(at3 / related, 3),
    }


async def _run(quick: bool, seed: int, real: list[RealRow]) -> dict[str, Any]:
    rng = random.Random(seed)
    size, query_count, unrelated_count = (5_000, 100, 20) if quick else (50_000, 1_000, 200)
    entries = [hoaxes.NewEntry(r.title, r.verdict, url=r.url) for r in real]
    taken = {normalize(r.title) for r in real}
    generated = generate_claims(rng, max(size - len(entries), 1_000), taken)
    entries += [
        hoaxes.NewEntry(c, hoaxes.Verdict.HOAKS, url=f"https://contoh.kim-bot.id/hoaks/{i}")
        for i, c in enumerate(generated)
    ]
    queries: list[tuple[str, str | None]] = [
        (paraphrase(rng, claim), normalize(claim))
        for claim in rng.sample(generated, min(query_count, len(generated)))
    ]
    queries += [(unrelated(rng), None) for _ in range(unrelated_count)]
    rng.shuffle(queries)

    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "benchmark.sqlite3")
        try:
            started = time.perf_counter()
            async with db.transaction() as conn:
                await hoaxes.add_entries(conn, entries, source="benchmark", now=datetime.now(UTC))
            build_s = time.perf_counter() - started
            registry = await hoaxes.count(db)
            result: dict[str, Any] = await _measure(db, queries)
            result["registry"] = registry
            result["build_s"] = round(build_s, 1)
            claims = [normalize(e.claim) for e in entries]
            result["baseline"] = _baseline(claims, queries)
        finally:
            await db.close()
    return {"search": result}


def run(quick: bool, seed: int = 1, *, real_file: Path = REAL_FILE) -> dict[str, Any]:
    """Build the registry, run every query set, and return the numbers (see module doc)."""
    real = read_real(real_file) if real_file.exists() else []
    return asyncio.run(_run(quick, seed, real))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5,000 claims, 100 queries")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(run(args.quick, args.seed), indent=2))


if __name__ == "__main__":
    main()
