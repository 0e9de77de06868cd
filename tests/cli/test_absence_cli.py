"""`python main.py absence`: an unreported absence during post-rehab management moves the
period's end by its days (Law 73/2021 Art. 40), from the command line as from the window."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from cli.main import main
from db.commune import places
from db.core.dates import show
from db.persons import episodes, people
from db.store.register import open_register

# The command line's register lives on the machine's today: dates are counted from it.
TODAY = date.today()
START, DECIDED_END = TODAY - timedelta(days=100), TODAY + timedelta(days=200)
AWAY, BACK = TODAY - timedelta(days=30), TODAY - timedelta(days=11)  # 20 days, both counted


@pytest.fixture
def post_rehab(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "so.db"
    with open_register(path, create=True) as reg:
        village = places.save_village(reg, {"name": "Bản Mòng", "population": 400})
        person = people.add_person(
            reg, {"full_name": "Lò Văn Sướng", "birth_date": "1990", "sex": "Nam",
                  "id_number": "014090000321", "village_id": village},
        )  # fmt: skip
        episodes.open_episode(reg, person, "post_rehab", START, planned=DECIDED_END)
    return path, person


def test_art_40_absence_by_cccd_moves_the_decided_end(post_rehab, capsys) -> None:
    path, person = post_rehab
    code = main(["absence", "--db", str(path), "--id", "014090000321", "--from",
                 AWAY.isoformat(), "--to", show(BACK), "--note", "Đi làm ăn xa"])  # fmt: skip
    assert code == 0
    new_end = DECIDED_END + timedelta(days=20)
    out = capsys.readouterr().out
    assert "vắng mặt 20 ngày" in out and show(new_end) in out
    with open_register(path) as reg:
        [post] = episodes.open_episodes(reg, person)
        assert (post["planned_end"], post["absence_days"]) == (new_end.isoformat(), 20)


def test_art_40_an_overlapping_absence_is_refused_and_changes_nothing(post_rehab, capsys) -> None:
    path, person = post_rehab
    args = ["absence", "--db", str(path), "--id", person, "--from", AWAY.isoformat()]
    assert main([*args, "--to", BACK.isoformat()]) == 0
    capsys.readouterr()
    assert main([*args, "--to", AWAY.isoformat()]) == 2
    assert "Trùng với lần vắng mặt" in capsys.readouterr().err
    with open_register(path) as reg:
        assert episodes.open_episodes(reg, person)[0]["absence_days"] == 20


def test_art_40_absence_for_someone_not_in_post_rehab(tmp_path: Path, capsys) -> None:
    path = tmp_path / "so.db"
    with open_register(path, create=True) as reg:
        person = people.add_person(reg, {"full_name": "Hà Văn Tuấn"})
    code = main(["absence", "--db", str(path), "--id", person, "--from", AWAY.isoformat(),
                 "--to", BACK.isoformat()])  # fmt: skip
    assert code == 2
    assert "chỉ áp dụng cho người đang quản lý sau cai nghiện" in capsys.readouterr().err
    assert main(["absence", "--db", str(path), "--id", "000000000000", "--from",
                 AWAY.isoformat(), "--to", BACK.isoformat()]) == 2  # fmt: skip
    assert "Không tìm thấy người" in capsys.readouterr().err
