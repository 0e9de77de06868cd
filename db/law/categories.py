"""The categories of the register and the words the officers use for them.

A person's history is a list of episodes; each has one category. What a person *is* today is
derived from the episodes open on that day, never typed twice.
"""

from __future__ import annotations

from enum import StrEnum

from db.core.errors import UserError
from db.core.textfold import fold


class Category(StrEnum):
    """Who is on the register, as the law names them."""

    USER = "user"
    ADDICT = "addict"
    REHAB_HOME = "rehab_home"
    REHAB_FACILITY = "rehab_facility"
    REHAB_COMPULSORY = "rehab_compulsory"
    METHADONE = "methadone"
    POST_REHAB = "post_rehab"
    SUSPECT = "suspect"
    WATCH = "watch"


LABELS: dict[Category, str] = {
    Category.USER: "Sử dụng trái phép (đang quản lý)",
    Category.ADDICT: "Nghiện ma túy",
    Category.REHAB_HOME: "Cai nghiện tự nguyện tại gia đình, cộng đồng",
    Category.REHAB_FACILITY: "Cai nghiện tự nguyện tại cơ sở",
    Category.REHAB_COMPULSORY: "Cai nghiện bắt buộc",
    Category.METHADONE: "Điều trị thay thế (methadone)",
    Category.POST_REHAB: "Quản lý sau cai nghiện",
    Category.SUSPECT: "Nghi sử dụng (cần xét nghiệm)",
    Category.WATCH: "Theo dõi 2 năm sau quản lý",
}

SHORT_LABELS: dict[Category, str] = {
    Category.USER: "Sử dụng",
    Category.ADDICT: "Nghiện",
    Category.REHAB_HOME: "Cai tại gia đình",
    Category.REHAB_FACILITY: "Cai tại cơ sở",
    Category.REHAB_COMPULSORY: "Cai bắt buộc",
    Category.METHADONE: "Methadone",
    Category.POST_REHAB: "Sau cai",
    Category.SUSPECT: "Nghi vấn",
    Category.WATCH: "Theo dõi 2 năm",
}

# Treatment episodes: an addict in one of these is "in treatment".
TREATMENT = (
    Category.REHAB_HOME,
    Category.REHAB_FACILITY,
    Category.REHAB_COMPULSORY,
    Category.METHADONE,
)
# Leaving these early is "quitting" (and starts the 2-year watch window of Art. 256a(1)(d));
# compulsory rehab is left only by absconding.
QUITTABLE = (Category.REHAB_HOME, Category.REHAB_FACILITY, Category.METHADONE)
# In a facility: not at home, so no home tests or residence checks.
IN_FACILITY = (Category.REHAB_FACILITY, Category.REHAB_COMPULSORY)

# When several episodes are open, the status shown is the first open one in this order.
STATUS_ORDER = (
    Category.REHAB_COMPULSORY,
    Category.REHAB_FACILITY,
    Category.REHAB_HOME,
    Category.METHADONE,
    Category.ADDICT,
    Category.USER,
    Category.POST_REHAB,
    Category.SUSPECT,
    Category.WATCH,
)

# Categories whose people the commune police check at home at least once a month.
RESIDENCE_CHECKED = (
    Category.USER,
    Category.ADDICT,
    Category.REHAB_HOME,
    Category.METHADONE,
    Category.POST_REHAB,
)

END_KINDS: dict[str, str] = {
    "term": "Chấm dứt (hết thời hạn)",
    "stopped": "Dừng quản lý",
    "superseded": "Thay bằng quyết định mới",
    "moved_away": "Chuyển đi nơi khác",
    "absconded": "Bỏ trốn",
    "died": "Chết",
    "prison": "Đi tù / chấp hành án",
    "tested": "Đã xét nghiệm",
    "completed": "Hoàn thành cai nghiện",
    "quit": "Bỏ cai nghiện / bỏ điều trị",
}

STOP_REASONS: dict[str, str] = {
    "addicted": "Xác định là người nghiện",
    "education_facility": "Đưa vào cơ sở giáo dục bắt buộc / trường giáo dưỡng",
    "prison": "Chấp hành án phạt tù",
    "died": "Chết",
    "missing": "Bị tuyên bố mất tích",
    "compulsory_rehab": "Đưa vào cơ sở cai nghiện bắt buộc",
    "other": "Lý do khác",
}


def parse_category(value: str) -> Category:
    """A category from its code or its Vietnamese label; UserError names what was given."""
    try:
        return Category(value)
    except ValueError:
        pass
    found = _BY_FOLDED_LABEL.get(fold(value))
    if found is not None:
        return found
    known = ", ".join(SHORT_LABELS.values())
    raise UserError(f"Diện quản lý “{value}” không có. Các diện: {known}.", field="category")


_BY_FOLDED_LABEL = {
    fold(label): category
    for category in Category
    for label in (LABELS[category], SHORT_LABELS[category])
}
