"""Possible duplicates (db.persons.duplicates) and merging them (db.persons.merging)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.commune import places
from db.core.errors import ValidationError
from db.core.textfold import fold, sort_key
from db.duties import actions
from db.persons import contacts, corrections, drugtests, duplicates, episodes, merging, people
from db.persons.history_view import person_history
from db.store import records
from db.store.register import OFFICER, Register, open_register
from tests.support.handover import export
from tests.support.registers import count

Add = Callable[..., str]


def pairs(reg: Register) -> dict[frozenset[str], tuple[str, ...]]:
    return {frozenset((p.first, p.second)): p.signs for p in duplicates.possible_pairs(reg)}


def test_the_four_signs(reg: Register, add: Add) -> None:
    other_village = places.save_village(reg, {"name": "Bản Búng"})
    a = add("Nguyễn Văn An", birth_date="1990", sex="Nam")
    b = add("nguyen van AN", birth_date="12/03/1990")  # same folded name and year
    c = add("Nguyễn Văn Ann", birth_date="1985")  # one letter more, same village
    d = add("Lò Văn An", birth_date="1990")  # same given name and year, same village
    e = add("Nguyễn Văn An", birth_date="1990", village_id=other_village)  # name+year only
    f = add("Nguyễn Thị An", birth_date="1990", sex="Nữ")  # a woman: not the man a
    found = pairs(reg)
    assert found[frozenset((a, b))] == ("name_year", "close_name", "given_year")
    assert found[frozenset((a, c))] == ("close_name",)
    assert found[frozenset((a, d))] == ("given_year",)
    assert found[frozenset((a, e))] == ("name_year",)
    assert frozenset((a, f)) not in found
    assert frozenset((c, d)) not in found  # different names, different years
    # Strongest first.
    assert duplicates.possible_pairs(reg)[0].signs[0] == "name_year"


def test_the_same_cccd_even_with_a_different_name(reg: Register, add: Add) -> None:
    a = add("Đặng Văn Đức", birth_date="1990", sex="Nam")
    b = add("Hoàng Văn Tâm", birth_date="1975")
    # Two records with one number can only come in by import or merge: write it as one would.
    for pid in (a, b):
        records.update(reg, "persons", pid, {"id_number": "014090001234"})
    (pair,) = duplicates.possible_pairs(reg)
    assert pair.signs == ("cccd",) and pair.reasons == "Trùng số CCCD/CMND"


def test_a_pair_marked_not_duplicate_is_remembered(reg: Register, add: Add) -> None:
    a = add("Nguyễn Văn An", birth_date="1990")
    b = add("Nguyễn Văn An", birth_date="1990")
    duplicates.dismiss(reg, b, a)
    assert pairs(reg) == {}
    with pytest.raises(ValidationError):
        duplicates.dismiss(reg, a, b)


@given(st.text(alphabet="abcdeđ ", min_size=0, max_size=8),
       st.text(alphabet="abcdeđ ", min_size=0, max_size=8))  # fmt: skip
def test_one_edit_is_a_levenshtein_distance_of_at_most_one(a: str, b: str) -> None:
    def distance(x: str, y: str) -> int:
        row = list(range(len(y) + 1))
        for i, cx in enumerate(x, 1):
            prev, row[0] = row[0], i
            for j, cy in enumerate(y, 1):
                prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (cx != cy))
        return row[-1]

    assert duplicates.one_edit(a, b) == (distance(a, b) <= 1)


@pytest.mark.slow
def test_many_people_are_grouped_not_compared_pair_by_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30,000 people in 200 villages, all "Người Thứ …" (one family and middle name per village:
    the worst case for grouping by the rest of the name): one typo is found, and names are
    compared only where they share a variant — not 150² times per village."""
    reg = open_register(tmp_path / "lon.db", create=True)
    villages = [places.save_village(reg, {"name": f"Bản {i}"}) for i in range(200)]
    rows = []
    for i in range(30000):
        name = f"Người Thứ {i:05d}{i:05d}"  # any two at least two letters apart
        rows.append({"commune_id": reg.commune_id, "full_name": name, "birth_date": "1990",
                     "village_id": villages[i % 200], "name_folded": fold(name),
                     "search_text": fold(name), "sort_key": sort_key(name)})  # fmt: skip
    records.insert_bulk(reg, "persons", rows, "test")
    typo = people.add_person(reg, {"full_name": "Người Thứ 0000700007x", "village_id": villages[7]})
    compared: list[tuple[str, str]] = []
    real = duplicates.one_edit
    monkeypatch.setattr(duplicates, "one_edit", lambda a, b: compared.append((a, b)) or real(a, b))
    found = duplicates.possible_pairs(reg)
    assert [(p.signs, {p.first, p.second} & {typo}) for p in found] == [(("close_name",), {typo})]
    # Only names that share a variant are compared (a few dozen), never 200 × 150² / 2.
    assert len(compared) < 1000
    reg.close()


# --- Merging. ----------------------------------------------------------------------------------


@pytest.fixture
def twins(reg: Register, add: Add) -> tuple[str, str]:
    """One man typed twice: the first with a decision and a positive test, the second with the
    same test, a contact and his phone number."""
    kept = add("Nguyễn Văn An", birth_date="1990", sex="Nam")
    other = add("Nguyen Van An", birth_date="1990", phone="0912 345 678")
    actions.management_decision(reg, kept, "10/05/2026", decision_no="5/QĐ")
    drugtests.record_test(reg, kept, "16/11/2026", positives="MET")
    drugtests.record_test(reg, other, "16/11/2026", positives="MET")  # the same test, twice
    drugtests.record_test(reg, other, "01/11/2026")
    contacts.add_contact(reg, other, "02/11/2026", "home_visit")
    return kept, other


def test_merging_moves_rows_once_and_points_to_the_kept_record(
    reg: Register, twins: tuple[str, str]
) -> None:
    kept, other = twins
    merge_id = merging.merge(reg, kept, other)
    assert [t["test_date"] for t in drugtests.tests_of(reg, kept)] == ["2026-11-16", "2026-11-01"]
    assert len(contacts.contacts_of(reg, kept)) == 1
    assert people.get_person(reg, kept)["phone"] == "0912 345 678"  # a blank filled
    gone = records.get(reg, "persons", other, include_deleted=True)
    assert gone["deleted"] == 1 and gone["merged_into"] == kept
    assert people.count_people(reg) == 1 and pairs(reg) == {}
    # Both histories show on the kept person's screen.
    history = person_history(reg, kept)
    assert any(h["action_label"] == "Gộp hồ sơ trùng" for h in history)
    assert any(h["summary"].startswith("Họ và tên: Nguyen Van An") for h in history)
    assert merging.merges(reg, kept)[0]["id"] == merge_id


def test_unmerging_gives_each_record_back_its_rows(reg: Register, twins: tuple[str, str]) -> None:
    kept, other = twins
    before = {pid: len(drugtests.tests_of(reg, pid)) for pid in twins}
    merge_id = merging.merge(reg, kept, other)
    drugtests.record_test(reg, kept, "18/11/2026")  # after the merge: stays with the kept one
    merging.unmerge(reg, merge_id, "Hai người khác nhau")
    assert len(drugtests.tests_of(reg, other)) == before[other]
    assert len(drugtests.tests_of(reg, kept)) == before[kept] + 1
    assert people.get_person(reg, other)["merged_into"] is None
    assert people.get_person(reg, kept)["phone"] == ""
    assert merging.merges(reg) == []
    assert [c.kind for c in corrections.corrections_since(reg, reg.today().replace(year=2000))
            ] == ["merge", "unmerge"]  # fmt: skip


def test_no_unmerge_once_a_bundle_has_left(
    reg: Register, twins: tuple[str, str], tmp_path: Path
) -> None:
    kept, other = twins
    merge_id = merging.merge(reg, kept, other)
    export(reg, tmp_path)
    refusal = merging.unmerge_refusal(reg, merge_id)
    assert refusal.startswith("Đã làm gói bàn giao sau khi gộp")
    with pytest.raises(ValidationError):
        merging.unmerge(reg, merge_id)
    assert people.count_people(reg) == 1


def test_a_bundle_made_before_the_merge_does_not_stop_the_unmerge(
    reg: Register, twins: tuple[str, str], tmp_path: Path
) -> None:
    export(reg, tmp_path)
    merge_id = merging.merge(reg, *twins)
    assert merging.unmerge_refusal(reg, merge_id) == ""


def test_only_the_chief_merges(reg: Register, twins: tuple[str, str]) -> None:
    reg.role = OFFICER
    assert merging.check_merge(reg, *twins)["merge"].startswith(
        "Chỉ tài khoản chỉ huy mới được gộp hồ sơ trùng"
    )
    with pytest.raises(ValidationError):
        merging.merge(reg, *twins)
    assert people.count_people(reg) == 2


def test_two_different_cccd_are_two_people(reg: Register, add: Add) -> None:
    a = add("Nguyễn Văn An", birth_date="1990", sex="Nam", id_number="001090123456")
    b = add("Nguyễn Văn An", birth_date="1990", sex="Nam", id_number="001090654321")
    assert "hai số CCCD khác nhau" in merging.check_merge(reg, a, b)["merge"]


def test_overlapping_decisions_must_be_put_right_first(reg: Register, add: Add) -> None:
    a = add("Nguyễn Văn An", birth_date="1990")
    b = add("Nguyễn Văn An", birth_date="1990")
    actions.management_decision(reg, a, "10/05/2026", decision_no="5/QĐ")
    actions.management_decision(reg, b, "01/06/2026", decision_no="7/QĐ")
    message = merging.check_merge(reg, a, b)["merge"]
    assert "trùng thời gian" in message and "01/06/2026" in message
    # Voiding the one typed by mistake lets the merge through.
    wrong = episodes.open_episodes(reg, b)[0]["id"]
    corrections.correct_episode(reg, wrong, {"void": True, "reason": "Nhập trùng"})
    merging.merge(reg, a, b)
    assert count(reg, "episodes", "person_id = ? AND deleted = 0", [a]) == 1
