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
]
