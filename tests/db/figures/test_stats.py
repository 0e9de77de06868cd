"""The figures for a date, on a small register whose every number is known by hand."""

from __future__ import annotations

from datetime import date

import pytest

from db.commune import places, settings
from db.duties import actions
from db.figures.stats import figures, period_for_month, villages_summary
from db.law.categories import Category
from db.persons import drugtests, people
from db.persons.episodes import open_episode

ON = date(2026, 11, 20)


@pytest.fixture
def commune(reg, add, village):
    """Six people with known histories in one village of 500."""
    other = places.save_village(reg, {"name": "Bản Mé Ban", "population": 1500})
    p = {
        "user": add("Lò Văn An", id_number=""),
        "addict": add("Quàng Văn Bình"),
        "rehab": add("Cầm Văn Cường"),
        "post": add("Hà Thị Dung"),
        "gone": add("Vì Văn Em"),
        "elsewhere": add("Lù Văn Phong", village_id=other),
    }
    # A user managed since 05/11/2026 (new this month), with a decision number: "with a file".
    actions.management_decision(reg, p["user"], "05/11/2026", decision_no="15/QĐ-UBND")
    # An untreated addict since 2025, without a file.
    actions.found_addicted(reg, p["addict"], "01/03/2025")
    # An addict in compulsory rehab.
    actions.start_treatment(reg, p["rehab"], Category.REHAB_COMPULSORY, "01/02/2026",
                            decision_no="3/QĐ-TA", planned="01/02/2028")  # fmt: skip
    # Post-rehab since June (a decision of 1 year).
    open_episode(reg, p["post"], Category.POST_REHAB, "01/06/2026", decision_no="9/QĐ",
                 planned="01/06/2027")  # fmt: skip
    # Managed, then moved away this month.
    actions.management_decision(reg, p["gone"], "01/01/2026", decision_no="1/QĐ")
    actions.move_away(reg, p["gone"], "10/11/2026", "xã Mường Bon")
    # In the other village: a user whose management ended at term this month.
    actions.management_decision(reg, p["elsewhere"], "03/11/2025", decision_no="2/QĐ")
    episode = next(e for e in reg.db.query(
        "SELECT id FROM episodes WHERE person_id = ?", [p["elsewhere"]]))  # fmt: skip
    actions.end_at_term(reg, episode["id"], "03/11/2026")
    # Tests this month: two positives (MET, MET+THC), one negative; one test last month.
    drugtests.record_test(reg, p["user"], "04/11/2026", positives="MET")
    drugtests.record_test(reg, p["post"], "12/11/2026", substances="MET,THC", kind="surprise")
    drugtests.record_test(reg, p["addict"], "18/11/2026", positives="MET,THC")
    drugtests.record_test(reg, p["post"], "15/10/2026")
    return p


def test_people_per_category_and_addicts_split(reg, commune):
    data = figures(reg, ON)
    assert data["categories"]["user"] == 1
    assert data["categories"]["addict"] == 2
    assert data["categories"]["rehab_compulsory"] == 1
    assert data["categories"]["post_rehab"] == 1
    assert data["people_total"] == 4
    addicts = data["addicts"]
    assert (addicts["total"], addicts["untreated"], addicts["rehab_compulsory"]) == (2, 1, 1)
    # The addict in compulsory rehab is under the court's decision (3/QĐ-TA): with a file; the
    # untreated addict has no decision.
    assert addicts["with_file"] == 1


def test_movements_of_the_month(reg, commune):
    moves = figures(reg, ON)["movements"]
    assert moves["new"] == 1  # Lò Văn An; the others began before November
    assert moves["moved_out"] == 1
    assert moves["ended_term"] == 1
    assert moves["stopped"] == 0 and moves["died"] == 0


def test_tests_of_the_period(reg, commune):
    tests = figures(reg, ON)["tests"]
    assert (tests["total"], tests["periodic"], tests["surprise"]) == (3, 2, 1)
    assert tests["positive"] == 2
    assert tests["by_substance"] == {"MET": 2, "THC": 1}
    assert tests["people_tested"] == 3
    # A period given explicitly: October alone.
    october = figures(reg, date(2026, 10, 31), start=date(2026, 10, 1))["tests"]
    assert october["total"] == 1 and october["positive"] == 0


def test_per_village_and_population(reg, commune, village):
    data = figures(reg, ON)
    by_name = {v["name"]: v for v in data["villages"]}
    assert [v["name"] for v in data["villages"]] == ["Bản Mé Ban", "Bản Mòng"]
    assert by_name["Bản Mòng"]["people"] == 4 and by_name["Bản Mòng"]["users_addicts"] == 3
    assert by_name["Bản Mòng"]["tests"] == 3 and by_name["Bản Mòng"]["positives"] == 2
    assert by_name["Bản Mé Ban"]["people"] == 0
    assert data["population"] == 2000
    assert villages_summary(reg, ON) == data["villages"]


def test_criteria_baseline_and_hotspot_thresholds(reg, commune):
    settings.save_settings(
        reg, {"baseline_date": "01/01/2025", "baseline_users": 3, "baseline_addicts": 2}
    )
    places.save_hotspot(reg, {"name": "Lán nương đầu bản", "found_date": "01/10/2026"})
    data = figures(reg, ON)
    criteria = {c["key"]: c for c in data["criteria"]}
    assert criteria["addicts_with_file"]["value"] == 50.0  # 1 of 2 addicts
    assert criteria["addicts_with_file"]["met"] is False
    assert criteria["addicts_in_treatment"]["value"] == 50.0
    assert criteria["hotspots"]["value"] == 1 and criteria["hotspots"]["met"] is False
    assert criteria["models"]["met"] is False
    # Users and addicts now: 3 people (1 user + 2 addicts), against 5 at the baseline.
    assert data["baseline"]["now_total"] == 3 and data["baseline"]["total"] == 5
    assert criteria["baseline"]["met"] is True
    thresholds = {h["key"]: h for h in data["hotspot"]["thresholds"]}
    # Users + addicts with a file: the user and the addict in compulsory rehab, 2 of 2,000 =
    # 0.1%, below the 0.5% threshold.
    assert thresholds["hotspot_users_share"]["value"] == 0.1
    assert thresholds["hotspot_users_share"]["shown"] == "0,1% (2/2.000)"
    assert thresholds["hotspot_users_share"]["met"] is False
    assert data["hotspot"]["type_one"] is False


def test_period_for_month_with_and_without_cut_off():
    assert period_for_month(2026, 2, 0) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_for_month(2026, 3, 15) == (date(2026, 2, 16), date(2026, 3, 15))
    assert period_for_month(2026, 1, 14) == (date(2025, 12, 15), date(2026, 1, 14))


def test_a_share_just_under_a_threshold_is_not_met(reg, add, village):
    """0.46% must not pass a 0.5% threshold by rounding."""
    places.save_village(reg, {"name": "Bản Lớn", "population": 4500})  # 5,000 people in all
    for i in range(23):  # 23 / 5,000 = 0.46%
        person = add(f"Lò Văn Số {chr(65 + i)}")
        actions.management_decision(reg, person, "01/10/2026", decision_no=f"{i}/QĐ")
    share = {h["key"]: h for h in figures(reg, ON)["hotspot"]["thresholds"]}
    assert share["hotspot_users_share"]["value"] == 0.46
    assert share["hotspot_users_share"]["met"] is False


# --- issue 15: every addict under a decision has a file; Decision 28's table agrees with itself


def test_addicts_who_went_straight_into_treatment_count_with_a_file(reg, add, village):
    """An addict whose decision sits on the treatment episode (methadone, home rehab) is under a
    decision: with a file, for the drug-free criterion and Decision 28's first criterion."""
    methadone, home, untreated = add("Lò Văn Một"), add("Lò Văn Hai"), add("Lò Văn Ba")
    actions.start_treatment(reg, methadone, Category.METHADONE, "01/06/2026",
                            decision_no="12/QĐ-CSYT")  # fmt: skip
    actions.start_treatment(reg, home, Category.REHAB_HOME, "01/07/2026", duration_months=6,
                            decision_no="4/QĐ-UBND")  # fmt: skip
    actions.found_addicted(reg, untreated, "01/11/2026")  # no decision number
    data = figures(reg, ON)
    assert (data["addicts"]["total"], data["addicts"]["with_file"]) == (3, 2)
    criteria = {c["key"]: c for c in data["criteria"]}
    assert criteria["addicts_with_file"]["value"] == 66.6  # 2/3 = 66.66…%, cut, not 66.7
    assert criteria["addicts_with_file"]["met"] is False
    users = {h["key"]: h for h in data["hotspot"]["thresholds"]}["hotspot_users_share"]
    assert users["value"] == 0.4  # 2 of the village's 500
    assert users["shown"] == "0,4% (2/500)"


@pytest.mark.parametrize(
    ("population", "value", "shown", "met"),
    [
        (200, 0.5, "0,5% (1/200)", True),  # exactly the threshold
        # 1/201 = 0.4975…%: rounded it would print "0,50%" beside "not met"; cut, 0,49%.
        (201, 0.49, "0,49% (1/201)", False),
    ],
)
def test_decision_28_share_value_threshold_and_met_agree_as_printed(
    reg, population, value, shown, met
):
    small = places.save_village(reg, {"name": "Bản Nhỏ", "population": population})
    person = people.add_person(reg, {"full_name": "Lò Văn Một", "village_id": small})
    actions.management_decision(reg, person, "01/10/2026", decision_no="1/QĐ")
    row = {h["key"]: h for h in figures(reg, ON)["hotspot"]["thresholds"]}["hotspot_users_share"]
    assert (row["value"], row["shown"], row["met"]) == (value, shown, met)
    assert (row["threshold"], row["target"]) == ("0,5%", "≥ 0,5%")


def test_decision_28_plants_met_by_area_shows_the_area(reg, village):
    places.save_incident(reg, {"kind": "plants", "incident_date": "01/09/2026", "count": 120,
                               "area_m2": 800})  # fmt: skip
    row = {h["key"]: h for h in figures(reg, ON)["hotspot"]["thresholds"]}["hotspot_plants"]
    assert row["met"] is True
    assert (row["value"], row["threshold"]) == (800, "750 m²")
    assert (row["shown"], row["target"]) == ("120 cây; 800 m²", "≥ 3.000 cây hoặc ≥ 750 m²")
    # Neither reached: the count against 3,000, both shown.
    places.save_incident(reg, {"kind": "plants", "incident_date": "01/05/2026", "count": 0,
                               "area_m2": 0})  # fmt: skip
    rows = figures(reg, date(2026, 6, 1))["hotspot"]["thresholds"]
    row = {h["key"]: h for h in rows}["hotspot_plants"]
    assert (row["met"], row["value"], row["threshold"]) == (False, 0, "3.000")
    assert row["shown"] == "0 cây; 0 m²"
