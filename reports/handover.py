"""The handover record (Biên bản bàn giao dữ liệu): who handed which bundle to whom, how many
records of each kind, the bundle's SHA-256 both officers compared, and both signatures.

    facts = facts_for_export(reg, seq)          # or facts_for_import(reg, import_no)
    write_handover_record(reg, facts, Path("bien-ban.pdf"))

Made by either side: the giving side from its export log, the receiving side from its import log
(which adds what the import did: new, changed, unchanged records and conflicts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from db.commune.settings import get_settings
from db.core.errors import NotFound, UserError
from db.core.files import Wording, atomic_write
from db.handover.receive import TABLE_LABELS
from db.store.register import Register
from reports.layout import (
    DOTS,
    PORTRAIT,
    Meta,
    esc,
    header,
    letterhead,
    make_styles,
    number,
    render,
    signers,
    title,
)
from reports.tables import grid
from reports.typeface import FontSet, load_fonts

KINDS = {"full": "gói đầy đủ", "incremental": "gói bổ sung"}


@dataclass(frozen=True)
class Side:
    """One side of the handover: the unit and the officer."""

    unit: str
    officer: str


@dataclass(frozen=True)
class HandoverFacts:
    """Everything the record states."""

    giver: Side
    receiver: Side
    file_name: str
    sha256: str
    kind: str
    seq: int
    since_seq: int | None
    made_at: str  # ISO UTC, when the bundle was made
    counts: dict[str, int]  # rows per table in the bundle
    outcome: dict[str, dict[str, int]] | None = None  # an import: what it did, per table
    done_at: str = ""  # ISO UTC, when it was imported (an import's record)


def _local(stamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return None


def _own(reg: Register) -> Side:
    settings = get_settings(reg)
    unit = settings.get("unit_name") or settings.get("commune_name") or ""
    return Side(str(unit), str(settings.get("officer_name") or reg.user))


def facts_for_export(reg: Register, seq: int) -> HandoverFacts:
    """The record of a bundle made here (giving side: this register)."""
    rows = list(
        reg.db.query(
            "SELECT e.*, p.unit_name, p.commune_name, p.officer FROM handover_exports e "
            "LEFT JOIN handover_peers p ON p.device_id = e.receiver_device "
            "WHERE e.seq = ? AND e.status = 'done'",
            [seq],
        )
    )
    if not rows:
        raise NotFound(f"Không có gói số {seq} đã lập từ sổ này.")
    e = rows[0]
    receiver = Side(
        str(e["unit_name"] or e["commune_name"] or e["receiver"] or ""), str(e["officer"] or "")
    )
    return HandoverFacts(
        giver=_own(reg),
        receiver=receiver,
        file_name=e["file_name"],
        sha256=e["sha256"],
        kind=e["kind"],
        seq=int(e["seq"]),
        since_seq=e["since_seq"],
        made_at=e["started_at"],
        counts=json.loads(e["counts"]),
    )


def facts_for_import(reg: Register, import_no: int) -> HandoverFacts:
    """The record of a bundle read here (receiving side: this register)."""
    rows = list(
        reg.db.query(
            "SELECT i.*, p.unit_name, p.commune_name, p.officer FROM handover_imports i "
            "LEFT JOIN handover_peers p ON p.device_id = i.source_device WHERE i.import_no = ?",
            [import_no],
        )
    )
    if not rows:
        raise NotFound(f"Không có lần nhập gói số {import_no} trong sổ này.")
    i = rows[0]
    outcome = {t: c for t, c in json.loads(i["summary"]).items() if isinstance(c, dict)}
    counts = {t: sum(c.values()) for t, c in outcome.items()}
    giver = Side(str(i["unit_name"] or i["commune_name"] or ""), str(i["officer"] or ""))
    return HandoverFacts(
        giver=giver,
        receiver=_own(reg),
        file_name=i["file_name"],
        sha256=i["sha256"],
        kind=i["kind"],
        seq=int(i["source_seq"]),
        since_seq=None,
        made_at=i["made_at"],
        counts=counts,
        outcome=outcome,
        done_at=i["imported_at"],
    )


def _sha_lines(sha: str) -> str:
    return " ".join(sha[i : i + 8] for i in range(0, len(sha), 8))


def handover_record(reg: Register, facts: HandoverFacts, fonts: FontSet) -> bytes:
    """The record's PDF (Decree 30 layout)."""
    settings = get_settings(reg)
    today = reg.today()
    lh = letterhead(settings, today, prefix="BB-CAX")
    st = make_styles(fonts)
    out: list[Flowable] = [header(lh, st)]
    out += title("Biên bản bàn giao dữ liệu", "Sổ theo dõi người sử dụng, nghiện ma túy", st)

    def para(markup: str, style: str = "body") -> None:
        out.append(Paragraph(markup, st[style]))

    moment = _local(facts.done_at or facts.made_at)
    when = (
        f"hồi {moment:%H} giờ {moment:%M}, ngày {moment:%d/%m/%Y}"
        if moment
        else f"ngày {today:%d/%m/%Y}"
    )
    para(f"Hôm nay, {when}, tại {esc(lh.place or DOTS)}, chúng tôi gồm:")
    for n, (label, side) in enumerate((("Bên giao", facts.giver), ("Bên nhận", facts.receiver)), 1):
        para(f"<b>{n}. {label}:</b> {esc(side.unit or DOTS)}; cán bộ: {esc(side.officer or DOTS)}.")
    made = _local(facts.made_at)
    kind = KINDS.get(facts.kind, facts.kind)
    if facts.kind == "incremental" and facts.since_seq:
        kind += f" (những thay đổi sau gói số {facts.since_seq})"
    para("Đã bàn giao dữ liệu sổ theo dõi bằng một gói dữ liệu đã mã hóa, cụ thể như sau:")
    stamp = f", lập lúc {made:%H:%M} ngày {made:%d/%m/%Y}." if made else "."
    para(
        f"- Tệp gói dữ liệu: <b>{esc(facts.file_name or DOTS)}</b>; {esc(kind)}, số thứ tự "
        f"gói {facts.seq}{stamp}"
    )
    para(f"- Mã kiểm tra SHA-256 của tệp: <b>{esc(_sha_lines(facts.sha256))}</b>")
    para("- Số bản ghi theo từng loại dữ liệu:")
    out.append(_table(facts, fonts))
    para(
        "Hai bên đã đối chiếu mã kiểm tra SHA-256 của tệp trên máy giao và máy nhận, kết quả "
        "trùng khớp. Mật khẩu của gói được bên giao trao trực tiếp cho bên nhận, không ghi vào "
        "biên bản này."
    )
    if facts.outcome is not None:
        conflicts = sum(c.get("conflicts", 0) for c in facts.outcome.values())
        para(
            f"Bên nhận đã nhập gói vào sổ; có {number(conflicts)} bản ghi có xung đột (cùng "
            "một thông tin được sửa khác nhau ở hai nơi) chờ chỉ huy xem xét, quyết định."
        )
        skipped = sum(c.get("skipped", 0) for c in facts.outcome.values())
        if skipped:
            para(
                f"Có {number(skipped)} bản ghi cài đặt, lịch nghỉ riêng của đơn vị giao không "
                "nhập vào sổ này (sổ tổng hợp giữ cài đặt của mình)."
            )
    para("Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản.")
    out.append(
        signers([("Bên giao", facts.giver.officer), ("Bên nhận", facts.receiver.officer)], st)
    )
    meta = Meta("Biên bản bàn giao dữ liệu", f"Gói số {facts.seq}", lh.unit_in_text)
    return render(out, fonts, meta, PORTRAIT)


def _table(facts: HandoverFacts, fonts: FontSet) -> Flowable:
    rows: list[list[Any]]
    align: tuple[str, ...]
    if facts.outcome is None:
        rows = [["STT", "Loại dữ liệu", "Số bản ghi"]]
        widths, align = [14 * mm, 100 * mm, 40 * mm], ("CENTER", "LEFT", "RIGHT")
    else:
        rows = [["STT", "Loại dữ liệu", "Số bản ghi", "Mới", "Thay đổi", "Không đổi", "Xung đột"]]
        widths = [w * mm for w in (12, 50, 20, 18, 19, 20, 19)]
        align = ("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    total = 0
    shown = [t for t in TABLE_LABELS if facts.counts.get(t)]
    for n, table in enumerate(shown, 1):
        count = facts.counts[table]
        total += count
        row: list[Any] = [str(n), TABLE_LABELS[table], number(count)]
        if facts.outcome is not None:
            got = facts.outcome.get(table, {})
            row += [number(got.get(k, 0)) for k in ("new", "changed", "unchanged", "conflicts")]
        rows.append(row)
    rows.append(["", "Tổng cộng", number(total), *[""] * (len(widths) - 3)])
    return grid(rows, widths, fonts, size=12, align=align, bold_rows=[len(rows) - 1])


def write_handover_record(reg: Register, facts: HandoverFacts, out: Path) -> Path:
    """Write the record to `out` (a .pdf; the folder must exist)."""
    out = Path(out).expanduser()
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    if not out.parent.is_dir():
        raise UserError(f"Thư mục “{out.parent}” không tồn tại; hãy chọn thư mục khác.")
    pdf = handover_record(reg, facts, load_fonts())
    atomic_write(out, pdf, Wording(kept="biên bản chưa được lưu", field="out"), private=True)
    return out
