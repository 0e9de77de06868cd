"""The register's schema as named migrations, applied in order.

Every synced row carries a UUID made on this laptop, when and by whom it was made and last
changed, the device, and a soft-delete flag: the USB handover and the audit trail stand on these.
A new migration is a new function at the end; an applied one is never edited.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

# PRAGMA application_id marks a file as a register ("SOTD"), so a foreign SQLite file is refused.
APPLICATION_ID = 0x534F5444
MIGRATION_SET = "sotheodoi"

migrations = Migrations(MIGRATION_SET)

_META = """
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    device_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
"""

SYNCED_TABLES = (
    "villages",
    "persons",
    "episodes",
    "drug_tests",
    "contacts",
    "hotspots",
    "prevention_models",
    "incidents",
    "settings",
    "calendar_days",
    "absences",
    "monitoring_orders",
    "substance_declarations",
    "management_team",
)


@migrations()
def m001_initial(db: Database) -> None:
    """People, episodes, tests, contacts, places, settings, the change log and search."""
    run_script(
        db,
        f"""
        CREATE TABLE local_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE villages (
            id TEXT PRIMARY KEY,
            commune_id TEXT NOT NULL,
            name TEXT NOT NULL,
            name_folded TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'thôn',
            population INTEGER CHECK (population IS NULL OR population >= 0),
            households INTEGER CHECK (households IS NULL OR households >= 0),
            drug_free INTEGER NOT NULL DEFAULT 0 CHECK (drug_free IN (0, 1)),
            drug_free_since TEXT,
            notes TEXT NOT NULL DEFAULT '',
            {_META}
        );
        CREATE INDEX villages_name ON villages (name_folded);

        CREATE TABLE persons (
            rid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            commune_id TEXT NOT NULL,
            full_name TEXT NOT NULL CHECK (full_name <> ''),
            other_names TEXT NOT NULL DEFAULT '',
            birth_date TEXT,
            sex TEXT CHECK (sex IS NULL OR sex IN ('M', 'F')),
            ethnicity TEXT NOT NULL DEFAULT '',
            id_number TEXT NOT NULL DEFAULT '',
            id_kind TEXT NOT NULL DEFAULT '' CHECK (id_kind IN ('', 'cccd', 'cmnd')),
            village_id TEXT REFERENCES villages (id),
            permanent_address TEXT NOT NULL DEFAULT '',
            current_address TEXT NOT NULL DEFAULT '',
            occupation TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            family_contact TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            name_folded TEXT NOT NULL,
            search_text TEXT NOT NULL,
            sort_key TEXT NOT NULL,
            {_META}
        );
        -- Lists show live rows only: partial indexes keep their scans index-only.
        CREATE INDEX persons_sort ON persons (sort_key) WHERE deleted = 0;
        CREATE INDEX persons_village ON persons (village_id);
        CREATE INDEX persons_id_number ON persons (id_number);
        CREATE INDEX persons_name ON persons (name_folded);

        CREATE VIRTUAL TABLE persons_fts USING fts5 (
            search_text, content='persons', content_rowid='rid',
            tokenize="unicode61 remove_diacritics 2", prefix='2 3'
        );
        CREATE TRIGGER persons_fts_insert AFTER INSERT ON persons BEGIN
            INSERT INTO persons_fts (rowid, search_text) VALUES (new.rid, new.search_text);
        END;
        CREATE TRIGGER persons_fts_delete AFTER DELETE ON persons BEGIN
            INSERT INTO persons_fts (persons_fts, rowid, search_text)
            VALUES ('delete', old.rid, old.search_text);
        END;
        CREATE TRIGGER persons_fts_update AFTER UPDATE OF search_text ON persons BEGIN
            INSERT INTO persons_fts (persons_fts, rowid, search_text)
            VALUES ('delete', old.rid, old.search_text);
            INSERT INTO persons_fts (rowid, search_text) VALUES (new.rid, new.search_text);
        END;

        CREATE TABLE episodes (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons (id),
            category TEXT NOT NULL CHECK (category IN ('user', 'addict', 'rehab_home',
                'rehab_facility', 'rehab_compulsory', 'methadone', 'post_rehab', 'suspect',
                'watch')),
            decision_no TEXT NOT NULL DEFAULT '',
            decision_date TEXT,
            signer TEXT NOT NULL DEFAULT '',
            start_date TEXT NOT NULL,
            planned_end TEXT,
            absence_days INTEGER NOT NULL DEFAULT 0 CHECK (absence_days >= 0),
            end_date TEXT,
            end_kind TEXT CHECK (end_kind IS NULL OR end_kind IN ('term', 'stopped',
                'superseded', 'moved_away', 'absconded', 'died', 'prison', 'tested',
                'completed', 'quit')),
            end_reason TEXT NOT NULL DEFAULT '',
            moved_to TEXT NOT NULL DEFAULT '',
            moved_from TEXT NOT NULL DEFAULT '',
            notice_date TEXT,
            team TEXT NOT NULL DEFAULT '[]',
            notes TEXT NOT NULL DEFAULT '',
            {_META},
            CHECK (end_date IS NULL OR end_date >= start_date),
            CHECK ((end_date IS NULL) = (end_kind IS NULL))
        );
        CREATE INDEX episodes_person ON episodes (person_id, start_date);
        CREATE INDEX episodes_live ON episodes (person_id, category, start_date, end_date)
            WHERE deleted = 0;
        CREATE INDEX episodes_category ON episodes (category, start_date);
        -- A period's movements: episodes begun or ended between two dates.
        CREATE INDEX episodes_start ON episodes (start_date) WHERE deleted = 0;
        CREATE INDEX episodes_end ON episodes (end_date) WHERE deleted = 0;
        -- The due list: open periods by planned end, and move notices not yet sent.
        CREATE INDEX episodes_planned ON episodes (planned_end)
            WHERE deleted = 0 AND end_date IS NULL;
        CREATE INDEX episodes_unsent_moves ON episodes (end_date)
            WHERE deleted = 0 AND end_kind = 'moved_away' AND notice_date IS NULL;

        CREATE TABLE drug_tests (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons (id),
            test_date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('periodic', 'surprise')),
            method TEXT NOT NULL DEFAULT 'urine_strip',
            substances TEXT NOT NULL DEFAULT '',
            positives TEXT NOT NULL DEFAULT '',
            result TEXT NOT NULL CHECK (result IN ('positive', 'negative')),
            officer TEXT NOT NULL DEFAULT '',
            place TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            {_META}
        );
        CREATE INDEX drug_tests_person ON drug_tests (person_id, test_date) WHERE deleted = 0;
        -- Tests of a period, read without touching the table (figures, reports).
        CREATE INDEX drug_tests_date ON drug_tests (test_date, person_id, kind, result, positives)
            WHERE deleted = 0;

        CREATE TABLE contacts (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons (id),
            contact_date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('home_visit', 'counselling', 'job_support',
                'residence_check', 'report_in', 'other')),
            at_address INTEGER CHECK (at_address IS NULL OR at_address IN (0, 1)),
            officer TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            {_META}
        );
        CREATE INDEX contacts_person ON contacts (person_id, kind, contact_date) WHERE deleted = 0;
        CREATE INDEX contacts_date ON contacts (contact_date);

        CREATE TABLE hotspots (
            id TEXT PRIMARY KEY,
            commune_id TEXT NOT NULL,
            village_id TEXT REFERENCES villages (id),
            name TEXT NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'use' CHECK (kind IN ('use', 'harbour', 'trade')),
            found_date TEXT NOT NULL,
            cleared_date TEXT,
            notes TEXT NOT NULL DEFAULT '',
            {_META},
            CHECK (cleared_date IS NULL OR cleared_date >= found_date)
        );

        CREATE TABLE prevention_models (
            id TEXT PRIMARY KEY,
            commune_id TEXT NOT NULL,
            village_id TEXT REFERENCES villages (id),
            name TEXT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT,
            notes TEXT NOT NULL DEFAULT '',
            {_META},
            CHECK (end_date IS NULL OR end_date >= start_date)
        );

        CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            commune_id TEXT NOT NULL,
            village_id TEXT REFERENCES villages (id),
            person_id TEXT REFERENCES persons (id),
            incident_date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('psychosis', 'arrest', 'plants', 'other')),
            serious INTEGER NOT NULL DEFAULT 0 CHECK (serious IN (0, 1)),
            count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 0),
            area_m2 REAL NOT NULL DEFAULT 0 CHECK (area_m2 >= 0),
            notes TEXT NOT NULL DEFAULT '',
            {_META}
        );
        CREATE INDEX incidents_date ON incidents (incident_date);

        CREATE TABLE settings (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            value TEXT NOT NULL,
            {_META}
        );

        CREATE TABLE calendar_days (
            id TEXT PRIMARY KEY,
            day TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
            name TEXT NOT NULL DEFAULT '',
            {_META}
        );
        CREATE INDEX calendar_days_day ON calendar_days (day);

        -- Append-only: who changed which record, when, old value -> new value.
        CREATE TABLE change_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            device_id TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'bulk')),
            changes TEXT NOT NULL
        );
        CREATE INDEX change_log_row ON change_log (row_id, seq);
        CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log BEGIN
            SELECT RAISE(ABORT, 'change_log is append-only');
        END;
        CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log BEGIN
            SELECT RAISE(ABORT, 'change_log is append-only');
        END;
        """,
    )


def run_script(db: Database, script: str) -> None:
    """Run SQL statements one by one, inside the caller's transaction.

    (sqlite3's executescript() commits first, which would break a migration's transaction.)
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:80]}")


@migrations()
def m002_handover(db: Database) -> None:
    """USB handover: peers, bundles made and read, the versions peers hold, conflicts.

    These tables are local bookkeeping, never synced themselves (docs/handover.md).
    """
    run_script(
        db,
        """
        -- Every other laptop this register has read a bundle from.
        CREATE TABLE handover_peers (
            peer_no INTEGER PRIMARY KEY,
            device_id TEXT NOT NULL UNIQUE,
            commune_id TEXT NOT NULL,
            commune_name TEXT NOT NULL DEFAULT '',
            unit_name TEXT NOT NULL DEFAULT '',
            province_name TEXT NOT NULL DEFAULT '',
            officer TEXT NOT NULL DEFAULT '',
            label TEXT NOT NULL DEFAULT '',
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );

        -- Bundles made here; `seq` is this source's sequence number and is never reused.
        CREATE TABLE handover_exports (
            seq INTEGER PRIMARY KEY,
            bundle_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
            receiver TEXT NOT NULL DEFAULT '',
            receiver_key TEXT NOT NULL DEFAULT '',
            receiver_device TEXT,
            since_seq INTEGER,
            status TEXT NOT NULL CHECK (status IN ('writing', 'done', 'failed')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            created_by TEXT NOT NULL,
            log_seq INTEGER NOT NULL,
            journal_seq INTEGER NOT NULL,
            file_name TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL DEFAULT '',
            counts TEXT NOT NULL DEFAULT '{}',
            acked_at TEXT
        );
        CREATE INDEX handover_exports_receiver ON handover_exports (receiver_key, seq);

        -- Bundles read here: (source device, sequence) makes a second import a no-op.
        CREATE TABLE handover_imports (
            import_no INTEGER PRIMARY KEY,
            source_device TEXT NOT NULL,
            source_seq INTEGER NOT NULL,
            bundle_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            kind TEXT NOT NULL,
            source_commune TEXT NOT NULL,
            made_by TEXT NOT NULL,
            made_at TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL,
            file_name TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '{}',
            UNIQUE (source_device, source_seq, bundle_id)
        );

        -- Per peer and row: a hash of the version that peer last sent here (the base of the
        -- three-way merge), and its field values only where they differ from this register's.
        CREATE TABLE handover_base (
            peer_no INTEGER NOT NULL,
            tbl TEXT NOT NULL,
            row_id TEXT NOT NULL,
            hash BLOB NOT NULL,
            vals TEXT,
            PRIMARY KEY (peer_no, tbl, row_id)
        ) WITHOUT ROWID;

        -- Rows written by imports, in order: what an incremental bundle must pass on (rows
        -- this laptop changed itself are found in change_log).
        CREATE TABLE handover_journal (
            seq INTEGER PRIMARY KEY,
            tbl TEXT NOT NULL,
            row_id TEXT NOT NULL
        );

        -- The same field changed on both sides: kept here until a person chooses.
        CREATE TABLE handover_conflicts (
            id INTEGER PRIMARY KEY,
            tbl TEXT NOT NULL,
            row_id TEXT NOT NULL,
            field TEXT NOT NULL,
            local_value TEXT NOT NULL,
            local_by TEXT NOT NULL,
            local_at TEXT NOT NULL,
            remote_value TEXT NOT NULL,
            remote_by TEXT NOT NULL,
            remote_at TEXT NOT NULL,
            remote_device TEXT NOT NULL,
            import_no INTEGER NOT NULL,
            found_at TEXT NOT NULL,
            resolved_at TEXT,
            resolved_by TEXT,
            chosen TEXT CHECK (chosen IS NULL OR chosen IN ('local', 'remote')),
            chosen_value TEXT
        );
        CREATE INDEX handover_conflicts_open ON handover_conflicts (tbl, row_id, field)
            WHERE resolved_at IS NULL;
        """,
    )


@migrations()
def m003_security(db: Database) -> None:
    """Accounts and roles; the change log chained by hash, open to events (print, export…)."""
    from db.core.chain import CHAINED_COLUMNS, GENESIS, entry_hash

    base = {"seq", *CHAINED_COLUMNS, "prev_hash", "hash"}
    columns = db.execute("PRAGMA table_info(change_log)").fetchall()
    extra = [c for c in columns if c[1] not in base]  # columns other migrations added
    extra_sql = "".join(
        f",\n            [{name}] {kind}{' NOT NULL' if notnull else ''}"
        f"{f' DEFAULT {default}' if default is not None else ''}"
        for _, name, kind, notnull, default, _ in extra
    )
    others = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'change_log' AND sql IS NOT NULL "
        "AND type IN ('index', 'trigger') AND name NOT IN "
        "('change_log_row', 'change_log_no_update', 'change_log_no_delete')"
    ).fetchall()
    # The old table's CHECK allowed only row changes; events (print, export, login, backup) are
    # logged now, so the table is rebuilt (SQLite cannot drop a CHECK) with its rows chained.
    run_script(
        db,
        f"""
        DROP TRIGGER change_log_no_update;
        DROP TRIGGER change_log_no_delete;
        CREATE TABLE change_log_new (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            device_id TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action <> ''),
            changes TEXT NOT NULL{extra_sql},
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        """,
    )
    names = ["seq", *CHAINED_COLUMNS, *(c[1] for c in extra)]
    listed = ", ".join(f"[{n}]" for n in names)
    marks = ", ".join("?" for _ in range(len(names) + 2))
    prev = GENESIS
    batch: list[list[object]] = []
    for row in db.execute(f"SELECT {listed} FROM change_log ORDER BY seq"):
        values = list(row)
        current = entry_hash(prev, *values[1 : 1 + len(CHAINED_COLUMNS)])
        batch.append([*values, prev, current])
        prev = current
        if len(batch) >= 5000:
            db.conn.executemany(
                f"INSERT INTO change_log_new ({listed}, prev_hash, hash) VALUES ({marks})", batch
            )
            batch = []
    if batch:
        db.conn.executemany(
            f"INSERT INTO change_log_new ({listed}, prev_hash, hash) VALUES ({marks})", batch
        )
    run_script(
        db,
        f"""
        DROP TABLE change_log;
        ALTER TABLE change_log_new RENAME TO change_log;
        CREATE INDEX change_log_row ON change_log (row_id, seq);
        CREATE INDEX change_log_user ON change_log (user, seq);
        CREATE INDEX change_log_at ON change_log (at);
        -- Append-only: an edit needs a raw write past these, and the hash chain shows it.
        CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log BEGIN
            SELECT RAISE(ABORT, 'change_log is append-only');
        END;
        CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log BEGIN
            SELECT RAISE(ABORT, 'change_log is append-only');
        END;

        -- Accounts of an encrypted register; passwords are not here but in the key slots
        -- (<register>.keys): a password that unwraps the database key is the right one.
        CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            login TEXT NOT NULL UNIQUE,
            full_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN ('officer', 'chief')),
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            {_META}
        );
        """,
    )
    for _, sql in others:
        db.execute(sql)


@migrations()
def m010_management_team(db: Database) -> None:
    """The management team (Tổ quản lý) of each person; a person merged into another points to
    the kept record; merges kept (to undo them until the next handover) and pairs marked as not
    duplicates."""
    run_script(
        db,
        f"""
        CREATE TABLE management_team (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons (id),
            role TEXT NOT NULL CHECK (role IN ('leader', 'deputy', 'family', 'organisation',
                'helper')),
            name TEXT NOT NULL CHECK (name <> ''),
            relation TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            from_date TEXT,
            to_date TEXT,
            notes TEXT NOT NULL DEFAULT '',
            {_META},
            CHECK (to_date IS NULL OR from_date IS NULL OR to_date >= from_date)
        );
        CREATE INDEX management_team_person ON management_team (person_id) WHERE deleted = 0;

        -- No REFERENCES: a bundle's persons arrive in any order.
        ALTER TABLE persons ADD COLUMN merged_into TEXT;
        CREATE INDEX persons_merged ON persons (merged_into) WHERE merged_into IS NOT NULL;
        -- Possible duplicates are grouped from these alone (covering: `deleted` is listed).
        CREATE INDEX persons_dup_id ON persons (id_number, sex, id, deleted)
            WHERE deleted = 0 AND id_number <> '';
        CREATE INDEX persons_dup_name ON persons (name_folded, birth_date, sex, id, deleted)
            WHERE deleted = 0;
        CREATE INDEX persons_dup_village
            ON persons (village_id, name_folded, birth_date, sex, id, deleted) WHERE deleted = 0;

        -- Local bookkeeping, never synced: what undoing a merge needs.
        CREATE TABLE person_merges (
            id TEXT PRIMARY KEY,
            kept_id TEXT NOT NULL,
            merged_id TEXT NOT NULL,
            log_seq INTEGER NOT NULL,
            moved TEXT NOT NULL DEFAULT '[]',
            dropped TEXT NOT NULL DEFAULT '[]',
            filled TEXT NOT NULL DEFAULT '{{}}',
            reason TEXT NOT NULL DEFAULT '',
            undone_at TEXT,
            {_META}
        );
        CREATE INDEX person_merges_kept ON person_merges (kept_id);

        CREATE TABLE duplicate_dismissals (
            id TEXT PRIMARY KEY,
            person_a TEXT NOT NULL,
            person_b TEXT NOT NULL,
            {_META},
            CHECK (person_a < person_b)
        );
        CREATE UNIQUE INDEX duplicate_dismissals_pair ON duplicate_dismissals (person_a, person_b)
            WHERE deleted = 0;
        """,
    )


@migrations()
def m011_law120_and_absences(db: Database) -> None:
    """Unreported absences of post-rehab periods, electronic monitoring orders and declared
    substances (Law 120/2025/QH15)."""
    run_script(
        db,
        f"""
        CREATE TABLE absences (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons (id),
            episode_id TEXT NOT NULL REFERENCES episodes (id),
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            days INTEGER NOT NULL CHECK (days > 0),
            notes TEXT NOT NULL DEFAULT '',
            {_META},
            CHECK (end_date >= start_date)
        );
        CREATE INDEX absences_episode ON absences (episode_id, start_date) WHERE deleted = 0;
        CREATE INDEX absences_person ON absences (person_id) WHERE deleted = 0;

        CREATE TABLE monitoring_orders (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons (id),
            episode_id TEXT REFERENCES episodes (id),
            category TEXT NOT NULL CHECK (category IN ('rehab_home', 'methadone', 'post_rehab')),
            ordered_on TEXT NOT NULL,
            ordered_by TEXT NOT NULL CHECK (ordered_by <> ''),
            from_date TEXT NOT NULL,
            to_date TEXT NOT NULL,
            device TEXT NOT NULL DEFAULT '',
            ended_on TEXT,
            end_reason TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            {_META},
            CHECK (to_date >= from_date),
            CHECK (ended_on IS NULL OR ended_on >= from_date)
        );
        CREATE INDEX monitoring_orders_person ON monitoring_orders (person_id, from_date)
            WHERE deleted = 0;
        CREATE INDEX monitoring_orders_dates ON monitoring_orders (from_date, to_date)
            WHERE deleted = 0;

        CREATE TABLE substance_declarations (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons (id),
            declared_on TEXT NOT NULL,
            substances TEXT NOT NULL CHECK (substances <> ''),
            notes TEXT NOT NULL DEFAULT '',
            {_META}
        );
        CREATE INDEX substance_declarations_person ON substance_declarations
            (person_id, declared_on) WHERE deleted = 0;
        """,
    )


@migrations()
def m012_security_seal(db: Database) -> None:
    """Issue 16: the chief's seal over accounts and settings (db.store.seal). Local, never
    synced: each register is sealed by its own chief."""
    run_script(
        db,
        """
        CREATE TABLE seal (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            body TEXT NOT NULL,
            signature TEXT NOT NULL,
            public_key TEXT NOT NULL,
            sealed_at TEXT NOT NULL,
            sealed_by TEXT NOT NULL
        );
        """,
    )


@migrations()
def m013_speed_indexes(db: Database) -> None:
    """Issue 12: indexes that answer the due list, the figures and the crime check without
    reading table rows. On an encrypted register every page read is decrypted and checked, so a
    query that fetches each episode's row for one column reads (and decrypts) most of the
    110 MB episodes table; from these covering indexes it reads a few MB."""
    run_script(
        db,
        """
        -- A person's live episodes with what the due list asks of them (how it ended, whether a
        -- decision is on file): replaces episodes_live, of which it is a superset.
        CREATE INDEX episodes_person_state ON episodes
            (person_id, category, start_date, end_date, end_kind, decision_no) WHERE deleted = 0;
        DROP INDEX episodes_live;
        -- Live episodes by category (addicts without treatment, completed rehab, post-rehab
        -- files without a decision), with the columns those lists show.
        CREATE INDEX episodes_category_state ON episodes
            (category, start_date, end_date, end_kind, decision_no, person_id, id)
            WHERE deleted = 0;
        -- The village of a live person, for figures per village (a join per episode or test).
        CREATE INDEX persons_live_village ON persons (id, village_id) WHERE deleted = 0;
        -- Positive tests (a few percent of all): the follow-ups and the crime check.
        CREATE INDEX drug_tests_positive ON drug_tests (test_date, person_id, positives)
            WHERE deleted = 0 AND result = 'positive';
        -- A person's tests and contacts deleted ones included (the person's change history):
        -- without them that reads the whole tables, 3-4 s on the encrypted register.
        CREATE INDEX drug_tests_person_all ON drug_tests (person_id);
        CREATE INDEX contacts_person_all ON contacts (person_id);
        """,
    )


@migrations()
def m014_inbox(db: Database) -> None:
    """Issue 14: the province's inbox (db.province): the tokens it issued to communes (only
    their hashes) and the reports communes uploaded (PDF and figures, once per report id).
    Local, never synced."""
    run_script(
        db,
        """
        CREATE TABLE inbox_tokens (
            id TEXT PRIMARY KEY,
            commune_id TEXT NOT NULL,
            commune_name TEXT NOT NULL DEFAULT '',
            token_hash TEXT NOT NULL UNIQUE,
            hint TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            revoked_at TEXT,
            revoked_by TEXT,
            last_used_at TEXT
        );
        CREATE INDEX inbox_tokens_commune ON inbox_tokens (commune_id);

        CREATE TABLE inbox_reports (
            receipt_id TEXT PRIMARY KEY,
            report_id TEXT NOT NULL UNIQUE,
            commune_id TEXT NOT NULL,
            token_id TEXT NOT NULL REFERENCES inbox_tokens (id),
            unit TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            month TEXT NOT NULL,
            title TEXT NOT NULL,
            version INTEGER NOT NULL,
            made_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            filename TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            figures_sha256 TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            size INTEGER NOT NULL CHECK (size > 0),
            pdf BLOB NOT NULL,
            figures TEXT NOT NULL
        );
        CREATE INDEX inbox_reports_month ON inbox_reports (month, commune_id, version);
        """,
    )


@migrations()
def m015_province_plan(db: Database) -> None:
    """Issue 14: the province's targets per year (db.province.plan) and, in a register that
    receives other communes' bundles, each commune's own settings as it sent them (the figures
    of one commune use its test intervals and baseline: db.province.scope). Local, never
    synced."""
    run_script(
        db,
        """
        CREATE TABLE province_plan (
            year INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
            communes INTEGER NOT NULL CHECK (communes >= 0),
            villages INTEGER NOT NULL CHECK (villages >= 0),
            total_communes INTEGER NOT NULL CHECK (total_communes > 0),
            total_villages INTEGER NOT NULL CHECK (total_villages > 0),
            plan_name TEXT NOT NULL DEFAULT '',
            plan_number TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            CHECK (communes <= total_communes AND villages <= total_villages)
        );

        CREATE TABLE commune_settings (
            commune_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (commune_id, key)
        ) WITHOUT ROWID;

        -- One commune's people in a register of many (db.province.scope copies them): without
        -- it, each commune of the overview read every person of the province.
        CREATE INDEX persons_commune ON persons (commune_id, id);
        """,
    )


def _latest_triggers(table: str, column: str, date_col: str, when: str) -> str:
    """Triggers keeping `person_last.<column>` = the latest live `<table>.<date_col>` of each
    person (among rows where `when`): a new row can only move it later; any change or removal
    of a row recomputes it for the person(s) concerned from the table's person index."""
    latest = (
        f"(SELECT max({date_col}) FROM {table} WHERE person_id = {{who}}.person_id "
        f"AND deleted = 0 AND {when})"
    )
    recompute = (
        f"INSERT INTO person_last (person_id, {column}) VALUES ({{who}}.person_id, {latest}) "
        f"ON CONFLICT (person_id) DO UPDATE SET {column} = excluded.{column};"
    )
    new_when = when.replace("kind", "NEW.kind")
    return f"""
        CREATE TRIGGER {table}_last_insert AFTER INSERT ON {table}
        WHEN NEW.deleted = 0 AND {new_when} BEGIN
            INSERT INTO person_last (person_id, {column}) VALUES (NEW.person_id, NEW.{date_col})
            ON CONFLICT (person_id) DO UPDATE SET {column} = excluded.{column}
            WHERE {column} IS NULL OR excluded.{column} > {column};
        END;
        CREATE TRIGGER {table}_last_update AFTER UPDATE OF person_id, {date_col}, deleted, kind
        ON {table} BEGIN
            {recompute.format(who="OLD")}
            {recompute.format(who="NEW")}
        END;
        CREATE TRIGGER {table}_last_delete AFTER DELETE ON {table} BEGIN
            {recompute.format(who="OLD")}
        END;
    """


@migrations()
def m016_person_last(db: Database) -> None:
    """Issue 12: each person's latest live test and latest residence check, kept by triggers.

    The due list and the figures ask both for every managed person (~35,000 at 100,000
    people). Asked of the tests' and contacts' person indexes (60 and 25 MB), that decrypts
    most of their pages on an encrypted register, every time; this table is ~8 MB. Derived,
    local and never synced: the triggers keep it equal to the tables under every write path
    (a form, an import, a bundle, a merge of two people, a correction), and `check` compares
    it with them. A question about a day before the latest still asks the tables
    (db.duties.due)."""
    run_script(
        db,
        """
        CREATE TABLE person_last (
            person_id TEXT PRIMARY KEY,
            last_test TEXT,
            last_check TEXT
        ) WITHOUT ROWID;
        INSERT INTO person_last (person_id, last_test)
            SELECT person_id, max(test_date) FROM drug_tests WHERE deleted = 0
            GROUP BY person_id;
        INSERT INTO person_last (person_id, last_check)
            SELECT person_id, max(contact_date) FROM contacts
            WHERE deleted = 0 AND kind = 'residence_check' GROUP BY person_id
            ON CONFLICT (person_id) DO UPDATE SET last_check = excluded.last_check;
        """
        + """
        -- The due list's other questions of every managed person, each from a small index
        -- instead of one over all 200,000 episodes: the open episodes, the last release from a
        -- facility and the last day out of reach (db.duties.due).
        -- (The columns of each WHERE are in the index too: SQLite reads the row otherwise.)
        CREATE INDEX episodes_open ON episodes (person_id, category, start_date, end_date)
            WHERE deleted = 0 AND end_date IS NULL;
        CREATE INDEX episodes_released ON episodes (person_id, end_date, category)
            WHERE deleted = 0 AND category IN ('rehab_facility', 'rehab_compulsory');
        CREATE INDEX episodes_gone ON episodes (person_id, end_date, end_kind)
            WHERE deleted = 0 AND end_kind IN ('moved_away', 'absconded', 'died', 'prison');
        """
        + _latest_triggers("drug_tests", "last_test", "test_date", "1")
        + _latest_triggers("contacts", "last_check", "contact_date", "kind = 'residence_check'"),
    )


@migrations()
def m017_deleted_people(db: Database) -> None:
    """Issue 12: the few people deleted from the register, by id. Counts over many tests (the
    12-month series) count every live test and take away those of deleted people, instead of
    asking for each of ~500,000 tests whether its person is live (0.6 s of 1 s encrypted)."""
    run_script(db, "CREATE INDEX persons_deleted ON persons (id, deleted) WHERE deleted <> 0;")


@migrations()
def m018_listed_people(db: Database) -> None:
    """Issue 12: what a list of people shows of each (name, birth, order, village), by id,
    from an index: the due list names ~11,000 people at 100,000, whose rows lie on as many
    pages of the persons table (half the time of naming them, encrypted)."""
    run_script(
        db,
        """
        CREATE INDEX persons_listed ON persons (id, sort_key, full_name, birth_date, village_id)
            WHERE deleted = 0;
        """,
    )


KNOWN_MIGRATIONS: tuple[str, ...] = tuple(m.name for m in migrations._migrations)
