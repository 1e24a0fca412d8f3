"""The hoax registry: verdict labels, file import (all or nothing), search, command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import hoax_import, hoax_search, hoaxes
from bot.hoax_import import RegistryFileError
from bot.hoax_search import search
from bot.hoaxes import Kind, NewEntry, Verdict
from bot.storage import Database

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

# Invented claims, written for these tests.
CLAIMS = [
    ("Minum air rebusan daun sirsak tiga kali sehari menyembuhkan kanker paru", Verdict.HOAKS),
    (
        "Bupati membagikan sepeda motor gratis bagi warga yang mengisi formulir daring",
        Verdict.HOAKS,
    ),
    ("Jembatan penghubung Desa Kalirejo ambruk diterjang banjir semalam", Verdict.FAKTA),
    ("Sinyal ponsel 5G menyebarkan penyakit kulit pada anak anak", Verdict.DISINFORMASI),
    ("Sekolah dasar di kecamatan diliburkan sebulan karena wabah campak", Verdict.MISINFORMASI),
    ("PDAM menambahkan obat bius ke dalam air leding pada malam hari", Verdict.HOAKS),
    ("Pasar hewan ditutup karena penyakit mulut dan kuku menyerang sapi", Verdict.FAKTA),
    ("Petugas sensus palsu meminta foto KTP dan kode OTP warga", Verdict.TIDAK_DAPAT_DIVERIFIKASI),
]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "registry.sqlite3")
    yield database
    await database.close()


async def _register(db: Database) -> None:
    entries = [
        NewEntry(claim, verdict, f"Penjelasan {i}.", f"https://cek.contoh.id/{i}")
        for i, (claim, verdict) in enumerate(CLAIMS)
    ]
    async with db.transaction() as conn:
        await hoaxes.add_entries(conn, entries, source="test", now=NOW)
    await hoax_search.calibrate(db, now=NOW)  # as `hoaks import` does


@pytest.mark.parametrize(
    ("label", "verdict"),
    [
        ("SALAH", Verdict.HOAKS),
        ("hoax", Verdict.HOAKS),
        ("FITNAH", Verdict.HOAKS),
        ("PENIPUAN", Verdict.HOAKS),
        ("HOAX+HASUT", Verdict.HOAKS),
        ("DISINFORMASI, HASUT", Verdict.DISINFORMASI),
        ("Misleading", Verdict.MISINFORMASI),
        ("KLARIFIKASI", Verdict.MISINFORMASI),
        ("SATIRE", Verdict.MISINFORMASI),
        ("SATIR", Verdict.MISINFORMASI),
        ("HOAX KILLS", Verdict.HOAKS),
        ("HOAX+LOGICAL FALLACY", Verdict.HOAKS),
        ("HOAX, HASUT, & PROVOKASI", Verdict.HOAKS),
        ("DISINFORMASI/MISINFORMASI", Verdict.DISINFORMASI),
        ("KLARIFIKASI, EDUKASI", Verdict.MISINFORMASI),
        ("EDUKASI,HOAX", Verdict.HOAKS),
        ("BENAR", Verdict.FAKTA),
        ("belum terbukti", Verdict.TIDAK_DAPAT_DIVERIFIKASI),
        ("EDUKASI, HOAX", Verdict.HOAKS),
        ("LOGIKA", None),
        ("", None),
    ],
)
def test_foreign_labels_map_onto_our_verdicts(label: str, verdict: Verdict | None) -> None:
    """Fact-checkers' labels, single or combined, become one of the five verdicts."""
    assert hoaxes.parse_verdict(label) == verdict


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("SATIR", Kind.SATIRE),
        ("PARODI", Kind.SATIRE),
        ("CLARIFICATION", Kind.KLARIFIKASI),
        ("KLARIFIKASI, EDUKASI", Kind.KLARIFIKASI),
        ("EDUKASI, HOAX", Kind.PLAIN),
        ("SALAH", Kind.PLAIN),
    ],
)
def test_satire_and_clarification_keep_their_kind(label: str, kind: Kind) -> None:
    """Satire and clarifications are told apart; a hoax part in the label outranks them."""
    parsed = hoaxes.parse_label(label)
    assert parsed is not None and parsed[1] is kind


async def test_unknown_labels_are_skipped_and_listed_or_refused_with_strict(
    db: Database, tmp_path: Path
) -> None:
    """Unknown labels skip their rows (all listed); --strict refuses the file; re-import adds
    nothing."""
    path = tmp_path / "campur.csv"
    path.write_text(
        "title,verdict,url\nA satu,SALAH,https://a\nB dua,NGAWUR,https://b\n"
        "C tiga,SATIR,https://c\nD empat,,https://d\nE lima,HOAX KILLS,https://e\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryFileError) as caught:
        await hoax_import.import_file(db, path, now=NOW, strict=True)
    assert "baris 3: 'NGAWUR'" in str(caught.value)
    assert "baris 5: ''" in str(caught.value)
    assert await hoaxes.count(db) == 0

    result = await hoax_import.import_file(db, path, now=NOW)
    assert (result.added, result.duplicates, result.total) == (3, 0, 3)
    assert [(s.where, s.label) for s in result.skipped] == [("baris 3", "NGAWUR"), ("baris 5", "")]
    assert result.labels[("SATIR", Verdict.MISINFORMASI, Kind.SATIRE)] == 1
    again = await hoax_import.import_file(db, path, now=NOW)
    assert (again.added, again.duplicates, again.total) == (0, 3, 3)


async def test_every_import_recalibrates_the_thresholds(db: Database, tmp_path: Path) -> None:
    """Each import scores the calibration set against the registry as it now is and stores
    both thresholds, `cocok` above every unrelated text's best score."""
    for size in (2, len(CLAIMS)):
        path = tmp_path / f"bagian{size}.csv"
        path.write_text(
            "title,verdict,url\n"
            + "".join(
                f"{c},{v.value},https://cek.contoh.id/{i}\n"
                for i, (c, v) in enumerate(CLAIMS[:size])
            ),
            encoding="utf-8",
        )
        await hoax_import.import_file(db, path, now=NOW)
        rows = await db.fetchall("SELECT tier, score, registry FROM hoax_thresholds ORDER BY tier")
        assert [(r["tier"], r["registry"]) for r in rows] == [("cocok", size), ("terkait", size)]
        limits = await hoax_search.thresholds(db)
        best = [
            max((z for z, _ in await hoax_search.rank(db, t)), default=-99.0)
            for t in hoax_search.calibration_texts()
        ]
        assert max(best) < limits.cocok
        assert limits.terkait <= limits.cocok


async def test_csv_import_keeps_rows_and_skips_duplicates(db: Database, tmp_path: Path) -> None:
    """Rows become entries (extra columns ignored); the same rows again are all duplicates."""
    path = tmp_path / "cekfakta.csv"
    path.write_text(
        "title,verdict,explanation,url,date,penulis\n"
        '"Garam krosok bisa menangkal santet, katanya",SALAH,Tidak ada bukti.,'
        "https://cek.contoh.id/garam,2024-05-06,Ani\n"
        "[HOAKS] Lampu jalan baru memancarkan radiasi,,Lampu biasa.,"
        "https://cek.contoh.id/lampu,06/05/2024,Budi\n"
        "Garam krosok bisa menangkal santet katanya!!,salah,,https://cek.contoh.id/garam,,Ani\n",
        encoding="utf-8",
    )
    result = await hoax_import.import_file(db, path, now=NOW)
    assert (result.added, result.duplicates, result.total) == (2, 1, 2)
    rows = await db.fetchall("SELECT claim, verdict, url, date, source FROM hoaxes ORDER BY id")
    assert [tuple(r) for r in rows] == [
        (
            "Garam krosok bisa menangkal santet, katanya",
            "hoaks",
            "https://cek.contoh.id/garam",
            "2024-05-06",
            "import:cekfakta.csv",
        ),
        (
            "Lampu jalan baru memancarkan radiasi",
            "hoaks",
            "https://cek.contoh.id/lampu",
            "2024-05-06",
            "import:cekfakta.csv",
        ),
    ]
    again = await hoax_import.import_file(db, path, now=NOW)
    assert (again.added, again.duplicates, again.total) == (0, 3, 2)


async def test_turnbackhoax_json_import(db: Database, tmp_path: Path) -> None:
    """API records: title prefix or classification gives the verdict, first reference the link."""
    records = {
        "status": "ok",
        "data": [
            {
                "title": "[SALAH] Ikan lele di kolam desa mengandung cacing berbahaya",
                "content": "Jangan makan lele dari kolam desa, sudah banyak yang sakit perut",
                "fact": "<p>Dinas Perikanan memeriksa sampel.</p>",
                "conclusion": "Tidak ada cacing &amp; lele aman.",
                "references": "https://cek.contoh.id/lele\nhttps://cek.contoh.id/lain",
                "tanggal": "2023-11-02 08:15:00",
            },
            {
                "title": "Jam malam untuk pelajar berlaku di seluruh kabupaten",
                "classification": "BENAR",
                "fact": "<b>Surat edaran</b> bupati.",
                "references": ["https://cek.contoh.id/jam-malam"],
                "tanggal": "",
            },
        ],
    }
    path = tmp_path / "tbh.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = await hoax_import.import_file(db, path, now=NOW)
    assert (result.added, result.duplicates) == (2, 0)
    found = await hoaxes.entries_by_id(db, [1, 2])
    lele, jam = found[1], found[2]
    assert lele.claim == "Ikan lele di kolam desa mengandung cacing berbahaya"
    assert (lele.verdict, lele.url, lele.date) == (
        Verdict.HOAKS,
        "https://cek.contoh.id/lele",
        "2023-11-02",
    )
    assert lele.explanation == "Tidak ada cacing & lele aman."
    assert lele.narrative.startswith("Jangan makan lele")
    assert (jam.verdict, jam.explanation, jam.url, jam.date) == (
        Verdict.FAKTA,
        "Surat edaran bupati.",
        "https://cek.contoh.id/jam-malam",
        None,
    )
    # The narrative is searchable too: a forwarded message in its words finds the entry.
    matches = await search(db, "jgn makan lele dr kolam desa, udah bnyk yg sakit perut")
    assert matches[0].entry.id == lele.id


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        ("title,verdict\nA satu,SALAH\n,HOAX\n", "baris 3: judul (title) kosong"),
        ("title,verdict\nA satu,SALAH\nB dua,SALAH,lebih\n", "baris 3: 3 kolom"),
        ('title,verdict\nA satu,SALAH\n"B dua"x,SALAH\n', "baris 3:"),
        ("judul_berita,verdict\nA,SALAH\n", "baris 1: baris judul kolom harus memuat 'title'"),
        ("title,verdict,date\nA,SALAH,kemarin\n", "baris 2: tanggal tidak dikenal"),
    ],
)
async def test_malformed_csv_is_rejected_whole(
    db: Database, tmp_path: Path, content: str, fault: str
) -> None:
    """The error names the line at fault, and none of the good rows before it is kept."""
    path = tmp_path / "rusak.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryFileError) as caught:
        await hoax_import.import_file(db, path, now=NOW)
    assert str(caught.value).startswith("rusak.csv ")
    assert fault in str(caught.value)
    assert "\n" not in str(caught.value)
    assert await hoaxes.count(db) == 0


async def test_malformed_json_and_encoding_are_rejected(db: Database, tmp_path: Path) -> None:
    """A record without a title, broken JSON and non-UTF-8 bytes each name their place."""
    bad_record = tmp_path / "a.json"
    bad_record.write_text(json.dumps([{"title": "X", "classification": "SALAH"}, {"x": 1}]))
    with pytest.raises(RegistryFileError, match="rekaman 2: judul"):
        await hoax_import.import_file(db, bad_record, now=NOW)
    broken = tmp_path / "b.json"
    broken.write_text('[\n{"title": "X",\n"classification" "SALAH"}]')
    with pytest.raises(RegistryFileError, match="baris 3: JSON tidak sah"):
        await hoax_import.import_file(db, broken, now=NOW)
    latin = tmp_path / "c.csv"
    latin.write_bytes("title,verdict\nA,SALAH\nCaf\u00e9,SALAH\n".encode("latin-1"))
    with pytest.raises(RegistryFileError, match="baris 3: bukan teks UTF-8"):
        await hoax_import.import_file(db, latin, now=NOW)
    assert await hoaxes.count(db) == 0


async def test_paraphrase_with_typos_is_found_first(db: Database) -> None:
    """Reworded, in slang and misspelt, the claim still comes first, `cocok`."""
    await _register(db)
    matches = await search(db, "katanya bupati bagi2 motor gratiss buat warga yg isi formlir onlen")
    assert matches[0].entry.claim == CLAIMS[1][0]
    assert (matches[0].tier, matches[0].score >= 90) == (hoax_search.Tier.COCOK, True)
    matches = await search(db, "hati2 air rebusan daun sirsak bs nyembuhin kangker paru!!")
    assert matches[0].entry.claim == CLAIMS[0][0]
    assert matches[0].entry.verdict is Verdict.HOAKS


@pytest.mark.parametrize(
    "text",
    [
        "Selamat pagi bu, besok arisan di rumah Pak RT jam tujuh ya",
        "Skor Persebaya lawan Arema tadi malam dua satu",
        "yang dan di ke dari",
        "🙏🙏🙏",
    ],
)
async def test_unrelated_text_matches_nothing(db: Database, text: str) -> None:
    """Chat that repeats no registered claim gets no match at all."""
    await _register(db)
    assert await search(db, text) == []


async def test_add_entry_is_idempotent_and_searchable(db: Database) -> None:
    """An operator's verdict is found right away; registering it twice keeps one entry."""
    async with db.transaction() as conn:
        first = await hoaxes.add_entry(
            conn,
            claim="Kades Sukamaju kabur membawa dana desa",
            verdict=Verdict.HOAKS,
            source="verdict:17",
            now=NOW,
            url="https://cek.contoh.id/kades",
        )
        second = await hoaxes.add_entry(
            conn,
            claim="kades sukamaju kabur membawa dana desa!",
            verdict=Verdict.HOAKS,
            source="verdict:18",
            now=NOW,
            url="https://cek.contoh.id/kades",
        )
    assert first == second
    assert await hoaxes.count(db) == 1
    (match,) = await search(db, "kades sukamaju kabur bawa dana desa")
    assert (match.entry.id, match.entry.source) == (first, "verdict:17")


def _cli(args: list[str], database: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_PATH": str(database), "REGION_CODE": "35.14"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "hoaks", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_command_line_import_and_check(tmp_path: Path) -> None:
    """`hoaks import` summarises; `hoaks cek --json` answers one text or one per stdin line."""
    database = tmp_path / "kim-bot.sqlite3"
    source = tmp_path / "hoaks.csv"
    source.write_text(
        "title,verdict,explanation,url,date\n"
        + "".join(
            f"{claim},{verdict.value},,https://cek.contoh.id/{i},\n"
            for i, (claim, verdict) in enumerate(CLAIMS)
        ),
        encoding="utf-8",
    )
    imported = _cli(["import", str(source)], database)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[0] == (
        "Impor hoaks.csv: 8 entri baru, 0 duplikat dilewati, 0 baris dilewati (putusan tidak "
        "dikenal); basis data kini 8 entri."
    )
    assert "       3  HOAKS → hoaks" in imported.stdout

    one = _cli(["cek", "sinyal 5g nyebarin penyakit kulit ke anak2", "--json"], database)
    assert one.returncode == 0, one.stderr
    (best, *_) = json.loads(one.stdout)
    assert best["claim"] == CLAIMS[3][0]
    assert best["verdict"] == "disinformasi"
    assert best["url"] == "https://cek.contoh.id/3"
    assert best["tier"] == "cocok"
    assert 0 <= best["score"] <= 100

    lines = "pdam kasih obat bius di air leding malem2\narisan besok jam tujuh di balai desa\n"
    many = _cli(["cek", "-", "--json"], database, stdin=lines)
    assert many.returncode == 0, many.stderr
    first, second = (json.loads(line) for line in many.stdout.splitlines())
    assert first[0]["claim"] == CLAIMS[5][0]
    assert second == []

    table = _cli(["cek", "pasar hewan ditutup, sapi kena penyakit mulut dan kuku"], database)
    assert "fakta" in table.stdout
    assert CLAIMS[6][0] in table.stdout


def test_command_line_rejects_a_malformed_file(tmp_path: Path) -> None:
    """A bad file ends with one line on stderr, exit status 2, and an empty registry."""
    database = tmp_path / "kim-bot.sqlite3"
    source = tmp_path / "rusak.csv"
    source.write_text("title,verdict\nA satu,SALAH\nB dua,APA\nC,ENTAH\n", encoding="utf-8")
    result = _cli(["import", "--strict", str(source)], database)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Impor gagal, tidak ada yang disimpan: rusak.csv: putusan tidak dikenal di "
        "baris 3: 'APA'; baris 4: 'ENTAH'"
    ]
    check = _cli(["cek", "A satu", "--json"], database)
    assert check.stdout.strip() == "[]"


async def test_the_first_import_rebuilds_an_index_left_by_the_previous_search(
    db: Database, tmp_path: Path
) -> None:
    """An upgraded registry keeps the old index's terms; its first import re-indexes every
    entry with today's stemmer, explanations included."""
    async with db.transaction() as conn:
        await hoaxes.add_entries(
            conn,
            [NewEntry(CLAIMS[0][0], Verdict.HOAKS, "Daun sirsak bukan obat kanker paru.")],
            source="verdict:1",
            now=NOW,
        )
        # What the previous stemmer left: clipped roots, no explanation index.
        await conn.execute("UPDATE hoax_claim_index SET terms = 'inum ebus aun sirsak'")
        await conn.execute("DELETE FROM hoax_explanation_index")
    assert await search(db, "minum rebusan daun sirsak sembuhkan kanker paru") == []
    path = tmp_path / "baru.csv"
    path.write_text(f"title,verdict\n{CLAIMS[2][0]},BENAR\n", encoding="utf-8")
    await hoax_import.import_file(db, path, now=NOW)
    (found, *_) = await search(db, "minum rebusan daun sirsak sembuhkan kanker paru")
    assert found.entry.claim == CLAIMS[0][0]
    assert await db.fetchval("SELECT count(*) FROM hoax_explanation_index") == 1
