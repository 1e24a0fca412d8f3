"""Texts of the KIM network: group and forum registration, operator decisions, channels."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.kim import Kind, Registration, Status
from bot.texts import REDACTED, day_month_year, esc


def date(stamp: str) -> str:
    """A stored ISO timestamp as people write dates: "5 Mei 2025"."""
    return day_month_year(datetime.fromisoformat(stamp))


def date_time(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp)
    return f"{date(stamp)}, {moment:%H.%M}"


def desa_word(registration: Registration) -> str:
    return "Kelurahan" if registration.desa_is_kelurahan else "Desa"


def target(registration: Registration, regency: str) -> str:
    """What a registration stands for: "KIM Desa Raci, Kecamatan Bangil", "Forum KIM
    Kabupaten Pasuruan", "kanal Kecamatan Bangil", "kanal topik Kesehatan"."""
    kecamatan = f"Kecamatan {registration.kecamatan_display}"
    if registration.kind == Kind.KIM:
        return f"KIM {desa_word(registration)} {registration.desa_display}, {kecamatan}"
    if registration.kind == Kind.FORUM:
        return f"Forum KIM {kecamatan if registration.kecamatan_code else regency}"
    if registration.topic is not None:
        return f"kanal topik {registration.topic_label}"
    return f"kanal {kecamatan if registration.kecamatan_code else regency}"


STATUS_NAMES = {
    Status.PENDING: "menunggu persetujuan operator",
    Status.APPROVED: "resmi terdaftar",
    Status.REJECTED: "ditolak",
    Status.ENDED: "diakhiri",
}


# --- the bot joins or leaves a group -------------------------------------------------------


def group_greeting(organization: str) -> str:
    return (
        f"Halo semuanya! 👋 Saya bot informasi resmi <b>{esc(organization)}</b>.\n\n"
        "Lewat grup ini saya bisa mengirim pengumuman resmi yang sudah diverifikasi, "
        "dan menerima laporan hoaks dari anggota.\n\n"
        "<b>Untuk admin grup:</b> ketik /daftarkim untuk mendaftarkan grup ini sebagai "
        "KIM desa Anda, atau /daftarforum bila grup ini Forum KIM. Pendaftaran disetujui "
        "operator Diskominfo."
    )


def group_welcome_back(registration: Registration, regency: str) -> str:
    return (
        "Terima kasih, saya sudah kembali di grup ini. 👋\n"
        f"Pendaftaran grup ini tetap berlaku: <b>{esc(target(registration, regency))}</b> "
        f"({STATUS_NAMES[registration.status]})."
    )


# --- refusals ----------------------------------------------------------------------------

GROUP_ONLY = (
    "Perintah ini dipakai di grup KIM. Tambahkan bot ke grup, lalu admin grup mengetik "
    "perintah ini di sana."
)
NOT_IN_CHANNEL = (
    "Kanal tidak didaftarkan dengan perintah. Operator Diskominfo mendaftarkan kanal "
    "setelah bot dijadikan admin."
)
NOT_GROUP_ADMIN = "Maaf, hanya admin grup ini yang bisa mendaftarkan grup. 🙏"
ANONYMOUS_ADMIN = (
    "Anda sedang tampil sebagai admin anonim, jadi saya tidak bisa memastikan siapa yang "
    "mendaftar. Matikan dulu “Tetap anonim” di pengaturan admin, lalu coba lagi."
)
ONLY_STARTER = "Hanya admin yang memulai pendaftaran ini yang bisa memilih."
ONLY_STARTER_REPLY = "Hanya admin yang memulai pendaftaran yang bisa mengisi nama KIM."
STALE_FLOW = "Pendaftaran ini sudah tidak berlaku. Ketik /daftarkim untuk mulai lagi."


def already_registered(registration: Registration, regency: str) -> str:
    what = esc(target(registration, regency))
    if registration.status == Status.PENDING:
        return (
            f"Grup ini sudah mengajukan pendaftaran sebagai <b>{what}</b> dan sedang menunggu "
            "persetujuan operator. Mohon ditunggu. 🙏"
        )
    return (
        f"Grup ini sudah terdaftar sebagai <b>{what}</b> sejak "
        f"{date(registration.decided_at or registration.requested_at)}."
    )


# --- the registration flow in the group ----------------------------------------------------

PICK_KECAMATAN = "<b>Pendaftaran KIM</b>\nLangkah 1 dari 3: pilih <b>kecamatan</b> desa Anda."
PICK_FORUM_SCOPE = (
    "<b>Pendaftaran Forum KIM</b>\nGrup ini Forum KIM untuk wilayah mana? Pilih salah satu."
)
WHOLE_KABUPATEN = "Seluruh kabupaten"
CANCEL = "Batal"
CANCELLED = "Pendaftaran dibatalkan. Ketik /daftarkim kapan saja untuk mulai lagi."
BACK_TO_KECAMATAN = "« Kecamatan"
PAGES = ("‹", "›")  # to the previous and the next page


def pick_desa(kecamatan: str, page: int, pages: int) -> str:
    where = f" (halaman {page + 1} dari {pages})" if pages > 1 else ""
    return (
        f"<b>Pendaftaran KIM</b> — Kecamatan {esc(kecamatan)}\n"
        f"Langkah 2 dari 3: pilih <b>desa/kelurahan</b>{where}."
    )


def desa_chosen(desa: str, kecamatan: str, default: str) -> str:
    return (
        f"<b>Pendaftaran KIM</b> — Desa {esc(desa)}, Kecamatan {esc(kecamatan)}\n"
        "Langkah 3 dari 3: apa <b>nama KIM</b>-nya? Balas pesan di bawah dengan nama KIM, "
        f"atau tekan tombol untuk memakai nama <b>{esc(default)}</b>."
    )


def use_default_name(default: str) -> str:
    return f"Pakai nama '{default}'"


NAME_PROMPT_MARK = "✏️ Nama KIM"


def name_prompt(mention_html: str) -> str:
    """Starts with NAME_PROMPT_MARK: replies are recognised by it (privacy mode only shows
    the bot replies to its own messages)."""
    return f"{NAME_PROMPT_MARK} — {mention_html}, balas pesan ini dengan nama KIM Anda."


NAME_PLACEHOLDER = "Contoh: KIM Raci Maju"
NAME_INVALID = "Nama KIM perlu diisi, paling panjang 64 huruf. Silakan balas lagi pesan tadi."


def name_taken(desa: str, name: str) -> str:
    return f"Desa {esc(desa)} dipilih, nama KIM: <b>{esc(name)}</b>."


def submitted(registration: Registration, regency: str) -> str:
    return (
        f"Terima kasih! 🙏 Pendaftaran <b>{esc(registration.name)}</b> sebagai "
        f"<b>{esc(target(registration, regency))}</b> sudah dikirim ke operator Diskominfo. "
        "Kabar persetujuannya akan saya sampaikan di grup ini."
    )


# --- operators ---------------------------------------------------------------------------

APPROVE = "✅ Setujui"
REJECT = "❌ Tolak"
ALREADY_DECIDED = "Pendaftaran ini sudah diputuskan."
APPROVED_ANSWER = "Disetujui."
REJECTED_ANSWER = "Ditolak."


def _id_or_redacted(user_id: int | None) -> str:
    """Someone the bot has no name for; nobody at all once they were forgotten."""
    return REDACTED if user_id is None else f"ID {user_id}"


def registration_card(registration: Registration, regency: str) -> str:
    title = "Pendaftaran Forum KIM" if registration.kind == Kind.FORUM else "Pendaftaran KIM"
    lines = [
        f"📝 <b>{title}</b> #{registration.id}",
        f"Grup: <b>{esc(registration.chat_title)}</b>",
    ]
    if registration.kind == Kind.KIM:
        lines += [
            f"Kecamatan: {esc(registration.kecamatan_display)}",
            f"{desa_word(registration)}: {esc(registration.desa_display)}",
            f"Nama KIM: {esc(registration.name)}",
        ]
    else:
        lines.append(f"Wilayah: {esc(target(registration, regency).removeprefix('Forum KIM '))}")
    requester = registration.requested_by_name or _id_or_redacted(registration.requested_by)
    lines += [f"Diminta oleh: {esc(requester)}", f"Waktu: {date_time(registration.requested_at)}"]
    return "\n".join(lines)


def decided_note(registration: Registration, by: str | None = None) -> str:
    """Who decided and when; `by` names the person when the database does not know them."""
    who = esc(by or registration.decided_by_name or _id_or_redacted(registration.decided_by))
    when = date_time(registration.decided_at) if registration.decided_at else ""
    if registration.status == Status.APPROVED:
        return f"\n\n✅ <b>Disetujui</b> oleh {who}, {when}"
    if registration.status == Status.REJECTED:
        return f"\n\n❌ <b>Ditolak</b> oleh {who}, {when}"
    return f"\n\nStatus: {STATUS_NAMES[registration.status]}"


def group_approved(registration: Registration, regency: str) -> str:
    return (
        f"🎉 Selamat! Grup ini kini resmi menjadi <b>{esc(target(registration, regency))}</b> "
        f"dengan nama <b>{esc(registration.name)}</b>.\n"
        "Pengumuman resmi yang sudah diverifikasi akan dikirim ke grup ini. Terima kasih atas "
        "peran Anda menyebarkan informasi yang benar! 🙏"
    )


def group_rejected(registration: Registration, regency: str) -> str:
    return (
        f"Mohon maaf, pendaftaran grup ini sebagai <b>{esc(target(registration, regency))}</b> "
        "belum dapat disetujui. 🙏\n"
        "Bila ada data yang keliru, admin grup bisa mendaftar lagi dengan /daftarkim (atau "
        "/daftarforum), atau menghubungi Diskominfo."
    )


def group_left(registration: Registration, regency: str, chat_title: str) -> str:
    return (
        f"ℹ️ Bot dikeluarkan dari grup <b>{esc(chat_title)}</b> "
        f"({esc(target(registration, regency))}). Grup ditandai tidak aktif; pendaftarannya "
        "tetap tersimpan dan aktif lagi bila bot ditambahkan kembali."
    )


NO_PENDING = "Tidak ada pendaftaran yang menunggu. 👍"


def pending_header(total: int, shown: int) -> str:
    more = (
        f" Yang tampil {shown} terlama; sisanya muncul setelah ini diputuskan."
        if total > shown
        else ""
    )
    return f"<b>{total} pendaftaran menunggu keputusan.</b>{more}"


# --- /infokim ----------------------------------------------------------------------------


def info(registration: Registration, regency: str) -> str:
    kind = {Kind.KIM: "KIM", Kind.FORUM: "Forum KIM", Kind.CHANNEL: "Kanal"}[registration.kind]
    lines = ["<b>Pendaftaran grup ini</b>", f"Jenis: {kind}"]
    if registration.kind == Kind.KIM:
        lines += [
            f"{desa_word(registration)}: {esc(registration.desa_display)}",
            f"Kecamatan: {esc(registration.kecamatan_display)}",
            f"Nama: {esc(registration.name)}",
        ]
    else:
        lines.append(f"Wilayah: {esc(target(registration, regency).removeprefix('Forum KIM '))}")
    lines.append(f"Status: {STATUS_NAMES[registration.status]}")
    if registration.status == Status.APPROVED and registration.decided_at:
        lines.append(f"Sejak: {date(registration.decided_at)}")
    else:
        lines.append(f"Diajukan: {date(registration.requested_at)}")
    return "\n".join(lines)


NOT_REGISTERED = (
    "Grup ini belum terdaftar. Admin grup bisa mengetik /daftarkim untuk mendaftarkannya "
    "sebagai KIM desa, atau /daftarforum untuk Forum KIM."
)


# --- channels ----------------------------------------------------------------------------

CHANNEL_KABUPATEN = "Kanal kabupaten"
CHANNEL_KECAMATAN = "Kanal kecamatan…"
CHANNEL_TOPIC = "Kanal topik…"
BACK = "« Kembali"
END_YES = "Ya, akhiri"


def channel_added(title: str, added_by: str) -> str:
    return (
        f"📢 Bot dijadikan admin di kanal <b>{esc(title)}</b> oleh {esc(added_by)}.\n"
        "Kanal ini untuk apa? Pilih tujuannya; pengumuman yang cocok akan dikirim ke sana."
    )


def channel_menu(title: str) -> str:
    return f"📢 Kanal <b>{esc(title)}</b>: kanal ini untuk apa? Pilih tujuannya."


def channel_pick_kecamatan(title: str) -> str:
    return f"📢 Kanal <b>{esc(title)}</b>: pilih kecamatannya."


def channel_pick_topic(title: str) -> str:
    return f"📢 Kanal <b>{esc(title)}</b>: pilih topiknya."


def channel_registered(registration: Registration, regency: str, by: str) -> str:
    return (
        f"✅ Kanal <b>{esc(registration.chat_title)}</b> terdaftar sebagai "
        f"<b>{esc(target(registration, regency))}</b> oleh {esc(by)}."
    )


def channel_already(registration: Registration, regency: str) -> str:
    return (
        f"Kanal <b>{esc(registration.chat_title)}</b> sudah terdaftar sebagai "
        f"<b>{esc(target(registration, regency))}</b>. Akhiri dulu lewat /kanal bila "
        "ingin mengubahnya."
    )


def channel_back(registration: Registration, regency: str) -> str:
    return (
        f"📢 Bot kembali menjadi admin di kanal <b>{esc(registration.chat_title)}</b>; "
        f"pendaftarannya sebagai {esc(target(registration, regency))} aktif lagi."
    )


def channel_gone(registration: Registration, regency: str) -> str:
    return (
        f"ℹ️ Bot bukan admin lagi di kanal <b>{esc(registration.chat_title)}</b> "
        f"({esc(target(registration, regency))}). Kanal ditandai tidak aktif sampai "
        "bot dijadikan admin kembali."
    )


CHAT_STATUS_NAMES = {"active": "aktif", "inactive": "tidak aktif", "unreachable": "tak terjangkau"}


def channel_list(
    registered: Iterable[Registration], regency: str, unregistered: Iterable[str]
) -> str:
    lines = ["<b>Kanal Telegram</b>"]
    rows = [
        f"• <b>{esc(r.chat_title)}</b> — {esc(target(r, regency))}"
        f" · {CHAT_STATUS_NAMES[r.chat_status.value]}"
        for r in registered
    ]
    lines += rows or ["Belum ada kanal terdaftar."]
    waiting = [f"• <b>{esc(title)}</b>" for title in unregistered]
    if waiting:
        lines += ["", "<b>Belum terdaftar</b> (bot sudah admin):", *waiting]
    lines += ["", "Tambah kanal: jadikan bot admin di kanal Telegram Anda, lalu pilih tujuannya."]
    return "\n".join(lines)


def end_button(title: str) -> str:
    return f"✖ Akhiri: {title}"


def register_button(title: str) -> str:
    return f"➕ Daftarkan: {title}"


def confirm_end(registration: Registration, regency: str) -> str:
    return (
        f"Akhiri pendaftaran kanal <b>{esc(registration.chat_title)}</b> sebagai "
        f"{esc(target(registration, regency))}? Pengumuman tidak akan dikirim ke sana lagi."
    )


def channel_ended(title: str) -> str:
    return f"Pendaftaran kanal {title} diakhiri."
