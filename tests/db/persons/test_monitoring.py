"""Electronic monitoring under Law 120/2025/QH15 (in force 01/07/2026): ordered by the head of
the commune police for voluntary rehab at home or in the community, substitution treatment or
post-rehab management; refused before the law, for other statuses, and to an officer."""

from __future__ import annotations

from datetime import date

import pytest

from db.core.errors import NotAllowed, ValidationError
from db.duties import actions
from db.duties.applies import applicable_actions, refusal
from db.law.rules import rule
from db.persons import monitoring
from db.store.register import OFFICER, Register
from tests.support.registers import count

ORDER = {"ordered_by": "Lò Văn Thắng", "device": "Vòng đeo chân GPS số 17"}


@pytest.fixture
def methadone(reg: Register, person: str) -> str:
    """A person in methadone treatment since 01/03/2026."""
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    return person


def keys(reg: Register, person: str, on: date | None = None) -> set[str]:
    return {a.key for a in applicable_actions(reg, person, on)}


def test_the_rule_comes_from_law_120_2025() -> None:
    r = rule("electronic_monitoring", date(2026, 7, 1))
    assert (r.source, r.effective) == ("Luật 120/2025/QH15", date(2026, 7, 1))


def test_law_120_2025_monitoring_refused_on_30_06_2026(reg: Register, methadone: str) -> None:
    logged = count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        actions.order_monitoring(reg, methadone, "30/06/2026", start="30/06/2026",
                                 end="31/12/2026", **ORDER)  # fmt: skip
    assert "01/07/2026" in caught.value.errors["person"]
    assert "Luật 120/2025/QH15" in caught.value.errors["person"]
    assert "monitoring" not in keys(reg, methadone, date(2026, 6, 30))
    assert "chưa có hiệu lực" in refusal(reg, "monitoring", methadone, date(2026, 6, 30))
    assert (count(reg, "monitoring_orders"), count(reg, "change_log")) == (0, logged)


def test_law_120_2025_monitoring_refused_for_an_illegal_user(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    assert "monitoring" not in keys(reg, person)
    with pytest.raises(ValidationError) as caught:
        actions.order_monitoring(reg, person, "01/10/2026", start="01/10/2026",
                                 end="31/12/2026", **ORDER)  # fmt: skip
    assert "Sử dụng trái phép" in caught.value.errors["person"]
    assert count(reg, "monitoring_orders") == 0


def test_law_120_2025_only_the_chief_orders_monitoring(reg: Register, methadone: str) -> None:
    reg.role = OFFICER
    assert "monitoring" not in keys(reg, methadone)
    assert "Chỉ tài khoản chỉ huy" in refusal(reg, "monitoring", methadone)
    with pytest.raises(ValidationError, match="Chỉ tài khoản chỉ huy"):
        actions.order_monitoring(reg, methadone, "01/10/2026", start="01/10/2026",
                                 end="31/12/2026", **ORDER)  # fmt: skip
    # The storage function refuses an officer too, whoever calls it.
    with pytest.raises(NotAllowed):
        monitoring.order_monitoring(reg, methadone, "01/10/2026", start="01/10/2026",
                                    end="31/12/2026", **ORDER)  # fmt: skip
    assert count(reg, "monitoring_orders") == 0


def test_law_120_2025_an_order_is_recorded_ended_and_counted(reg: Register, methadone: str) -> None:
    """Ordered 01/07/2026 for 01/07–31/12/2026; the device removed on 01/10/2026."""
    assert "monitoring" in keys(reg, methadone) and "monitoring_end" not in keys(reg, methadone)
    actions.order_monitoring(reg, methadone, "01/07/2026", start="01/07/2026",
                             end="31/12/2026", notes="Theo đề nghị của cơ sở điều trị",
                             **ORDER)  # fmt: skip
    [order] = monitoring.orders_of(reg, methadone)
    assert (order["ordered_on"], order["from_date"], order["to_date"]) == (
        "2026-07-01", "2026-07-01", "2026-12-31")  # fmt: skip
    assert (order["ordered_by"], order["device"]) == ("Lò Văn Thắng", "Vòng đeo chân GPS số 17")
    assert order["category_label"] == "Điều trị thay thế (methadone)" and order["in_effect"]
    assert "monitoring_end" in keys(reg, methadone)
    # A second order over the same days is refused.
    with pytest.raises(ValidationError, match="đã có lệnh giám sát điện tử"):
        actions.order_monitoring(reg, methadone, "01/08/2026", start="01/08/2026",
                                 end="30/09/2026", **ORDER)  # fmt: skip
    on = {d: monitoring.monitoring_counts(reg, d) for d in
          (date(2026, 6, 30), date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 1))}  # fmt: skip
    assert [c["in_effect"] for c in on.values()] == [0, 1, 1, 1]
    assert on[date(2026, 7, 1)]["methadone"] == 1 and on[date(2026, 7, 1)]["post_rehab"] == 0
    with pytest.raises(ValidationError) as caught:
        actions.end_monitoring(reg, order["id"], "01/10/2026", " ")
    assert "Lý do" in caught.value.errors["reason_text"]
    actions.end_monitoring(reg, order["id"], "01/10/2026", "Người bị giám sát tháo thiết bị")
    ended = monitoring.orders_of(reg, methadone)[0]
    assert (ended["ended_on"], ended["end_reason"]) == (
        "2026-10-01",
        "Người bị giám sát tháo thiết bị",
    )
    # Not in effect from the day it ended.
    counts = [monitoring.monitoring_counts(reg, d)["in_effect"]
              for d in (date(2026, 9, 30), date(2026, 10, 1))]  # fmt: skip
    assert counts == [1, 0]
    assert monitoring.monitoring_counts(reg, date(2026, 11, 20), date(2026, 6, 30))["ordered"] == 1
    assert "monitoring_end" not in keys(reg, methadone)


def test_law_120_2025_monitoring_for_post_rehab_and_home_rehab(
    reg: Register, add, person: str
) -> None:
    from db.persons import episodes

    episodes.open_episode(reg, person, "post_rehab", "01/08/2026", prior_rehab="rehab_home")
    other = add("Lò Thị Ánh", birth_date="1995", sex="Nữ")
    actions.start_treatment(reg, other, "rehab_home", "01/09/2026", duration_months=6)
    for who in (person, other):
        values = {
            "date": date(2026, 9, 15),
            "ordered_by": "Lò Văn Thắng",
            "from_date": date(2026, 9, 15),
            "until": date(2026, 12, 15),
            "device": "GPS",
        }
        actions.run_action(reg, "monitoring", who, values)
    counts = monitoring.monitoring_counts(reg, date(2026, 10, 1))
    assert (counts["in_effect"], counts["post_rehab"], counts["rehab_home"]) == (2, 1, 1)


def test_law_120_2025_the_forms_dates_are_checked(reg: Register, methadone: str) -> None:
    values = {"date": date(2026, 9, 15), "ordered_by": " ", "from_date": date(2026, 9, 1),
              "until": date(2026, 8, 1)}  # fmt: skip
    from db.duties.applies import check_action

    found = check_action(reg, "monitoring", methadone, values)
    assert found["ordered_by"] == "Người ra quyết định: không được để trống."
    assert "trước ngày quyết định" in found["from_date"]
    assert "Giám sát đến ngày" in found["until"]
