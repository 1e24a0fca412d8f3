"""Texts for staff about announcements on WhatsApp: recipients per channel, the template
cost, the monthly budget and the daily tier, and delivery per channel.

Shown only where WhatsApp is set up (and the figures only where it has recipients), so an
office on Telegram alone reads what it always did.
"""

from __future__ import annotations

from typing import Protocol

from bot.texts import esc


class CostView(Protocol):
    """What the texts read from an estimate (broadcasts.whatsapp_cost.Estimate)."""

    @property
    def in_window(self) -> int: ...
    @property
    def templates(self) -> int: ...
    @property
    def stopped(self) -> int: ...
    @property
    def cost(self) -> float: ...
    @property
    def spent(self) -> float: ...
    @property
    def budget(self) -> float: ...
    @property
    def tomorrow(self) -> int: ...
    @property
    def over_budget(self) -> bool: ...


class CountsView(Protocol):
    @property
    def sent(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def pending(self) -> int: ...


class ReportView(Protocol):
    """What the texts read from a delivery per channel (broadcasts.channel_report)."""

    @property
    def telegram(self) -> CountsView: ...
    @property
    def whatsapp(self) -> CountsView: ...
    @property
    def delivered(self) -> int: ...
    @property
    def read(self) -> int: ...
    @property
    def templates(self) -> int: ...
    @property
    def cost(self) -> float: ...


def rupiah(amount: float) -> str:
    """1300.0 → "Rp 1.300" (the thousands separated by dots, as written in Indonesia)."""
    return "Rp " + f"{round(amount):,}".replace(",", ".")


# --- preview and verification -----------------------------------------------------------


def channels(
    telegram: int, whatsapp: int, telegram_people: int, cost: CostView | None
) -> list[str]:
    """Lines under the recipient counts: the split by channel (subscribers too), then
    WhatsApp's cost."""
    lines = [
        f"Lewat Telegram: {telegram} chat · lewat WhatsApp: {whatsapp} orang",
        f"Pelanggan: {telegram_people} di Telegram, {whatsapp} di WhatsApp",
    ]
    if whatsapp and cost is not None:
        lines += whatsapp_cost(cost)
    return lines


def whatsapp_cost(cost: CostView) -> list[str]:
    lines = [
        f"WhatsApp: {cost.in_window} dalam jendela 24 jam (gratis), "
        f"{cost.templates} lewat template (± {rupiah(cost.cost)})"
    ]
    if cost.stopped:
        lines.append(f"{cost.stopped} orang menolak pesan promosi, jadi tidak dikirimi template.")
    lines.append(
        f"Biaya template bulan ini: {rupiah(cost.spent)} dari anggaran {rupiah(cost.budget)}."
    )
    if cost.over_budget:
        lines.append(
            f"⚠️ Melewati anggaran bulan ini: {rupiah(cost.spent)} + {rupiah(cost.cost)} "
            f"&gt; {rupiah(cost.budget)}. Verifikator harus mengonfirmasi."
        )
    if cost.tomorrow:
        lines.append(
            f"📅 Batas harian WhatsApp tercapai: {cost.tomorrow} template sisanya dikirim besok."
        )
    return lines


def confirm_over_budget(number: str, cost: CostView) -> str:
    after = cost.spent + cost.cost
    return (
        f"💸 <b>Lewati anggaran bulan ini?</b>\n"
        f"Pengumuman {esc(number)} mengirim {cost.templates} template WhatsApp, "
        f"± {rupiah(cost.cost)}.\n"
        f"Terpakai bulan ini: {rupiah(cost.spent)} dari anggaran {rupiah(cost.budget)}; "
        f"setelah ini ± {rupiah(after)}.\n"
        "Setujui dan kirim tetap?"
    )


APPROVE_OVER_BUDGET = "✅ Ya, lewati anggaran"
KEEP_PENDING = "« Jangan"


# --- report, history and statistics -----------------------------------------------------


def delivery(report: ReportView) -> list[str]:
    """Delivery per channel: Telegram's as always, WhatsApp's with what the phones said."""
    tg, wa = report.telegram, report.whatsapp
    return [
        "<b>Per saluran:</b>",
        f"• Telegram: terkirim {tg.sent} · gagal {tg.failed} · menunggu {tg.pending}",
        f"• WhatsApp: terkirim {wa.sent} · gagal {wa.failed} · menunggu {wa.pending}",
        f"   sampai di HP {report.delivered} · dibaca {report.read} · "
        f"template {report.templates} (± {rupiah(report.cost)})",
    ]


def progress_line(report: ReportView) -> str:
    """Under the live progress bar: how far each channel is."""
    tg, wa = report.telegram, report.whatsapp
    return (
        f"Telegram {tg.sent}/{tg.sent + tg.failed + tg.pending} · "
        f"WhatsApp {wa.sent}/{wa.sent + wa.failed + wa.pending}"
    )


def history_line(report: ReportView) -> str:
    wa = report.whatsapp
    return (
        f"   WhatsApp: terkirim {wa.sent} · gagal {wa.failed} · dibaca {report.read} · "
        f"template {report.templates} (± {rupiah(report.cost)})"
    )


CHANNEL_COLUMN = "saluran"
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
