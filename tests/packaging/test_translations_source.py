"""packaging/make_translations.py: Qt's strings in Vietnamese are Qt's own and compiled."""

from __future__ import annotations

from pathlib import Path

from tests.packaging.scripts import load

make_translations = load("make_translations")


def test_every_message_is_a_string_qt_has() -> None:
    assert make_translations.unknown_sources() == []


def test_every_message_is_translated() -> None:
    messages = make_translations.ts_messages()
    assert len(messages) > 100
    assert [(c, s) for c, s, t in messages if not t.strip()] == []


def test_a_typo_in_a_source_text_is_caught(tmp_path: Path) -> None:
    ts = tmp_path / "typo.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><TS version="2.1" language="vi_VN">'
        "<context><name>QPlatformTheme</name>"
        "<message><source>&amp;Yes</source><translation>&amp;Có</translation></message>"
        "<message><source>&amp;Yess</source><translation>&amp;Có</translation></message>"
        "</context></TS>",
        encoding="utf-8",
    )
    assert make_translations.unknown_sources(ts) == [("QPlatformTheme", "&Yess")]


def test_the_committed_qm_is_what_the_ts_compiles_to(tmp_path: Path) -> None:
    fresh = tmp_path / "qt_vi.qm"
    make_translations.compile_qm(make_translations.TS_FILE, fresh)
    assert fresh.read_bytes() == make_translations.QM_FILE.read_bytes()


def test_the_qm_reader_reads_what_lrelease_wrote() -> None:
    messages = set(make_translations.qm_messages(make_translations.QM_FILE))
    assert ("QPlatformTheme", "&Yes") in messages
    assert ("QLineEdit", "&Copy") in messages
