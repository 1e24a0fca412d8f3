"""Texts of the hoax tipline: /lapor for citizens, /antrian and verdicts for operators."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from html import escape

from bot.hoaxes import Verdict
from bot.texts import esc
from bot.texts.cek import VERDICT_LABELS

SNIPPET = 300

KIND_LABELS = {
    "text": "teks",
    "photo": "foto",
    "video": "video",
    "document": "dokumen",
    "voice": "pesan suara",
}

# --- the reporter's side ---------------------------------------------------------------------

ASK_CONTENT = (
    "📣 <b>Laporkan kabar mencurigakan</b>\n"
    "Kirim atau teruskan (forward) pesannya ke sini: teks, tautan, foto, video, dokumen, "
    "atau pesan suara.\n\nKetik /batal untuk membatalkan."
)

ACCEPTED = (
    "Yang bisa dilaporkan: teks, tautan, foto, video, dokumen, atau pesan suara (paling lama "
    "5 menit), masing-masing paling besar 20 MB."
)
UNSUPPORTED = "Maaf, jenis pesan ini belum bisa dilaporkan. " + ACCEPTED
TOO_LARGE = "Maaf, pesan ini terlalu besar. " + ACCEPTED
EMPTY = "Pesannya kosong. " + ACCEPTED


def rate_limited(per_hour: int) -> str:
    return (
        f"Maaf, Anda sudah mengirim {per_hour} laporan dalam satu jam terakhir. "
        "Silakan kirim lagi nanti. Terima kasih atas kepedulian Anda! 🙏"
    )


def ask_area(ticket: str) -> str:
    return (
        f"✅ Laporan Anda tercatat dengan nomor <b>{esc(ticket)}</b>.\n\n"
        "Di kecamatan mana kabar ini beredar? Pilih di bawah, atau tekan <b>Lewati</b>."
    )


SKIP = "Lewati"


def area_saved(ticket: str, kecamatan: str | None) -> str:
    where = f" (Kec. {esc(kecamatan)})" if kecamatan else ""
    return (
        f"✅ Terima kasih! Laporan <b>{esc(ticket)}</b>{where} sudah kami terima.\n"
        "Petugas akan memeriksanya, dan hasilnya kami kirim ke chat ini."
    )


GROUP_USAGE = (
    "Untuk melapor: balas (reply) pesan yang mencurigakan dengan /lapor. "
    "Pelapor tidak disebutkan di grup."
)
GROUP_UNSUPPORTED = "Maaf, jenis pesan ini belum bisa dilaporkan. " + ACCEPTED
GROUP_RATE_LIMITED = "Maaf, batas laporan per jam sudah tercapai. Silakan coba lagi nanti. 🙏"


def group_received(ticket: str, *, reachable: bool) -> str:
    then = (
        "Hasil pemeriksaan dikirim ke pelapor lewat chat pribadi."
        if reachable
        else "Pelapor: tekan tombol di bawah agar hasilnya bisa dikirim lewat chat pribadi."
    )
    return f"✅ Laporan diterima petugas (<b>{esc(ticket)}</b>). {then}"


CONTINUE_PRIVATELY = "Lanjut di chat pribadi"


def continued_privately(ticket: str, group: str | None, *, ask_area: bool) -> str:
    source = f" dari grup {esc(group)}" if group else ""
    text = (
        f"📣 Laporan Anda{source} tercatat dengan nomor <b>{esc(ticket)}</b>. "
        "Hasil pemeriksaan akan kami kirim ke chat ini."
    )
    if ask_area:
        text += "\n\nDi kecamatan mana kabar ini beredar? Pilih di bawah, atau tekan <b>Lewati</b>."
    return text


LINK_NOT_VALID = "Tautan ini sudah tidak berlaku. Untuk melapor, ketik /lapor."
NOTHING_TO_REPORT = "Pesan yang akan dilaporkan tidak ditemukan. Silakan kirim /lapor lagi."


def verdict_for_reporter(ticket: str, verdict: Verdict, explanation: str, url: str) -> str:
    lines = [
        f"📣 <b>Hasil pemeriksaan laporan {esc(ticket)}</b>",
        "",
        f"<b>{VERDICT_LABELS[verdict]}</b>",
    ]
    if explanation:
        lines.append(esc(explanation))
    if url.startswith(("https://", "http://")):
        lines.append(f'<a href="{escape(url, quote=True)}">Baca rujukannya</a>')
    lines += ["", "Terima kasih sudah melapor! 🙏"]
    return "\n".join(lines)


# --- the operators' side ---------------------------------------------------------------------

VERDICT_NAMES: dict[Verdict, str] = {
    Verdict.HOAKS: "Hoaks",
    Verdict.DISINFORMASI: "Disinformasi",
    Verdict.MISINFORMASI: "Misinformasi",
    Verdict.FAKTA: "Fakta",
    Verdict.TIDAK_DAPAT_DIVERIFIKASI: "Tidak dapat diverifikasi",
}
DUPLICATE = "Duplikat…"
OPEN_CASE = "🔎 Periksa"
CLARIFY = "📢 Kirim klarifikasi"
NO_OTHER_CASES = "Tidak ada kasus terbuka lain."
CASE_CLOSED = "Kasus ini sudah diputus atau digabung."
CLARIFICATION_EXISTS = "Klarifikasi kasus ini sudah dibuat dan sedang diproses."


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[:SNIPPET].rsplit(" ", 1)[0] + "…"


def _content(kind: str, text: str) -> str:
    label = KIND_LABELS.get(kind, kind)
    return f"[{label}] <i>{esc(_snippet(text))}</i>" if text else f"[{label} tanpa keterangan]"


def new_case(
    number: str,
    kind: str,
    text: str,
    origins: Sequence[str],
    reports: int,
    areas: Sequence[str],
    *,
    with_button: bool = True,
) -> str:
    lines = [f"🆕 <b>Laporan hoaks baru — kasus {number}</b>", _content(kind, text)]
    if origins:
        lines.append(f"Diteruskan dari: {esc(', '.join(origins))}")
    lines.append(f"Laporan: {reports} · Wilayah: {esc(', '.join(areas)) if areas else '-'}")
    lines.append(
        "Periksa lewat /antrian atau tombol di bawah." if with_button else "Periksa lewat /antrian."
    )
    return "\n".join(lines)


def queue_entry(
    number: str,
    kind: str,
    text: str,
    reports: int,
    areas: Sequence[str],
    matches: Sequence[tuple[str, int]],
) -> str:
    lines = [
        f"<b>Kasus {number}</b> — {reports} laporan · {esc(', '.join(areas)) if areas else '-'}",
        _content(kind, text),
    ]
    lines += [
        f"mirip dengan: {esc(_snippet(claim))} (kemiripan {score}%)" for claim, score in matches
    ]
    return "\n".join(lines)


def queue(entries: Sequence[str], total: int) -> str:
    shown = f" (ditampilkan {len(entries)})" if total > len(entries) else ""
    header = f"📋 <b>Antrian laporan hoaks</b>: {total} kasus terbuka{shown}\n\n"
    return header + "\n\n".join(entries)


EMPTY_QUEUE = "✅ Tidak ada laporan hoaks yang menunggu pemeriksaan."


def case_button(number: str, reports: int) -> str:
    return f"{number} · {reports} laporan"


def case_panel(
    entry: str,
    *,
    first_reported: str,
    origins: Sequence[str],
    reporters: Sequence[str] | None,
    pending: str | None,
) -> str:
    lines = [entry, f"Laporan pertama: {esc(first_reported[:16].replace('T', ' '))}"]
    if origins:
        lines.append(f"Diteruskan dari: {esc(', '.join(origins))}")
    if reporters is not None:
        lines.append(f"Pelapor (hanya untuk petugas): {esc(', '.join(reporters))}")
    if pending:
        lines.append(f"Sedang diputus: {esc(pending)}")
    lines.append("\nPilih putusan:")
    return "\n".join(lines)


def pick_duplicate(number: str) -> str:
    return f"Kasus {number} adalah duplikat dari kasus mana?"


def merged(number: str, into: str, reports: int) -> str:
    return (
        f"🔗 Kasus {number} digabung ke kasus {into} (sekarang {reports} laporan). "
        "Pelapornya akan menerima putusan kasus itu."
    )


EXPLAIN_PREFIX = "✍️ Tulis penjelasan"
_VERDICT_PATTERN = "|".join(re.escape(name) for name in VERDICT_NAMES.values())
EXPLAIN_PATTERN = (
    re.escape(EXPLAIN_PREFIX) + r" untuk kasus #(\d+), putusan: (" + _VERDICT_PATTERN + r")\."
)


def ask_explanation(number: str, verdict: Verdict) -> str:
    return (
        f"{EXPLAIN_PREFIX} untuk kasus {number}, putusan: {VERDICT_NAMES[verdict]}.\n"
        "Balas pesan ini dengan penjelasan singkat untuk warga yang melapor."
    )


def verdict_named(name: str) -> Verdict | None:
    return next((v for v, n in VERDICT_NAMES.items() if n == name), None)


LINK_PREFIX = "🔗 Tautan rujukan"
LINK_PATTERN = re.escape(LINK_PREFIX) + r" untuk kasus #(\d+)"


def ask_link(number: str) -> str:
    return (
        f"{LINK_PREFIX} untuk kasus {number} (tidak wajib).\n"
        "Balas pesan ini dengan tautannya (https://…), atau tekan <b>Lewati</b>."
    )


BAD_LINK = "Tautan harus diawali https:// dan tanpa spasi. Balas lagi, atau tekan Lewati."
EXPLANATION_PLACEHOLDER = "Penjelasan"
EMPTY_EXPLANATION = "Penjelasannya kosong. Balas prompt tadi dengan penjelasan singkat."


def decided(number: str, verdict: Verdict, reachable: int, total: int) -> str:
    return (
        f"✅ Kasus {number} diputus: <b>{VERDICT_LABELS[verdict]}</b>.\n"
        f"Hasil sedang dikirim ke {reachable} dari {total} pelapor, dan masuk ke basis data /cek."
    )


def alert(
    case_numbers: Sequence[str], reports: int, areas: Sequence[str], kecamatan: str | None
) -> str:
    where = esc(", ".join(areas)) if areas else "wilayah belum diketahui"
    if kecamatan is not None:
        return (
            f"🚨 <b>Peringatan dini</b>: {reports} laporan dari Kec. {esc(kecamatan)} dalam "
            f"waktu singkat (kasus {', '.join(case_numbers)}). Periksa lewat /antrian."
        )
    return (
        f"🚨 <b>Peringatan dini</b>: kasus {case_numbers[0]} dilaporkan {reports} kali dalam "
        f"waktu singkat. Wilayah: {where}. Periksa lewat /antrian."
    )


def clarification_body(claim: str, verdict: Verdict, explanation: str, url: str) -> str:
    """Plain text (announcements carry formatting as entities, not HTML)."""
    rumour = f"Beredar kabar: “{_snippet(claim)}”" if claim else "Beredar kabar di wilayah kita."
    lines = [rumour, f"Hasil pemeriksaan: {VERDICT_LABELS[verdict]}."]
    if explanation:
        lines += ["", explanation]
    if url:
        lines += ["", f"Rujukan: {url}"]
    lines += ["", "Mohon tidak ikut menyebarkan kabar tersebut. Cek kabar lain lewat /cek."]
    return "\n".join(lines)


def statistics(
    reports: int, cases: int, open_cases: int, verdicts: int, median: timedelta | None
) -> str:
    return (
        "<b>Laporan hoaks</b> (sejak awal)\n"
        f"Laporan: {reports} · kasus: {cases} ({open_cases} terbuka) · putusan: {verdicts}\n"
        f"Median waktu sampai putusan: {_duration(median)}"
    )


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} menit"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} jam {minutes} menit"
    return f"{hours // 24} hari {hours % 24} jam"


ORIGIN_KINDS = {
    "user": "pengguna",
    "hidden_user": "pengguna",
    "chat": "grup",
    "channel": "kanal",
    "whatsapp": "WhatsApp",  # a forward on WhatsApp does not say from whom
}


def origin(kind: str, name: str) -> str:
    """A forwarded message's source, as operators read it: "kanal Info Warga (@infowarga)"."""
    return f"{ORIGIN_KINDS.get(kind, kind)} {name}".strip()
