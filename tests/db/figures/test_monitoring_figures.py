"""Electronic monitoring in the figures (Law 120/2025/QH15, in force 01/07/2026): people under
monitoring on the day, by the status ordered for, and orders made in the period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from db.duties import actions
from db.figures.stats import figures
from db.persons import monitoring
from db.store.register import Register

ORDER = {"ordered_by": "Lò Văn Thắng", "device": "Vòng đeo chân GPS"}


def test_people_under_monitoring_and_orders_of_the_period(
    reg: Register, add: Callable[..., str]
) -> None:
    home, methadone, post = add("Lò Văn An"), add("Quàng Văn Bình"), add("Hà Thị Dung")
    actions.start_treatment(reg, home, "rehab_home", "01/03/2026")
    actions.start_treatment(reg, methadone, "methadone", "01/03/2026")
    actions.start_treatment(reg, post, "rehab_home", "01/01/2026")
    rehab = next(
        e["id"] for e in reg.db.query("SELECT id FROM episodes WHERE person_id = ? "
                                      "AND category = 'rehab_home'", [post])
    )  # fmt: skip
    actions.release_from_rehab(reg, rehab, "01/07/2026")
    # October: two orders; November: one more, and the methadone order ends on 15/11.
    actions.order_monitoring(reg, home, "01/10/2026", start="01/10/2026", end="31/03/2027",
                             **ORDER)  # fmt: skip
    actions.order_monitoring(reg, methadone, "31/10/2026", start="31/10/2026",
                             end="31/12/2026", **ORDER)  # fmt: skip
    actions.order_monitoring(reg, post, "01/11/2026", start="02/11/2026", end="01/05/2027",
                             **ORDER)  # fmt: skip
    [order] = monitoring.open_orders(reg, methadone)
    actions.end_monitoring(reg, order["id"], "15/11/2026", "Hết thiết bị")

    october = figures(reg, date(2026, 10, 31), date(2026, 10, 1))["monitoring"]
    assert october == {"in_effect": 2, "rehab_home": 1, "methadone": 1, "post_rehab": 0,
                       "ordered": 2, "in_force": True}  # fmt: skip
    # The period's first day counts: an order on 01/11 is one of November's.
    november = figures(reg, date(2026, 11, 20))["monitoring"]
    assert november == {"in_effect": 2, "rehab_home": 1, "methadone": 0, "post_rehab": 1,
                        "ordered": 1, "in_force": True}  # fmt: skip
    # On 01/11 the post-rehab order (from 02/11) is not in effect yet.
    first = figures(reg, date(2026, 11, 1), date(2026, 11, 1))["monitoring"]
    assert (first["in_effect"], first["post_rehab"], first["ordered"]) == (2, 0, 1)


def test_before_the_law_nothing_is_counted(reg: Register) -> None:
    june = figures(reg, date(2026, 6, 30), date(2026, 6, 1))["monitoring"]
    assert june["in_force"] is False
    assert (june["in_effect"], june["ordered"]) == (0, 0)
    assert figures(reg, date(2026, 7, 1))["monitoring"]["in_force"] is True
