"""The facts the tier criteria read that the directory's periodic indicators do not hold (issue 10,
item 1): IP counts by class, the debt ratio, the field of the main product, equity financing, awards,
titles, R&D institutions, the province's evaluations. Each is a TierFact row with its source and date,
recorded by the office or imported (import kind `tier_facts`); the packs read them as `fact:KEY`
(the newest value on or before the day assessed, while valid) or `fact:KEY@3y` (…dated within the
last three years: the as-of year is at least the assessed year minus 3).

When an enterprise has no row for a key: for awards, titles and lists kept by the authorities
(`absent_is_no`) it does not hold it; for the others the fact is missing, and the tier is "could
qualify" with the fact named as the gap (as 我的政策 does).
"""

from dataclasses import dataclass

NUMBER, BOOL = "number", "bool"


@dataclass(frozen=True)
class FactKey:
    key: str
    label: str  # Chinese: the import column value and the page label
    type: str
    unit: str = ""
    absent_is_no: bool = False


KEYS = [
    FactKey("ip_class1_high", "Ⅰ类高价值知识产权数", NUMBER, "件"),
    FactKey("ip_class1_own", "自主研发Ⅰ类知识产权数", NUMBER, "件"),
    FactKey("ip_class1", "Ⅰ类知识产权数", NUMBER, "件"),
    FactKey("ip_class2", "Ⅱ类知识产权数", NUMBER, "件"),
    FactKey("debt_ratio", "资产负债率", NUMBER, "%"),
    FactKey("sei_field", "主导产品属于战略性新兴产业", BOOL),
    FactKey("equity_financing_3y", "近三年新增股权融资总额", NUMBER, "元"),
    FactKey("equity_financing_2y", "近两年新增股权融资总额", NUMBER, "元"),
    FactKey("segment_years", "从事特定细分市场年数", NUMBER, "年"),
    FactKey("specialised_score", "专精特新评价得分", NUMBER, "分"),
    FactKey("market_share", "细分市场全国占有率", NUMBER, "%"),
    FactKey("sci_award", "国家级或省级科技奖励", BOOL, absent_is_no=True),
    FactKey("sci_award_top", "省级科技奖励前三名或国家级前五名", BOOL, absent_is_no=True),
    FactKey("sci_award_top3", "国家级或省级科技奖励前三名", BOOL, absent_is_no=True),
    FactKey("honour", "高新技术企业等荣誉", BOOL, absent_is_no=True),
    FactKey("rd_institution_provincial", "省部级以上研发机构", BOOL, absent_is_no=True),
    FactKey("rd_institution", "自建或联合建立的研发机构", BOOL, absent_is_no=True),
    FactKey("chuangke_top500", "创客中国全国500强", BOOL, absent_is_no=True),
    FactKey("chuangke_top50", "创客中国全国50强", BOOL, absent_is_no=True),
    FactKey("info_system", "核心业务采用信息系统支撑", BOOL),
    FactKey("certification", "管理体系或产品认证", BOOL),
    FactKey("own_brand", "拥有自主品牌", BOOL),
    FactKey("chain_supporting", "位于产业链关键环节", BOOL),
    FactKey("priority_field", "主导产品属于重点领域", BOOL),
]
BY_KEY = {k.key: k for k in KEYS}
BY_LABEL = {k.label: k for k in KEYS}
