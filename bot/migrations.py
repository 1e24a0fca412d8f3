"""Schema migrations, oldest first; the position in the list is the schema version.

Never edit a migration that has shipped: append a new one. `PRAGMA user_version` records
which have been applied (see `Database.migrate`).
"""

MIGRATIONS: list[str] = [
    # 1: regions, people and roles, audit log
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE kecamatan (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE desa (
        code           TEXT PRIMARY KEY,
        kecamatan_code TEXT NOT NULL REFERENCES kecamatan(code),
        name           TEXT NOT NULL,
        is_kelurahan   INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX desa_by_kecamatan ON desa(kecamatan_code, name);
    CREATE TABLE people (
        user_id       INTEGER PRIMARY KEY,
        first_name    TEXT NOT NULL DEFAULT '',
        last_name     TEXT,
        username      TEXT,
        language_code TEXT,
        first_seen    TEXT NOT NULL,
        last_seen     TEXT NOT NULL,
        reachable     INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE staff (
        user_id  INTEGER NOT NULL,
        role     TEXT NOT NULL CHECK (role IN ('operator', 'verifikator')),
        added_by INTEGER,
        added_at TEXT NOT NULL,
        PRIMARY KEY (user_id, role)
    );
    CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        actor_id    INTEGER,
        action      TEXT NOT NULL,
        object_type TEXT,
        object_id   TEXT,
        detail      TEXT
    );
    CREATE INDEX audit_by_time ON audit_log(at);
    """,
    # 2: the KIM network: chats the bot is in, their registrations, villagers' subscriptions
    """
    CREATE TABLE chats (
        chat_id       INTEGER PRIMARY KEY,
        type          TEXT NOT NULL CHECK (type IN ('group', 'supergroup', 'channel')),
        title         TEXT NOT NULL DEFAULT '',
        status        TEXT NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'inactive', 'unreachable')),
        status_reason TEXT,
        bot_is_admin  INTEGER NOT NULL DEFAULT 0,
        added_by      INTEGER,
        first_seen    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );
    CREATE TABLE registrations (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        chat_id        INTEGER NOT NULL REFERENCES chats(chat_id) ON UPDATE CASCADE,
        kind           TEXT NOT NULL CHECK (kind IN ('kim', 'forum', 'channel')),
        desa_code      TEXT REFERENCES desa(code),
        kecamatan_code TEXT REFERENCES kecamatan(code),
        topic          TEXT,
        name           TEXT NOT NULL DEFAULT '',
        status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'ended')),
        requested_by   INTEGER,
        requested_at   TEXT NOT NULL,
        decided_by     INTEGER,
        decided_at     TEXT,
        reason         TEXT
    );
    CREATE UNIQUE INDEX one_live_registration_per_chat
        ON registrations(chat_id) WHERE status IN ('pending', 'approved');
    CREATE INDEX registrations_by_desa ON registrations(desa_code, status);
    CREATE INDEX registrations_by_kecamatan ON registrations(kecamatan_code, status);
    CREATE TABLE subscriptions (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id    INTEGER NOT NULL REFERENCES people(user_id) ON DELETE CASCADE,
        scope      TEXT NOT NULL CHECK (scope IN ('kabupaten', 'kecamatan', 'desa')),
        area_code  TEXT NOT NULL,
        topics     INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (user_id, area_code)
    );
    CREATE INDEX subscriptions_by_area ON subscriptions(area_code);
    CREATE INDEX people_reachable ON people(reachable);
    """,
    # 3: the hoax registry
    """
    CREATE TABLE hoaxes (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        claim       TEXT NOT NULL,
        verdict     TEXT NOT NULL CHECK (verdict IN ('hoaks', 'disinformasi', 'misinformasi',
                        'fakta', 'tidak_dapat_diverifikasi')),
        explanation TEXT NOT NULL DEFAULT '',
        url         TEXT NOT NULL DEFAULT '',
        date        TEXT,
        narrative   TEXT NOT NULL DEFAULT '',
        source      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        claim_key   TEXT NOT NULL,
        UNIQUE (claim_key, url)
    );
    CREATE VIRTUAL TABLE hoax_index USING fts5(
        claim, narrative, tokenize='unicode61'
    );
    CREATE TABLE hoax_terms (
        id   INTEGER PRIMARY KEY,
        term TEXT NOT NULL UNIQUE,
        docs INTEGER NOT NULL DEFAULT 0
    );
    CREATE VIRTUAL TABLE hoax_terms_index USING fts5(term, tokenize='trigram', detail='none');
    """,
    # 4: verified announcements, their durable outbox, reactions and relays
    """
    CREATE TABLE announcements (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        author_id           INTEGER,
        status              TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'rejected',
                                'sending', 'sent', 'cancelled', 'withdrawn')),
        kind                TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'document')),
        body                TEXT NOT NULL,
        entities            TEXT NOT NULL DEFAULT '[]',
        file_id             TEXT,
        topic               TEXT,
        urgency             TEXT CHECK (urgency IN ('biasa', 'penting', 'darurat')),
        targets             TEXT NOT NULL DEFAULT '{}',
        correction_of       INTEGER REFERENCES announcements(id),
        created_at          TEXT NOT NULL,
        submitted_at        TEXT,
        verified_by         INTEGER,
        verified_at         TEXT,
        reject_reason       TEXT,
        finished_at         TEXT,
        progress_chat_id    INTEGER,
        progress_message_id INTEGER
    );
    CREATE INDEX announcements_by_status ON announcements(status, id);
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        announcement_id INTEGER NOT NULL REFERENCES announcements(id),
        chat_id         INTEGER NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('kim', 'forum', 'channel', 'private')),
        priority        INTEGER NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        not_before      REAL NOT NULL DEFAULT 0,
        reason          TEXT,
        last_error      TEXT,
        message_ids     TEXT,
        reply_to        INTEGER,
        sent_at         TEXT,
        withdrawn       INTEGER NOT NULL DEFAULT 0,
        UNIQUE (announcement_id, chat_id)
    );
    CREATE INDEX outbox_queue ON outbox(status, priority, id);
    CREATE INDEX outbox_by_announcement ON outbox(announcement_id, status);
    CREATE TABLE reactions (
        announcement_id INTEGER NOT NULL REFERENCES announcements(id),
        user_id         INTEGER NOT NULL,
        vote            TEXT NOT NULL CHECK (vote IN ('up', 'down')),
        at              TEXT NOT NULL,
        PRIMARY KEY (announcement_id, user_id)
    );
    CREATE TABLE relays (
        announcement_id INTEGER NOT NULL REFERENCES announcements(id),
        chat_id         INTEGER NOT NULL,
        user_id         INTEGER,
        at              TEXT NOT NULL,
        PRIMARY KEY (announcement_id, chat_id)
    );
    """,
    # 5: schedules and the weekly digest
    # The announcements table is rebuilt to allow the status 'scheduled' (SQLite cannot alter
    # a CHECK). Foreign keys from outbox, reactions and relays are deferred for this one
    # transaction: the rows come back with the same ids before it commits.
    """
    PRAGMA defer_foreign_keys = ON;
    CREATE TABLE announcements_before_schedules AS SELECT * FROM announcements;
    CREATE TABLE announcements_sequence AS
        SELECT seq FROM sqlite_sequence WHERE name = 'announcements';
    DROP TABLE announcements;
    CREATE TABLE announcements (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        author_id           INTEGER,
        status              TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'rejected',
                                'sending', 'sent', 'cancelled', 'withdrawn', 'scheduled')),
        kind                TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'document')),
        body                TEXT NOT NULL,
        entities            TEXT NOT NULL DEFAULT '[]',
        file_id             TEXT,
        topic               TEXT,
        urgency             TEXT CHECK (urgency IN ('biasa', 'penting', 'darurat')),
        targets             TEXT NOT NULL DEFAULT '{}',
        correction_of       INTEGER REFERENCES announcements(id),
        created_at          TEXT NOT NULL,
        submitted_at        TEXT,
        verified_by         INTEGER,
        verified_at         TEXT,
        reject_reason       TEXT,
        finished_at         TEXT,
        progress_chat_id    INTEGER,
        progress_message_id INTEGER
    );
    INSERT INTO announcements SELECT * FROM announcements_before_schedules;
    UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM
        announcements_sequence), 0)) WHERE name = 'announcements';
    DROP TABLE announcements_before_schedules;
    DROP TABLE announcements_sequence;
    CREATE INDEX announcements_by_status ON announcements(status, id);
    CREATE TABLE schedules (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        kind            TEXT NOT NULL CHECK (kind IN ('announcement', 'digest')),
        announcement_id INTEGER REFERENCES announcements(id),
        rule            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('draft', 'proposed', 'active', 'paused',
                            'done', 'deleted')),
        slot            INTEGER,
        next_run        INTEGER,
        ends_on         TEXT,
        max_runs        INTEGER,
        runs            INTEGER NOT NULL DEFAULT 0,
        created_by      INTEGER,
        created_at      TEXT NOT NULL,
        verified_by     INTEGER,
        verified_at     TEXT,
        updated_at      TEXT NOT NULL
    );
    CREATE UNIQUE INDEX one_schedule_per_announcement ON schedules(announcement_id)
        WHERE announcement_id IS NOT NULL;
    CREATE UNIQUE INDEX one_digest_schedule ON schedules(kind) WHERE kind = 'digest';
    CREATE INDEX schedules_due ON schedules(status, next_run);
    CREATE TABLE schedule_runs (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        schedule_id     INTEGER NOT NULL REFERENCES schedules(id),
        slot            INTEGER NOT NULL,
        outcome         TEXT NOT NULL CHECK (outcome IN ('sent', 'manual', 'empty')),
        announcement_id INTEGER REFERENCES announcements(id),
        at              TEXT NOT NULL,
        UNIQUE (schedule_id, slot)
    );
    CREATE TABLE digest_outbox (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id     INTEGER NOT NULL REFERENCES schedule_runs(id),
        user_id    INTEGER NOT NULL,
        text       TEXT NOT NULL,
        status     TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        claimed_at INTEGER,
        sent_at    TEXT,
        UNIQUE (run_id, user_id)
    );
    CREATE INDEX digest_outbox_pending ON digest_outbox(status, id);
    ALTER TABLE people ADD COLUMN weekly_digest INTEGER NOT NULL DEFAULT 0;
    """,
    # 6: hoax reports and cases
    """
    CREATE TABLE hoax_cases (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        status              TEXT NOT NULL DEFAULT 'open'
                            CHECK (status IN ('open', 'decided', 'merged')),
        first_reported_at   TEXT NOT NULL,
        verdict             TEXT CHECK (verdict IN ('hoaks', 'disinformasi', 'misinformasi',
                                'fakta', 'tidak_dapat_diverifikasi')),
        explanation         TEXT NOT NULL DEFAULT '',
        reference_url       TEXT NOT NULL DEFAULT '',
        decided_by          INTEGER,
        decided_at          TEXT,
        merged_into         INTEGER REFERENCES hoax_cases(id),
        hoax_id             INTEGER REFERENCES hoaxes(id),
        clarification_id    INTEGER REFERENCES announcements(id),
        pending_verdict     TEXT,
        pending_explanation TEXT,
        pending_by          INTEGER
    );
    CREATE INDEX hoax_cases_by_status ON hoax_cases(status);
    CREATE TABLE hoax_reports (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id        INTEGER NOT NULL REFERENCES hoax_cases(id),
        reporter_id    INTEGER,
        reporter_name  TEXT,
        via            TEXT NOT NULL CHECK (via IN ('private', 'group')),
        group_chat_id  INTEGER,
        kind           TEXT NOT NULL
                       CHECK (kind IN ('text', 'photo', 'video', 'document', 'voice')),
        text           TEXT NOT NULL DEFAULT '',
        text_key       TEXT NOT NULL DEFAULT '',
        terms          TEXT NOT NULL DEFAULT '',
        link           TEXT NOT NULL DEFAULT '',
        file_id        TEXT,
        file_unique_id TEXT,
        origin         TEXT,
        origin_date    TEXT,
        kecamatan_code TEXT REFERENCES kecamatan(code),
        area_done      INTEGER NOT NULL DEFAULT 0,
        created_at     TEXT NOT NULL,
        answered_at    TEXT
    );
    CREATE INDEX hoax_reports_by_case ON hoax_reports(case_id);
    CREATE INDEX hoax_reports_by_reporter ON hoax_reports(reporter_id, created_at);
    CREATE INDEX hoax_reports_by_time ON hoax_reports(created_at);
    CREATE TABLE hoax_alerts (
        key       TEXT PRIMARY KEY,
        warned_at TEXT NOT NULL
    );
    """,
    # 7: blank spots and the group guard
    """
    CREATE TABLE blankspots (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        reporter_id     INTEGER,
        flow_message_id INTEGER,
        latitude        REAL,
        longitude       REAL,
        kecamatan_code  TEXT REFERENCES kecamatan(code),
        desa_code       TEXT REFERENCES desa(code),
        operator        TEXT NOT NULL CHECK (operator IN ('telkomsel', 'indosat', 'xl', 'tri',
                            'smartfren', 'lainnya')),
        problem         TEXT NOT NULL CHECK (problem IN ('no_signal', 'weak_signal',
                            'no_internet')),
        created_at      TEXT NOT NULL,
        CHECK ((latitude IS NULL) = (longitude IS NULL)),
        CHECK (latitude IS NOT NULL OR kecamatan_code IS NOT NULL)
    );
    CREATE UNIQUE INDEX blankspots_once ON blankspots(reporter_id, flow_message_id);
    CREATE INDEX blankspots_by_kecamatan ON blankspots(kecamatan_code);
    CREATE TABLE guard_chats (
        chat_id    INTEGER PRIMARY KEY
                   REFERENCES chats(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
        enabled_at TEXT NOT NULL
    );
    CREATE TABLE guard_notices (
        chat_id INTEGER NOT NULL
                REFERENCES guard_chats(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
        hoax_id INTEGER NOT NULL REFERENCES hoaxes(id) ON DELETE CASCADE,
        last_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, hoax_id)
    );
    """,
    # 8: the callback data of the keyboards the bot left on messages (bot/keyboards.py)
    """
    CREATE TABLE keyboards (
        chat_id    INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        data       TEXT NOT NULL,
        at         TEXT NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE INDEX keyboards_by_time ON keyboards(at);
    """,
    # 9: durable work started from a handler (see broadcasts/errands.py): when a withdrawn
    # announcement's row may be tried again, and the notices the dispatcher still owes
    """
    ALTER TABLE outbox ADD COLUMN withdraw_after REAL NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN withdraw_tries INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE notices (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        chat_id          INTEGER NOT NULL,
        text             TEXT,
        report_id        INTEGER REFERENCES hoax_reports(id) ON DELETE CASCADE,
        after_withdrawal INTEGER REFERENCES announcements(id) ON DELETE CASCADE,
        attempts         INTEGER NOT NULL DEFAULT 0,
        not_before       REAL NOT NULL DEFAULT 0,
        CHECK ((text IS NULL) = (after_withdrawal IS NOT NULL))
    );
    CREATE INDEX notices_due ON notices(not_before, id);
    """,
    # 10: the registry indexed per field (claim, explanation, narrative: each its own bm25
    # term statistics), satire and clarification told apart, and the search's thresholds
    # as last calibrated. The old terms carry over until the next import rebuilds the index
    # (bot/hoaxes.py: reindex), with the new stemmer and the explanations.
    """
    CREATE VIRTUAL TABLE hoax_claim_index USING fts5(terms, tokenize='unicode61');
    CREATE VIRTUAL TABLE hoax_explanation_index USING fts5(terms, tokenize='unicode61');
    CREATE VIRTUAL TABLE hoax_narrative_index USING fts5(terms, tokenize='unicode61');
    INSERT INTO hoax_claim_index(rowid, terms) SELECT rowid, claim FROM hoax_index;
    INSERT INTO hoax_narrative_index(rowid, terms)
        SELECT rowid, narrative FROM hoax_index WHERE narrative != '';
    DROP TABLE hoax_index;
    ALTER TABLE hoaxes ADD COLUMN kind TEXT NOT NULL DEFAULT ''
        CHECK (kind IN ('', 'satire', 'klarifikasi'));
    CREATE TABLE hoax_thresholds (
        tier     TEXT PRIMARY KEY CHECK (tier IN ('cocok', 'terkait')),
        score    REAL NOT NULL,
        registry INTEGER NOT NULL,
        at       TEXT NOT NULL
    );
    """,
    # 11: WhatsApp, the second channel for villagers (bot/whatsapp/). A WhatsApp contact is a
    # person in `people` under an id Telegram never gives (bot/addresses.py), so subscriptions,
    # reports, digests and forgetting work for both; the phone number is stored only here.
    # Outbox rows and notices say which channel carries them; each channel's dispatcher takes
    # only its own.
    """
    CREATE TABLE whatsapp_contacts (
        user_id           INTEGER PRIMARY KEY REFERENCES people(user_id) ON DELETE CASCADE,
        phone             TEXT NOT NULL UNIQUE,
        last_inbound_at   REAL,
        marketing_stopped INTEGER NOT NULL DEFAULT 0,
        step              TEXT,
        step_at           TEXT
    );
    CREATE TABLE whatsapp_messages (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        wamid       TEXT NOT NULL UNIQUE,
        user_id     INTEGER NOT NULL,
        outbox_id   INTEGER REFERENCES outbox(id),
        template    INTEGER NOT NULL DEFAULT 0,
        status      TEXT NOT NULL DEFAULT 'accepted'
                    CHECK (status IN ('accepted', 'sent', 'delivered', 'read', 'failed')),
        error       TEXT,
        follow_text TEXT,
        at          TEXT NOT NULL
    );
    CREATE INDEX whatsapp_messages_by_user ON whatsapp_messages(user_id);
    CREATE INDEX whatsapp_messages_by_outbox ON whatsapp_messages(outbox_id)
        WHERE outbox_id IS NOT NULL;
    CREATE TABLE whatsapp_inbound (
        wamid TEXT PRIMARY KEY,
        at    TEXT NOT NULL
    );
    ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram'
        CHECK (channel IN ('telegram', 'whatsapp'));
    DROP INDEX outbox_queue;
    CREATE INDEX outbox_queue ON outbox(channel, status, priority, id);
    ALTER TABLE notices ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram'
        CHECK (channel IN ('telegram', 'whatsapp'));
    DROP INDEX notices_due;
    CREATE INDEX notices_due ON notices(channel, not_before, id);
    """,
    # 12: an incoming WhatsApp message is kept until the conversation has taken it, so what
    # a stop or a crash left unanswered is answered at the restart (bot/whatsapp/inbound.py).
    """
    ALTER TABLE whatsapp_inbound ADD COLUMN user_id INTEGER;
    ALTER TABLE whatsapp_inbound ADD COLUMN message TEXT;
    CREATE INDEX whatsapp_inbound_owed ON whatsapp_inbound(at) WHERE message IS NOT NULL;
    """,
]
