"""Operators triage hoax reports in chat: /antrian, verdicts to every reporter, duplicates,
the clarification through verification to the KIM groups, and buttons that must not work."""

from __future__ import annotations

from datetime import timedelta

from bot import audit, hoaxes, regions, reports, texts
from bot.hoaxes import NewEntry, Verdict
from bot.people import Role
from bot.services import KimApp
from botapi_sandbox import BotApiServer, FakeUser, SentMessage
from tests.network import Network
from tests.test_check_chat import REGISTRY

HOAX = "Bantuan beras 10 kg bisa diambil di balai desa dengan menunjukkan foto KTP. Sebarkan!"
PARAPHRASE = "katanya bantuan berass 10 kg bs diambil di balai desa, cukup foto ktp aja"
EXPLANATION = "Dinas Sosial tidak membagikan beras lewat pesan berantai."
KNOWN = NewEntry(
    "Pengambilan bantuan beras 10 kg di balai desa cukup dengan foto KTP",
    Verdict.HOAKS,
    "Sudah dibantah tahun lalu.",
    "https://cek.contoh.id/beras-lama",
)


async def started(server: BotApiServer, user: FakeUser) -> None:
    chat = server.private(user)
    await chat.send("/start")
    await chat.expect()


def clarifications(server: BotApiServer, chat_id: int) -> list[SentMessage]:
    return [m for m in server.sent_to(chat_id) if "Hasil pemeriksaan: ❌ HOAKS" in m.text]


async def test_three_reports_one_case_verdict_to_all_and_clarification_to_bangil(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Forwarded, replied in a group, paraphrased with typos: one case of 3; the verdict
    reaches all three; the verified clarification reaches Bangil's KIM groups only."""
    db = kimbot.bot_data.db
    async with db.transaction() as conn:
        await hoaxes.add_entries(
            conn, [KNOWN, *REGISTRY], source="test", now=kimbot.bot_data.clock.now()
        )
    net = Network(server, kimbot)
    pak_rt = server.new_user("Pak RT")
    raci = await net.kim_group("KIM Raci", "35.14.14.2011", pak_rt)
    other = next(d for d in await regions.desa_of(db, "35.14.14") if d.name != "Raci")
    kalirejo = await net.kim_group(f"KIM {other.name}", other.code, pak_rt)
    gempol = await net.kim_group(
        "KIM Gempol", (await regions.desa_of(db, "35.14.12"))[0].code, pak_rt
    )
    budi = await net.staff("Budi", Role.OPERATOR)
    sari = await net.staff("Sari", Role.VERIFIER)

    siti = server.new_user("Siti")
    siti_chat = server.private(siti)
    await siti_chat.send("/lapor")
    await siti_chat.expect()
    await siti_chat.forward(HOAX, from_user=server.new_user("Penyebar"))
    ask = await siti_chat.expect(contains="tercatat")
    await siti_chat.press(ask, "Bangil")
    await siti_chat.expect_edit(ask)

    joko = server.new_user("Joko")
    await started(server, joko)
    await server.join(raci, joko)
    rumour = await server.in_group(raci, pak_rt).send(HOAX)
    await server.in_group(raci, joko).send("/lapor", reply_to=rumour)
    await server.private(joko).expect(contains="dari grup KIM Raci tercatat")

    wati = server.new_user("Wati")
    wati_chat = server.private(wati)
    await wati_chat.send(f"/lapor {PARAPHRASE}")
    ask = await wati_chat.expect(contains="tercatat")
    await wati_chat.press(ask, "Lewati")
    await wati_chat.expect_edit(ask)

    assert [
        tuple(r)
        for r in await db.fetchall("SELECT case_id, COUNT(*) FROM hoax_reports GROUP BY case_id")
    ] == [(1, 3)]
    operator = server.private(budi)
    notice = await operator.expect(contains="Laporan hoaks baru — kasus #1")
    await operator.expect_nothing(within=0.2)  # the other two joined the case quietly
    await operator.send("/antrian")
    queue = await operator.expect(contains="Antrian laporan hoaks")
    assert "Kasus #1</b> — 3 laporan · Bangil" in str(queue.html)
    assert "mirip dengan: Pengambilan bantuan beras 10 kg" in queue.text
    assert "(kemiripan " in queue.text
    await operator.press(queue, "#1 · 3 laporan")
    panel = await operator.expect(contains="Pilih putusan")
    assert "Pelapor (hanya untuk petugas): Siti, Joko, Wati" in panel.text
    assert "pengguna Penyebar" in panel.text
    assert notice.button_texts() == ["🔎 Periksa"]

    await operator.press(panel, "Hoaks")
    prompt = await operator.expect(contains="Tulis penjelasan untuk kasus #1, putusan: Hoaks")
    assert prompt.reply_markup is not None and prompt.reply_markup.get("force_reply")
    await operator.send(EXPLANATION, reply_to=prompt)
    link_prompt = await operator.expect(contains="Tautan rujukan untuk kasus #1")
    assert link_prompt.button_texts() == ["Lewati"]
    await operator.send("https://cek.contoh.id/beras-2026", reply_to=link_prompt)
    decided = await operator.expect(contains="Kasus #1 diputus")
    assert "Hasil sedang dikirim ke 3 dari 3 pelapor" in decided.text

    tickets = await db.fetchall("SELECT reporter_id, id, created_at FROM hoax_reports")
    for user in (siti, joko, wati):
        verdict = await server.private(user).expect(contains="Hasil pemeriksaan laporan LPR-")
        assert "❌ HOAKS" in verdict.text and EXPLANATION in verdict.text
        [row] = [r for r in tickets if r["reporter_id"] == user.id]
        assert f"LPR-{row['created_at'][:4]}-{row['id']:06d}" in verdict.text
    [entry] = await db.fetchall("SELECT claim, verdict, url FROM hoaxes WHERE source = 'verdict:1'")
    assert tuple(entry) == (HOAX, "hoaks", "https://cek.contoh.id/beras-2026")

    await operator.press(decided, "📢 Kirim klarifikasi")
    targets = await operator.expect(contains="Klarifikasi Hoaks")
    assert "Kec. Bangil" in targets.text
    await operator.press(targets, "Lanjut ke pratinjau »")
    preview = await operator.expect(contains="Draf — belum diverifikasi")
    assert "Beredar kabar" in preview.text and EXPLANATION in preview.text
    summary = await operator.expect(contains="Pratinjau")
    assert "grup KIM: 2" in summary.text
    await operator.press(summary, "📨 Kirim ke verifikator")
    await operator.expect_edit(summary)
    assert clarifications(server, raci.id) == []

    verifier = server.private(sari)
    await verifier.expect()  # the draft as recipients will see it
    request = await verifier.expect(contains="Perlu verifikasi")
    await verifier.press(request, "✅ Setujui & kirim")
    await operator.expect(contains="disetujui oleh Sari")
    await operator.expect(contains="selesai dikirim", timeout=10)
    for group in (raci, kalirejo):
        [message] = clarifications(server, group.id)
        assert "Klarifikasi Hoaks" in message.text and "✅ Terverifikasi" in message.text
    assert clarifications(server, gempol.id) == []


async def test_duplicates_forged_buttons_villagers_and_statistics(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """A duplicate merges into another case; forged, stale and villagers' presses change
    nothing (villagers' are audited); /statistik counts reports, cases and verdicts."""
    db = kimbot.bot_data.db
    budi = await Network(server, kimbot).staff("Budi", Role.OPERATOR)
    operator = server.private(budi)
    villagers = []
    for name, claim in (
        ("Ani", "Sekolah diliburkan sebulan karena wabah penyakit baru di kabupaten"),
        ("Edi", "Air PDAM tercemar bahan kimia berbahaya, jangan diminum"),
    ):
        user = server.new_user(name)
        chat = server.private(user)
        await chat.send(f"/lapor {claim}")
        ask = await chat.expect(contains="tercatat")
        await chat.press(ask, "Lewati")
        await chat.expect_edit(ask)
        villagers.append((user, ask))
        await operator.expect(contains="Laporan hoaks baru")

    await operator.send("/antrian")
    queue = await operator.expect(contains="2 kasus terbuka")
    await operator.press(queue, "#2 · 1 laporan")
    panel = await operator.expect(contains="Pilih putusan")
    await operator.press(panel, "Duplikat…")
    picker = await operator.expect_edit(panel)
    assert picker.button_texts() == ["#1 · 1 laporan", texts.BACK]
    await operator.press(picker, "#1 · 1 laporan")
    assert "digabung ke kasus #1 (sekarang 2 laporan)" in (await operator.expect_edit(picker)).text

    statuses = "SELECT id, status, verdict FROM hoax_cases ORDER BY id"
    before = [tuple(r) for r in await db.fetchall(statuses)]
    assert before == [(1, "open", None), (2, "merged", None)]
    for forged in ("trv:999:hoaks", "trv:1:q", "trx:1", "trv:2:hoaks", "trm:1:1"):
        answer = await operator.press_data(queue, forged)
        assert answer.text in (texts.STALE_BUTTON, "Kasus ini sudah diputus atau digabung.")
    edi, ticket_message = villagers[1]
    refused = await server.private(edi).press_data(ticket_message, "trv:1:hoaks")
    assert refused.text == texts.STALE_BUTTON and refused.show_alert
    refusals = await audit.entries(db, action="button.refused")
    assert (edi.id, "trv:1:hoaks") in [(e.actor_id, e.object_id) for e in refusals]
    assert [tuple(r) for r in await db.fetchall(statuses)] == before

    await operator.press(queue, "#1 · 1 laporan")  # the list was made before the merge
    panel = await operator.expect(contains="Pilih putusan")
    await operator.press(panel, "Fakta")
    prompt = await operator.expect(contains="putusan: Fakta")
    await operator.send("Dinas Pendidikan memang meliburkan sekolah.", reply_to=prompt)
    link_prompt = await operator.expect(contains="Tautan rujukan")
    await operator.send("bukan tautan", reply_to=link_prompt)
    assert "diawali https://" in (await operator.expect()).text
    await operator.press(link_prompt, "Lewati")
    decided = await operator.expect(contains="Kasus #1 diputus")
    assert "Hasil sedang dikirim ke 2 dari 2 pelapor" in decided.text
    assert decided.buttons == []  # a true claim needs no clarification
    for user, _ in villagers:
        assert "✅ FAKTA" in (await server.private(user).expect(contains="Hasil pemeriksaan")).text

    stale = await operator.press(panel, "Hoaks")
    assert stale.text == "Kasus ini sudah diputus atau digabung." and stale.show_alert
    await operator.send("Penjelasan terlambat.", reply_to=prompt)
    assert "sudah diputus" in (await operator.expect()).text
    assert [tuple(r) for r in await db.fetchall(statuses)] == [
        (1, "decided", "fakta"),
        (2, "merged", None),
    ]

    await operator.send("/statistik")
    stats = await operator.expect(contains="Laporan hoaks")
    assert "Laporan: 2 · kasus: 1 (0 terbuka) · putusan: 1" in stats.text
    assert "Median waktu sampai putusan: 0 menit" in stats.text


REPORTERS = 90


async def test_a_verdict_for_many_reporters_returns_at_once_and_reaches_all_paced(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """90 reporters: the operator hears back at once; every reporter gets the verdict once,
    paced under Telegram's limits (no 429 to them), and each report is marked answered."""
    server.enforce_limits()
    db, clock = kimbot.bot_data.db, kimbot.bot_data.clock
    budi = await Network(server, kimbot).staff("Budi", Role.OPERATOR)
    reporters = [server.new_user(f"Warga {i}") for i in range(REPORTERS)]
    rule = reports.WarningRule(reports=REPORTERS * 2, window=timedelta(hours=1))
    for user in reporters:
        server.chat(user).bot_status = "member"  # pressed Start long ago
        await reports.file_report(
            db,
            reports.Content(reports.Kind.TEXT, HOAX),
            reporter_id=user.id,
            reporter_name=user.first_name,
            via=reports.Via.PRIVATE,
            now=clock.now(),
            per_hour=5,
            rule=rule,
        )
    operator = server.private(budi)
    await operator.send("/antrian")
    queue = await operator.expect(contains="Antrian laporan hoaks")
    await operator.press(queue, f"#1 · {REPORTERS} laporan")
    panel = await operator.expect(contains="Pilih putusan")
    await operator.press(panel, "Hoaks")
    prompt = await operator.expect(contains="putusan: Hoaks")
    await operator.send(EXPLANATION, reply_to=prompt)
    link_prompt = await operator.expect(contains="Tautan rujukan")
    await operator.press(link_prompt, "Lewati")
    # Ninety messages take three seconds at Telegram's 30 a second: the answer comes first.
    decided = await operator.expect(contains="Kasus #1 diputus", timeout=1.5)
    assert f"Hasil sedang dikirim ke {REPORTERS} dari {REPORTERS} pelapor" in decided.text

    def everyone_answered() -> bool:
        return all(
            any("Hasil pemeriksaan laporan" in m.text for m in server.sent_to(user.id))
            for user in reporters
        )

    assert await server.world.wait_until(everyone_answered, 20)
    for user in reporters:
        [verdict] = [m for m in server.sent_to(user.id) if "Hasil pemeriksaan" in m.text]
        assert "❌ HOAKS" in verdict.text and EXPLANATION in verdict.text
    ids = {user.id for user in reporters}
    throttled = [r for r in server.world.requests if r.status == 429]
    assert [r for r in throttled if r.params.get("chat_id") in ids] == []
    await kimbot.bot_data.delivery.stop()  # the last answers are recorded
    assert await db.fetchval("SELECT COUNT(*) FROM hoax_reports WHERE answered_at IS NULL") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM notices") == 0
