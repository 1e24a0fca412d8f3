"""Texts of announcements: how they look to recipients, and the operators' side of sending."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.texts import MONTHS, TOPIC_LABELS, esc

URGENCY_BADGES = {"darurat": "🚨 DARURAT", "penting": "❗ PENTING", "biasa": ""}
URGENCY_LABELS = {"biasa": "Biasa", "penting": "❗ Penting", "darurat": "🚨 Darurat"}

# --- what recipients see (plain text: formatting travels as entities) -------------------


def header_lines(organization: str, topic: str, urgency: str) -> tuple[str, str]:
    """(bold first line, second line) of every announcement."""
    badge = URGENCY_BADGES.get(urgency, "")
    second = f"{badge} · {TOPIC_LABELS[topic]}" if badge else TOPIC_LABELS[topic]
    return f"📢 {organization}", second


def footer(number: str, *, verified: bool, correction_of: str | None = None) -> str:
    label = "✅ Terverifikasi" if verified else "📝 Draf — belum diverifikasi"
    ralat = f"Ralat atas pengumuman {correction_of} · " if correction_of else ""
    return f"— {ralat}Pengumuman {number} · {label}"


VOTE_UP = "👍 Bermanfaat"
VOTE_DOWN = "👎 Kurang jelas"
RELAYED = "✅ Sudah diteruskan ke warga"
SHARE_WHATSAPP = "📲 Bagikan ke WhatsApp"
VOTE_THANKS = {"up": "Terima kasih! 👍", "down": "Terima kasih, masukan Anda kami catat."}
VOTE_SAME = "Pilihan Anda sudah tercatat."
RELAY_THANKS = "Terima kasih sudah meneruskan ke warga! 🙏"
RELAY_ALREADY = "Grup ini sudah tercatat meneruskan pengumuman ini."


def whatsapp_headline(topic: str) -> str:
    """The header of the WhatsApp template sent outside a person's 24-hour window."""
    return f"Pengumuman {TOPIC_LABELS.get(topic, topic)}"


def whatsapp_notice_headline(organization: str) -> str:
    """The template's header when what waits is a notice (a verdict, a digest)."""
    return f"Kabar dari {organization}"


def media_on_telegram(kind: str, organization: str) -> str:
    """The line a WhatsApp reader gets instead of an announcement's picture or file."""
    what = "Foto" if kind == "photo" else "Berkas"
    return f"📎 {what} pengumuman ini ada di Telegram {organization}."


def relay_footer(number: int, organization: str, code: str) -> str:
    """The last line of an announcement relayed to WhatsApp (bot.relay reads it back)."""
    return f"— Pengumuman #{number} · {organization} · kode {code}"


# --- progress and report for the operator ----------------------------------------------


def progress(number: str, done: int, total: int, failed: int) -> str:
    percent = 100 if total == 0 else int(done * 100 / total)
    filled = percent * 8 // 100
    bar = "▓" * filled + "░" * (8 - filled)
    return (
        f"📤 Pengumuman {esc(number)}\n"
        f"Terkirim {done - failed}/{total} · gagal {failed} · {bar} {percent}%"
    )


FAILURE_REASONS = {
    "blocked": "memblokir bot",
    "kicked": "bot dikeluarkan dari grup",
    "forbidden": "bot tidak boleh menulis",
    "chat_not_found": "chat tidak ditemukan",
    "no_rights": "bot tidak punya hak kirim",
    "network": "gangguan jaringan",
    "rejected": "ditolak Telegram",
    "migrated_duplicate": "grup pindah (sudah terkirim ke grup baru)",
    "bukan_whatsapp": "nomor tidak memakai WhatsApp",
    "tidak_didukung": "WhatsApp-nya belum mendukung pesan ini",
    "menolak_pemasaran": "menolak pesan promosi di WhatsApp",
    "batas_harian": "melewati batas harian WhatsApp",
}

KIND_LABELS = {"kim": "grup KIM", "forum": "Forum KIM", "channel": "kanal", "private": "pelanggan"}


def final_report(
    number: str,
    sent: int,
    total: int,
    failed_by_reason: dict[str, int],
    skipped: int,
    channels: Sequence[str] = (),
) -> str:
    """`channels`: delivery per channel, where the announcement also went to WhatsApp."""
    lines = [
        f"✅ <b>Pengumuman {esc(number)} selesai dikirim</b>",
        f"Terkirim: {sent} dari {total}",
    ]
    if failed_by_reason:
        lines.append(f"Gagal: {sum(failed_by_reason.values())}")
        lines += [
            f"• {esc(FAILURE_REASONS.get(reason, reason))}: {count}"
            for reason, count in sorted(failed_by_reason.items())
        ]
        lines.append("Chat yang tidak terjangkau sudah ditandai dan tidak dihitung lagi.")
    if skipped:
        lines.append(f"Dilewati (dibatalkan): {skipped}")
    lines += channels
    return "\n".join(lines)


FAILURES_CSV_CAPTION = "Daftar pengiriman yang gagal."


# --- composing (/siaran) ----------------------------------------------------------------

ASK_CONTENT = (
    "📝 <b>Pengumuman baru</b>\n"
    "Kirim isi pengumumannya di sini: teks, foto dengan keterangan, atau dokumen dengan "
    "keterangan. Format tulisan (tebal, miring, tautan) akan dipertahankan.\n"
    "Ketik /batal untuk membatalkan."
)
UNSUPPORTED_CONTENT = (
    "Yang bisa dikirim: teks, foto dengan keterangan, atau dokumen dengan keterangan."
)


def caption_too_long(length: int, limit: int) -> str:
    return (
        f"Keterangan terlalu panjang: {length} karakter, padahal maksimal {limit} karakter "
        "untuk foto/dokumen (sudah termasuk kepala dan kaki pengumuman). Persingkat "
        "keterangannya, atau kirim sebagai teks biasa lalu fotonya terpisah."
    )


def text_split_notice(parts: int) -> str:
    return f"Teksnya panjang, jadi akan dikirim dalam {parts} pesan yang berurutan."


ASK_TOPIC = "Pilih <b>topik</b> pengumuman:"
ASK_URGENCY = "Seberapa <b>mendesak</b> pengumuman ini?"
KABUPATEN = "Seluruh kabupaten"
CHOOSE_KECAMATAN = "Kecamatan…"
CHOOSE_DESA = "Desa…"
FORUMS_ONLY = "Hanya Forum KIM"
SUBSCRIBERS = "Pelanggan topik ini"
CHANNELS = "Kanal Telegram"
TO_PREVIEW = "Lanjut ke pratinjau »"
DONE = "Selesai ✓"
CANCEL_DRAFT = "✖ Batalkan draf"
SUBMIT = "📨 Kirim ke verifikator"
EDIT_TARGETS = "✏️ Ubah sasaran"
PICK_KECAMATAN_FOR_DESA = "Pilih kecamatannya dulu, lalu desanya:"


def checkbox(label: str, on: bool) -> str:
    return f"{'☑' if on else '☐'} {label}"


def targets_panel(
    number: str,
    topic: str,
    urgency: str,
    *,
    kabupaten: bool,
    kecamatan: list[str],
    desa: list[str],
    forums_only: bool,
    subscribers: bool,
    channels: bool,
) -> str:
    areas = []
    if kabupaten:
        areas.append("seluruh kabupaten")
    if kecamatan:
        areas.append("Kec. " + ", ".join(kecamatan))
    if desa:
        areas.append("Desa " + ", ".join(desa))
    yes_no = {True: "ya", False: "tidak"}
    return (
        f"<b>Sasaran pengumuman {esc(number)}</b>\n"
        f"Topik: {esc(TOPIC_LABELS[topic])} · Urgensi: {URGENCY_LABELS[urgency]}\n"
        f"Wilayah: {esc('; '.join(areas)) if areas else '<i>belum dipilih</i>'}\n"
        f"Hanya Forum KIM: {yes_no[forums_only]} · Pelanggan: {yes_no[subscribers]}"
        f" · Kanal: {yes_no[channels]}\n\n"
        "Atur dengan tombol di bawah (boleh digabung), lalu lanjut ke pratinjau."
    )


def pick_kecamatan(count: int) -> str:
    return f"Pilih kecamatan sasaran (dipilih: {count}):"


def pick_desa(kecamatan: str, count: int) -> str:
    return f"Desa di Kecamatan {esc(kecamatan)} (dipilih seluruhnya: {count}):"


NO_AREA = "Pilih dulu wilayahnya: seluruh kabupaten, kecamatan, atau desa."


def preview_summary(
    number: str, counts: dict[str, int], total: int, parts: int, channels: Sequence[str] = ()
) -> str:
    """`channels`: the lines per channel where WhatsApp is set up (siaran_whatsapp)."""
    lines = [f"👆 <b>Pratinjau pengumuman {esc(number)}</b>, persis seperti yang akan diterima."]
    if parts > 1:
        lines.append(text_split_notice(parts))
    lines.append("")
    lines.append("<b>Penerima:</b>")
    for kind in ("kim", "forum", "channel", "private"):
        lines.append(f"• {KIND_LABELS[kind]}: {counts.get(kind, 0)}")
    lines.append(f"Jumlah: <b>{total}</b> chat")
    lines += channels
    if total == 0:
        lines.append("\nBelum ada penerima untuk sasaran ini. Ubah sasarannya dulu.")
    else:
        lines.append("\nSetelah dikirim ke verifikator, pengumuman baru terkirim jika disetujui.")
    return "\n".join(lines)


def submitted(number: str) -> str:
    return (
        f"📨 Pengumuman {esc(number)} sudah dikirim ke verifikator. Anda akan diberi tahu hasilnya."
    )


NO_OTHER_VERIFIER = (
    "⚠️ Belum ada verifikator lain yang bisa memeriksa. Minta admin menambah verifikator "
    "lewat /operator."
)
DRAFT_CANCELLED = "Draf dibatalkan. Tidak ada yang dikirim."
NOT_A_DRAFT = "Draf ini sudah tidak bisa diubah."
PREVIEW_BUTTON_INACTIVE = "Tombol ini aktif setelah pengumuman terkirim."

# --- verifying ---------------------------------------------------------------------------


def verify_request(number: str, author: str, total: int, channels: Sequence[str] = ()) -> str:
    return "\n".join(
        [
            f"🔎 <b>Perlu verifikasi: pengumuman {esc(number)}</b>",
            f"Dari: {esc(author)} · penerima: {total} chat",
            *channels,
            "Isi lengkapnya ada di atas. Periksa, lalu setujui atau tolak.",
        ]
    )


APPROVE = "✅ Setujui & kirim"
REJECT = "❌ Tolak"
OWN_DRAFT = "Anda tidak bisa menyetujui draf Anda sendiri. Minta verifikator lain."
ALREADY_DECIDED = "Draf ini sudah diputuskan."
NO_RECIPIENTS = "Tidak ada penerima untuk draf ini, jadi tidak bisa disetujui."


def approved_by(number: str, verifier: str) -> str:
    return f"✅ Pengumuman {esc(number)} disetujui oleh {esc(verifier)} dan sedang dikirim."


def rejected_by(number: str, verifier: str, reason: str) -> str:
    return (
        f"❌ Pengumuman {esc(number)} ditolak oleh {esc(verifier)}.\n"
        f"Alasan: {esc(reason)}\n\nPerbaiki lalu buat lagi dengan /siaran."
    )


ASK_REJECT_REASON_PREFIX = "Tulis alasan penolakan pengumuman"
REJECT_REASON_PLACEHOLDER = "Alasan penolakan"


def ask_reject_reason(number: str) -> str:
    return f"{ASK_REJECT_REASON_PREFIX} {esc(number)} (balas pesan ini):"


def rejected_ack(number: str) -> str:
    return f"Pengumuman {esc(number)} ditolak. Penulisnya sudah diberi tahu."


# --- stopping a broadcast ----------------------------------------------------------------

NOTHING_SENDING = "Tidak ada pengumuman yang sedang dikirim."
CHOOSE_TO_STOP = "Pengumuman yang sedang dikirim. Pilih yang ingin dihentikan:"


def stop_button(number: str) -> str:
    return f"⏹ Hentikan {number}"


def stopped(number: str, skipped: int) -> str:
    return f"⏹ Pengiriman {esc(number)} dihentikan; {skipped} chat dilewati."


# --- history (/riwayat), statistics (/statistik), withdrawing and correcting -------------

STATUS_LABELS = {"sending": "⏳ sedang dikirim", "sent": "✅ terkirim", "withdrawn": "🗑 ditarik"}
NO_HISTORY = "Belum ada pengumuman yang dikirim."
BACK_TO_HISTORY = "« Riwayat"
WITHDRAW = "🗑 Tarik"
CORRECT = "✏️ Ralat"
CONFIRM_WITHDRAW = "✅ Ya, tarik"
KEEP = "« Jangan"


def _date(stamp: str | None) -> str:
    """'2025-06-03T10:00:00+07:00' → '3 Juni 2025' (stored times are already WIB)."""
    if not stamp or len(stamp) < 10:
        return "-"
    year, month, day = stamp[:10].split("-")
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


def history_entry(
    number: str,
    topic: str | None,
    approved_at: str | None,
    status: str,
    sent: int,
    total: int,
    failed: int,
    up: int,
    down: int,
    relays: int,
) -> str:
    topic_label = TOPIC_LABELS.get(topic or "", topic or "-")
    return (
        f"<b>{esc(number)}</b> · {esc(topic_label)} · {_date(approved_at)} · "
        f"{STATUS_LABELS.get(status, status)}\n"
        f"   Terkirim {sent}/{total} · gagal {failed} · 👍 {up} · 👎 {down} · "
        f"✅ diteruskan {relays} grup"
    )


def history(entries: list[str]) -> str:
    return "<b>📜 Riwayat pengumuman</b> (terbaru dulu)\n\n" + "\n\n".join(entries)


def details_button(number: str) -> str:
    return f"🔎 {number}"


def details(entry: str, reach: list[tuple[str, str, int, int, int]]) -> str:
    """`reach`: (kecamatan, desa, KIM groups, delivered, relayed) per targeted desa."""
    lines = [entry, "", "<b>Jangkauan per desa</b> (grup KIM terkirim / diteruskan):"]
    if not reach:
        lines.append("<i>Tidak ada grup KIM desa yang dituju.</i>")
    for kecamatan, desa, groups, delivered, relayed in reach:
        lines.append(
            f"• {esc(desa)} (Kec. {esc(kecamatan)}): {delivered}/{groups} terkirim · "
            f"{relayed} diteruskan"
        )
    return "\n".join(lines)


def confirm_withdraw(number: str) -> str:
    return (
        f"🗑 <b>Tarik pengumuman {esc(number)}?</b>\n"
        "Pesannya akan dihapus dari semua grup, kanal dan pelanggan yang menerimanya. "
        "Telegram hanya mengizinkan penghapusan pesan yang berumur kurang dari 48 jam."
    )


def withdrawing(number: str) -> str:
    return (
        f"⏳ Menarik pengumuman {esc(number)} dari semua chat… "
        "Hasilnya saya kirim ke sini setelah selesai."
    )


def withdrawn(number: str, deleted: int, undeletable: int) -> str:
    return (
        f"🗑 Pengumuman {esc(number)} ditarik: dihapus dari {deleted} chat, "
        f"{undeletable} sudah lewat 48 jam / tidak bisa dihapus."
    )


CANNOT_WITHDRAW = "Pengumuman ini belum selesai dikirim atau sudah tidak bisa ditarik."
ASK_CORRECTION_PREFIX = "Tulis teks ralat untuk pengumuman"
CORRECTION_PLACEHOLDER = "Teks ralat"


def ask_correction(number: str) -> str:
    return (
        f"{ASK_CORRECTION_PREFIX} {esc(number)} (balas pesan ini). Ralat dikirim sebagai "
        "balasan atas pengumuman aslinya, ke semua chat yang menerimanya, setelah disetujui "
        "verifikator."
    )


CORRECTION_NOT_POSSIBLE = (
    "Ralat hanya bisa dibuat untuk pengumuman yang sudah selesai terkirim dan belum ditarik."
)


def correction_summary(number: str, original: str, total: int, parts: int) -> str:
    lines = [
        f"👆 <b>Pratinjau ralat {esc(number)}</b> atas pengumuman {esc(original)}.",
    ]
    if parts > 1:
        lines.append(text_split_notice(parts))
    lines.append(f"Penerima: <b>{total}</b> chat, sama dengan pengumuman aslinya, sebagai balasan.")
    lines.append("\nSetelah dikirim ke verifikator, ralat baru terkirim jika disetujui.")
    return "\n".join(lines)


def monthly_stats(
    months: list[tuple[str, int, int, int, int, int, int]],
    channels: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """`months`: ("YYYY-MM", announcements, delivered, failed, up, down, relays);
    `channels`: per month, its delivery per channel where it used WhatsApp."""
    lines = ["<b>📊 Statistik pengumuman</b> (per bulan persetujuan, WIB)"]
    for key, count, delivered, failed, up, down, relays in months:
        year, month = key.split("-")
        lines += [
            "",
            f"<b>{MONTHS[int(month) - 1]} {year}</b>",
            f"Pengumuman dikirim: {count}",
            f"Pesan terkirim: {delivered} · gagal: {failed}",
            f"Tanggapan: 👍 {up} · 👎 {down}",
            f"Diteruskan grup KIM: {relays}",
        ]
        lines += (channels or {}).get(key, ())
    return "\n".join(lines)
