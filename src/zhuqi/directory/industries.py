"""GB/T 4754-2017 national economic industry classification: sections (门类) and their divisions (大类).

An enterprise's industry is stored as the section letter followed by the 2- to 4-digit code
(C39 computers and electronics, C3911 computer manufacturing). The division decides the section,
so a code whose letter and division disagree is refused.
"""

from django.utils.translation import gettext_lazy as _

from zhuqi.core import validators
from zhuqi.core.errors import Message

SECTIONS = {
    "A": ("农、林、牧、渔业", range(1, 6)),
    "B": ("采矿业", range(6, 13)),
    "C": ("制造业", range(13, 44)),
    "D": ("电力、热力、燃气及水生产和供应业", range(44, 47)),
    "E": ("建筑业", range(47, 51)),
    "F": ("批发和零售业", range(51, 53)),
    "G": ("交通运输、仓储和邮政业", range(53, 61)),
    "H": ("住宿和餐饮业", range(61, 63)),
    "I": ("信息传输、软件和信息技术服务业", range(63, 66)),
    "J": ("金融业", range(66, 70)),
    "K": ("房地产业", range(70, 71)),
    "L": ("租赁和商务服务业", range(71, 73)),
    "M": ("科学研究和技术服务业", range(73, 76)),
    "N": ("水利、环境和公共设施管理业", range(76, 80)),
    "O": ("居民服务、修理和其他服务业", range(80, 83)),
    "P": ("教育", range(83, 84)),
    "Q": ("卫生和社会工作", range(84, 86)),
    "R": ("文化、体育和娱乐业", range(86, 91)),
    "S": ("公共管理、社会保障和社会组织", range(91, 97)),
    "T": ("国际组织", range(97, 98)),
}

# Manufacturing divisions carry the doubling program; their names show in lists and filters.
DIVISIONS = {
    13: "农副食品加工业",
    14: "食品制造业",
    15: "酒、饮料和精制茶制造业",
    16: "烟草制品业",
    17: "纺织业",
    18: "纺织服装、服饰业",
    19: "皮革、毛皮、羽毛及其制品和制鞋业",
    20: "木材加工和木、竹、藤、棕、草制品业",
    21: "家具制造业",
    22: "造纸和纸制品业",
    23: "印刷和记录媒介复制业",
    24: "文教、工美、体育和娱乐用品制造业",
    25: "石油、煤炭及其他燃料加工业",
    26: "化学原料和化学制品制造业",
    27: "医药制造业",
    28: "化学纤维制造业",
    29: "橡胶和塑料制品业",
    30: "非金属矿物制品业",
    31: "黑色金属冶炼和压延加工业",
    32: "有色金属冶炼和压延加工业",
    33: "金属制品业",
    34: "通用设备制造业",
    35: "专用设备制造业",
    36: "汽车制造业",
    37: "铁路、船舶、航空航天和其他运输设备制造业",
    38: "电气机械和器材制造业",
    39: "计算机、通信和其他电子设备制造业",
    40: "仪器仪表制造业",
    41: "其他制造业",
    42: "废弃资源综合利用业",
    43: "金属制品、机械和设备修理业",
    51: "批发业",
    52: "零售业",
    64: "互联网和相关服务",
    65: "软件和信息技术服务业",
    72: "商务服务业",
    73: "研究和试验发展",
    75: "科技推广和应用服务业",
}


def problem(code: str):
    """Why `code` is not a GB/T 4754-2017 industry code, or None."""
    code = (code or "").strip().upper()
    if (
        len(code) < 3
        or len(code) > 5
        or code[0] not in SECTIONS
        or not validators.is_digits(code[1:])
        or len(code) == 4
    ):
        return Message(
            _("Industry code %(code)s is not a GB/T 4754 code such as C39 or C3911."), {"code": code}
        )
    division = int(code[1:3])
    if division not in SECTIONS[code[0]][1]:
        return Message(
            _("Industry division %(division)02d does not belong to section %(section)s."),
            {
                "division": division,
                "section": code[0],
            },
        )
    return None


def label(code: str) -> str:
    if not code or problem(code):
        return code or ""
    division = int(code[1:3])
    return f"{code} {DIVISIONS.get(division, SECTIONS[code[0]][0])}"
