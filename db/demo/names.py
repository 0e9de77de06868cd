"""Names and words for the demo register: a mountain commune of Sơn La.

Family, middle and given names by ethnic group (Thái, Mông, Kinh, Mường, Dao, Tày), village
names, occupations, places people move to, and the people of the commune's offices. Only data.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE = "Sơn La"
COMMUNE = "Chiềng Mung"
OLD_DISTRICT = "Mai Sơn"  # the district, abolished on 1 July 2025


@dataclass(frozen=True)
class Ethnic:
    """How a people's names are made: family names, middle names by sex, given names by sex."""

    label: str
    families: tuple[str, ...]
    middle_m: tuple[str, ...]
    middle_f: tuple[str, ...]
    given_m: tuple[str, ...]
    given_f: tuple[str, ...]


THAI = Ethnic(
    "Thái",
    ("Lò", "Lò", "Lò", "Quàng", "Quàng", "Cầm", "Cầm", "Lường", "Tòng", "Điêu", "Vì",
     "Hoàng", "Lù", "Mè", "Bạc", "Hà", "Sa"),
    ("Văn",),
    ("Thị",),
    ("Minh", "Đức", "Thanh", "Hùng", "Dũng", "Phong", "Tiến", "Hải", "Xuân", "Bun", "Khăm",
     "Panh", "Ín", "Hặc", "Pánh", "Chiến", "Thắng", "Quyết", "Tuấn", "Sơn", "Biên", "Hoan",
     "Ọi", "Piềng", "Xôm", "Cương", "Việt", "Tiện", "Lả", "Ươn"),
    ("Xuân", "Ỏn", "Ươi", "Bun", "Pọm", "Ánh", "Hương", "Lả", "Ngoan", "Thoa", "Thơm", "Mai",
     "Vân", "Uôn", "Ón"),
)  # fmt: skip
MONG = Ethnic(
    "Mông",
    ("Giàng", "Giàng", "Sùng", "Sùng", "Vàng", "Vàng", "Lầu", "Thào", "Mùa", "Hờ", "Lý",
     "Sồng", "Vừ", "Hạng", "Tráng", "Cứ"),
    ("A",),
    ("Thị",),
    ("Páo", "Chứ", "Dua", "Lử", "Sinh", "Tủa", "Chống", "Nhè", "Pó", "Sáy", "Của", "Tùng",
     "Chù", "Dế", "Lồng", "Cháng", "Khua", "Súa", "Thề", "Vả", "Xá", "Dính", "Chá", "Giông",
     "Nủ", "Pùa", "Sếnh"),
    ("Mỷ", "Dợ", "Sua", "Mai", "Súa", "Chá", "Pà", "Dở", "Máy", "Mỉ", "Ly", "Sông", "Chở",
     "Xó"),
)  # fmt: skip
KINH = Ethnic(
    "Kinh",
    ("Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng",
     "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Dương", "Đinh", "Phan", "Đào", "Trịnh", "Lương"),
    ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Xuân", "Hữu", "Công", "Mạnh", "Tiến",
     "Thanh", "Ngọc", "Trung"),
    ("Thị", "Thị", "Thị", "Thị Ngọc", "Thị Thu", "Thị Hồng", "Thị Thanh", "Ngọc", "Thu"),
    ("Đông", "Hải", "Tuấn", "Hùng", "Dũng", "Nam", "Cường", "Thắng", "Long", "Quân", "Hiếu",
     "Đạt", "Khánh", "Huy", "Phúc", "Sơn", "Tùng", "Bình", "Trường", "Việt", "Đức", "Hưng",
     "Vinh", "Thành", "Toàn", "Kiên", "Lợi", "Chiến", "Anh", "Duy"),
    ("Ánh", "Hương", "Lan", "Hoa", "Hạnh", "Thu", "Huyền", "Trang", "Linh", "Nga", "Phương",
     "Thảo", "Yến", "Mai", "Oanh"),
)  # fmt: skip
MUONG = Ethnic(
    "Mường",
    ("Đinh", "Bùi", "Bùi", "Hà", "Quách", "Xa", "Mang", "Cao", "Bạch"),
    ("Văn",),
    ("Thị",),
    ("Lâm", "Hùng", "Toàn", "Khiêm", "Thuận", "Nghĩa", "Cường", "Thịnh", "Khương", "Mừng"),
    ("Hoa", "Huệ", "Lan", "Nhung", "Mến", "Thuận"),
)  # fmt: skip
DAO = Ethnic(
    "Dao",
    ("Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo", "Tẩn"),
    ("Văn", "Văn", "Tiến"),
    ("Thị",),
    ("Quẩy", "Sành", "Chàn", "Phin", "Chiêu", "Vần", "Kiềm", "Phù", "Dùn", "Lở", "Seo"),
    ("Mây", "Mẩy", "Nhất", "Liều", "Dùng", "Chạn"),
)  # fmt: skip
TAY = Ethnic(
    "Tày",
    ("Hoàng", "Nông", "Ma", "Lương", "Vi", "Lục", "Hà", "Đàm", "Lăng"),
    ("Văn",),
    ("Thị",),
    ("Khánh", "Thành", "Tuân", "Cường", "Sơn", "Hưng", "Khang", "Thiện", "Bảo"),
    ("Thủy", "Hằng", "Lụa", "Nhàn", "Thêu"),
)  # fmt: skip

# Who lives in which kind of village (weights add up to 100).
MIXES: dict[str, tuple[tuple[Ethnic, int], ...]] = {
    "thai": ((THAI, 80), (KINH, 8), (MONG, 4), (MUONG, 4), (TAY, 2), (DAO, 2)),
    "mong": ((MONG, 86), (THAI, 7), (DAO, 5), (KINH, 2)),
    "kinh": ((KINH, 62), (THAI, 22), (MUONG, 6), (TAY, 5), (MONG, 3), (DAO, 2)),
}

NICKNAME_WORDS = ("Đen", "Còi", "Béo", "Sẹo", "Lùn", "Xoăn", "Gầy", "Trọc", "Râu")
NICKNAMES = ("Tý", "Tèo", "Bi", "Tôm", "Cu Đen", "Sứt", "Lợi Móm")

# Villages of a small commune: (name, kind, who lives there).
VILLAGES: tuple[tuple[str, str, str], ...] = (
    ("Bản Pá Khôm", "bản", "thai"),
    ("Bản Nà Cói", "bản", "thai"),
    ("Bản Mé Ban", "bản", "thai"),
    ("Bản Củ", "bản", "thai"),
    ("Bản Hịa", "bản", "thai"),
    ("Bản Phiêng Pằn", "bản", "thai"),
    ("Bản Hua Tát", "bản", "mong"),
    ("Bản Co Chạy", "bản", "mong"),
    ("Tiểu khu 3", "tiểu khu", "kinh"),
    ("Thôn Nà Sản", "thôn", "kinh"),
    ("Bản Púng Bánh", "bản", "thai"),
    ("Bản Lọng Mường", "bản", "thai"),
    ("Bản Phiêng Lụng", "bản", "mong"),
    ("Tổ dân phố 4", "tổ dân phố", "kinh"),
    ("Bản Nong Vai", "bản", "thai"),
    ("Tiểu khu 1", "tiểu khu", "kinh"),
)
# Syllables for the many villages of a large (province-sized) demo.
VILLAGE_FIRST = (
    "Nà", "Pá", "Phiêng", "Huổi", "Co", "Mé", "Hua", "Púng", "Nong", "Bó", "Tà", "Lọng",
    "Pom", "Cang", "Hin", "Hát", "Ta", "Noong", "Xum", "Sài",
)  # fmt: skip
VILLAGE_SECOND = (
    "Khôm", "Sản", "Cói", "Hạ", "Pằn", "Luông", "Muông", "Bánh", "Lót", "Lạnh", "Tát", "Mòn",
    "Vai", "Lầu", "Lếch", "Nọi", "Tông", "Ban", "Cưa", "Mỏ", "Ít", "Bon", "Pục", "Hịa", "Dạ",
    "Kéo", "Sẳng", "Lương", "Khoang", "Mường", "Phát", "Bua", "Hốc", "Quài", "Sàng",
)  # fmt: skip
MONG_FIRST = ("Hua", "Co", "Phiêng", "Tà")

OCCUPATIONS = (
    "Làm nương", "Làm nương", "Làm nương", "Làm ruộng", "Làm ruộng", "Tự do", "Lao động tự do",
    "Lao động tự do", "Lái xe", "Thợ xây", "Phụ hồ", "Công nhân", "Buôn bán", "Chăn nuôi",
    "Trồng cà phê", "Trồng xoài, nhãn", "Sửa xe máy", "Không nghề nghiệp", "Không nghề nghiệp",
)  # fmt: skip
YOUNG_OCCUPATIONS = ("Học sinh", "Không nghề nghiệp", "Lao động tự do", "Phụ hồ")
PHONE_PREFIXES = (
    "086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
    "091", "094", "088", "081", "082", "083", "084", "085", "070", "076", "077", "078", "079",
)  # fmt: skip
# Where a CCCD was issued for people not born here: codes of nearby and big provinces.
OTHER_PROVINCE_CODES = (
    "001", "010", "011", "012", "015", "017", "025", "034", "036", "038", "040", "079",
)  # fmt: skip
CMND_PREFIX = "050"  # old 9-digit cards of Sơn La

RELATIVES_M = ("Bố", "Mẹ", "Vợ", "Vợ", "Anh trai", "Chị gái", "Em trai")
RELATIVES_F = ("Bố", "Mẹ", "Chồng", "Chồng", "Anh trai", "Chị gái")

# Communes people move to or come from: (commune, province).
OTHER_COMMUNES = (
    ("xã Chiềng Ban", "tỉnh Sơn La"),
    ("xã Mường Bon", "tỉnh Sơn La"),
    ("xã Mai Sơn", "tỉnh Sơn La"),
    ("phường Tô Hiệu", "tỉnh Sơn La"),
    ("phường Chiềng An", "tỉnh Sơn La"),
    ("xã Thuận Châu", "tỉnh Sơn La"),
    ("xã Yên Châu", "tỉnh Sơn La"),
    ("phường Điện Biên Phủ", "tỉnh Điện Biên"),
    ("xã Than Uyên", "tỉnh Lai Châu"),
    ("phường Dĩ An", "Thành phố Hồ Chí Minh"),
    ("phường Thuận An", "Thành phố Hồ Chí Minh"),
    ("xã Mộc Châu", "tỉnh Sơn La"),
)

HELPER_UNITS = (
    "Hội Cựu chiến binh xã", "Đoàn Thanh niên xã", "Hội Nông dân xã",
    "Hội Liên hiệp Phụ nữ xã", "Mặt trận Tổ quốc xã",
)  # fmt: skip

# The commune's people in office.
CHIEF = "Hoàng Văn Thắng"
OFFICERS_M = ("Lò Văn Hải", "Cầm Văn Tuấn", "Nguyễn Đức Anh", "Quàng Văn Định", "Lường Văn Nam")
OFFICERS_F = ("Vũ Thị Hằng", "Lò Thị Hoa")
CHAIRMAN = "Chủ tịch UBND xã Chiềng Mung"
VICE_CHAIRMAN = "Phó Chủ tịch UBND xã Chiềng Mung"
COURT_BEFORE = "Tòa án nhân dân huyện Mai Sơn"
COURT_AFTER = "Tòa án nhân dân khu vực 3 - Sơn La"
HEALTH_BEFORE = "Trung tâm Y tế huyện Mai Sơn"
HEALTH_AFTER = "Trung tâm Y tế khu vực Mai Sơn"
REHAB_FACILITY = "Cơ sở cai nghiện ma túy tỉnh Sơn La"
METHADONE_CLINIC = "Cơ sở điều trị methadone Mai Sơn"

TEST_PLACES = ("Trụ sở Công an xã", "Trụ sở Công an xã", "Tại nhà", "Trạm Y tế xã")
PANELS = (
    "MET,AMP,MDMA,KET,THC,MOP", "MET,AMP,MDMA,KET,THC,MOP", "MET,AMP,MDMA,KET,THC,MOP",
    "MET,MOP,THC,KET", "MET,AMP,MOP", "MET,AMP,MDMA,KET,THC,MOP,COC,BZO",
)  # fmt: skip
METHADONE_PANEL = "MET,MOP,THC"
# What a positive strip shows: mostly methamphetamine (80–90% use synthetic drugs).
POSITIVES = (
    "MET", "MET", "MET", "MET", "MET", "MET", "MET,AMP", "MET,AMP", "MOP", "MOP", "THC",
    "MDMA", "KET", "MET,MOP",
)  # fmt: skip

SUSPECT_NOTES = (
    "Quần chúng phản ánh có biểu hiện sử dụng ma túy",
    "Thường xuyên tụ tập với đối tượng nghiện, đi về khuya",
    "Gia đình trình báo có biểu hiện bất thường",
    "Phát hiện qua tuần tra, có biểu hiện nghi vấn",
)
CHECK_ABSENT = (
    "Vắng nhà, gia đình cho biết đi làm nương",
    "Không có mặt tại nơi cư trú, đi làm ăn xa",
    "Vắng nhà, đã nhắn gia đình báo lên trình diện",
)
HOTSPOTS = (
    ("Lán nương bỏ hoang cuối {v}", "use"),
    ("Nhà nghỉ ven Quốc lộ 6, {v}", "harbour"),
    ("Khu vực bờ suối đầu {v}", "use"),
    ("Quán karaoke ven đường, {v}", "harbour"),
    ("Khu đồi thông sau nhà văn hóa {v}", "use"),
)
MODELS = (
    "Mô hình “Bản không ma túy” {v}",
    "Câu lạc bộ “Gia đình không ma túy” {v}",
    "Mô hình “Camera an ninh” {v}",
    "Tổ tự quản về an ninh trật tự {v}",
)
