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


KNOWN_MIGRATIONS: tuple[str, ...] = tuple(m.name for m in migrations._migrations)
