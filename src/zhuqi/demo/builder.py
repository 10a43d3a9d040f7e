"""Builds the deterministic demo city. Same seed, same city: codes, names and series never change.

Revenue follows a log-normal spread (a median of about 1亿元, a handful above 50亿元), growth varies by
enterprise around 9% a year, and the other indicators follow from revenue with their usual ratios, so
tiers, thresholds and dashboards have something realistic to show.
"""

import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from zhuqi.accounts import services as account_services
from zhuqi.accounts.models import Role, User
from zhuqi.core import bulk, uscc
from zhuqi.core.scopes import HOTLINE
from zhuqi.demo import assessment as assessment_demo
from zhuqi.demo import chains as chains_demo
from zhuqi.demo import cultivation as cultivation_demo
from zhuqi.demo import people, reference
from zhuqi.demo import pilots as pilots_demo
from zhuqi.demo import programs as programs_demo
from zhuqi.demo.people import DEMO_PASSWORD  # noqa: F401  (printed by demo-data, read by tests)
from zhuqi.directory.models import (
    Contact,
    Department,
    Enterprise,
    IndicatorValue,
    LiaisonAssignment,
    PeriodType,
    ServiceCategory,
    Tag,
    Town,
)

SEED = 20170210  # the date of 东府办〔2017〕11号
YEARS = range(2021, 2026)
CURRENT_YEAR, CURRENT_QUARTERS = 2026, (1, 2, 3)
DONGGUAN = "441900"

BRANDS = [
    "华锐",
    "盈科",
    "精诚",
    "宏达",
    "创维",
    "信立",
    "汇通",
    "联丰",
    "永泰",
    "恒昌",
    "嘉泰",
    "新宝",
    "瑞丰",
    "鼎盛",
    "力拓",
    "广宇",
    "铭远",
    "东进",
    "博亚",
    "凯达",
    "金峰",
    "天合",
    "海森",
    "鸿图",
    "智源",
    "立讯",
    "德普",
    "科瑞",
    "骏丰",
    "万和",
]
FIELDS = {
    "C39": ["电子", "通讯科技", "光电"],
    "C38": ["电器", "电池科技", "电机"],
    "C34": ["机械", "自动化设备"],
    "C35": ["智能装备", "精密机械"],
    "C29": ["塑胶", "橡胶制品"],
    "C33": ["五金", "金属制品"],
    "C18": ["服饰", "制衣"],
    "C21": ["家具"],
    "C17": ["纺织"],
    "C22": ["纸品包装"],
    "C26": ["新材料", "化工"],
    "C27": ["生物医药"],
    "C40": ["仪器"],
    "C24": ["玩具", "文体用品"],
    "I65": ["软件", "信息技术"],
    "M73": ["研究院"],
}
INDUSTRY_WEIGHTS = {
    "C39": 22,
    "C38": 12,
    "C34": 9,
    "C35": 8,
    "C29": 8,
    "C33": 9,
    "C18": 5,
    "C21": 4,
    "C17": 3,
    "C22": 3,
    "C26": 4,
    "C27": 2,
    "C40": 3,
    "C24": 3,
    "I65": 3,
    "M73": 2,
}
SURNAMES = [
    "陈",
    "李",
    "黄",
    "张",
    "王",
    "刘",
    "林",
    "梁",
    "钟",
    "叶",
    "何",
    "罗",
    "郑",
    "谢",
    "邓",
    "袁",
    "卢",
    "蔡",
    "莫",
    "麦",
]
GIVEN = [
    "伟",
    "芳",
    "强",
    "敏",
    "静",
    "军",
    "磊",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀",
    "霞",
    "平",
    "刚",
    "华",
]


@dataclass
class Summary:
    towns: int = 0
    departments: int = 0
    enterprises: int = 0
    indicator_values: int = 0
    liaisons: int = 0
    users: dict | None = None
    demo_enterprise: str = ""
    appeals: int = 0
    policy_matches: int = 0
    grant_offers: int = 0
    applications: int = 0
    hotline_token: str = ""  # the raw token of the hotline (appeal scopes), shown once
    pilots: int = 0
    programme_applications: int = 0
    engagement: dict | None = None  # visits, problems found on them, meeting tasks, major events


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def org_body(index: int) -> str:
    # A deterministic 8-character organisation body in the GB 11714 charset (digits and capitals).
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    n, body = index * 7919 + 104729, []
    for _ in range(6):
        n, r = divmod(n, len(alphabet))
        body.append(alphabet[r])
    return "MA" + "".join(reversed(body))


def build_reference() -> tuple[dict[str, Town], dict[str, ServiceCategory]]:
    towns = {}
    for code, name, kind in reference.TOWNS:
        towns[code], _created = Town.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )
    categories = {}
    for sort, (code, (name, children)) in enumerate(reference.CATEGORIES.items()):
        parent, _created = ServiceCategory.objects.update_or_create(
            code=code, defaults={"name": name, "sort": sort * 10, "parent": None}
        )
        categories[code] = parent
        for child_sort, (child_code, child_name) in enumerate(children.items()):
            categories[f"{code}.{child_code}"], _created = ServiceCategory.objects.update_or_create(
                code=f"{code}.{child_code}",
                defaults={"name": child_name, "sort": sort * 10 + child_sort, "parent": parent},
            )
    for code, name, short, handled in reference.CITY_DEPARTMENTS:
        department, _created = Department.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "level": Department.Level.CITY, "town": None},
        )
        department.categories.set([categories[c] for c in handled])
    for town_code in reference.TOWN_DEPARTMENT_TOWNS:
        town = towns[town_code]
        department, _created = Department.objects.update_or_create(
            code=f"{town_code}_economy",
            defaults={
                "name": f"{town.name}经济发展局",
                "short_name": f"{town.name[:-1] if town.kind != 'park' else town.name}经发局",
                "level": Department.Level.TOWN,
                "town": town,
            },
        )
        department.categories.set([categories[c] for c in reference.TOWN_DEPARTMENT_CATEGORIES])
    return towns, categories


def _series(rng: random.Random, base: float) -> list[float]:
    drift = rng.gauss(0.09, 0.08)
    values, value = [], base
    for _year in YEARS:
        values.append(value)
        value *= max(0.55, 1 + drift + rng.gauss(0, 0.07))
    return values


def build_enterprises(count: int, towns: dict[str, Town], rng: random.Random, progress: bool) -> list[tuple]:
    town_list = list(towns.values())
    town_weights = [
        3 if t.kind == "park" else 2 if t.code in reference.TOWN_DEPARTMENT_TOWNS else 1 for t in town_list
    ]
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in reference.TAGS}
    industries, weights = zip(*INDUSTRY_WEIGHTS.items(), strict=True)
    enterprises, profiles, names = [], [], set()
    for i in range(count):
        industry = rng.choices(industries, weights)[0]
        town = rng.choices(town_list, town_weights)[0]
        while True:
            name = f"东莞市{rng.choice(BRANDS)}{rng.choice(BRANDS)}{rng.choice(FIELDS[industry])}有限公司"
            if name not in names:
                break
        names.add(name)
        revenue_2021 = math.exp(rng.gauss(math.log(1.0e8), 1.25))
        roll = rng.random()
        if revenue_2021 > 5e9 or roll < 0.08:
            doubling, listing = (
                Enterprise.DoublingClass.LISTED_OR_RESERVE,
                rng.choice(["listed", "neeq", "pre_ipo"]),
            )
        elif roll < 0.30:
            doubling, listing = Enterprise.DoublingClass.FOREIGN_INVESTED, "none"
        elif roll < 0.45:
            doubling, listing = Enterprise.DoublingClass.HIGH_TECH, "none"
        elif roll < 0.85:
            doubling, listing = Enterprise.DoublingClass.PRIVATE_MANUFACTURING, "none"
        else:
            doubling, listing = "", "none"
        ownership = (
            "foreign"
            if doubling == Enterprise.DoublingClass.FOREIGN_INVESTED
            else ("state" if rng.random() < 0.03 else "private")
        )
        size = (
            "large"
            if revenue_2021 > 4e8
            else "medium"
            if revenue_2021 > 2e7
            else "small"
            if revenue_2021 > 3e6
            else "micro"
        )
        enterprises.append(
            Enterprise(
                uscc=uscc.make(DONGGUAN, org_body(i)),
                name=name,
                town=town,
                industry_code=industry,
                ownership=ownership,
                listing=listing,
                size=size,
                doubling_class=doubling,
                address=f"广东省东莞市{town.name}{rng.choice(['工业大道', '科技路', '兴业路', '创新路'])}{rng.randint(1, 300)}号",
                founded_on=date(rng.randint(1990, 2018), rng.randint(1, 12), rng.randint(1, 28)),
            )
        )
        profiles.append((revenue_2021, doubling))
    created = Enterprise.objects.bulk_create(enterprises, batch_size=1000)
    created = list(Enterprise.objects.filter(uscc__in=[e.uscc for e in enterprises]).order_by("id"))
    by_code = {e.uscc: e for e in created}
    ordered = [by_code[e.uscc] for e in enterprises]
    through = Enterprise.tags.through
    tag_rows, contacts = [], []
    for enterprise, (revenue, doubling) in zip(
        tqdm(ordered, desc="contacts and tags", disable=not progress), profiles, strict=True
    ):
        chosen = set()
        if doubling == Enterprise.DoublingClass.HIGH_TECH or rng.random() < 0.2:
            chosen.add("高新技术企业")
        if revenue > 2e7:
            chosen.add("规上企业")
        if doubling and rng.random() < 0.15:
            chosen.add("专精特新")
        if rng.random() < 0.05:
            chosen.add("瞪羚企业")
        if doubling and revenue > 1e8:
            # Pilots are no longer a tag but the published selection (demo/programs.py); the draw that
            # tagged them stays so that the rest of the demo city is the same as before.
            rng.random()
        tag_rows += [(enterprise.pk, tags[name].pk) for name in sorted(chosen)]
        # (enterprise, name, title, mobile, email, is_primary), drawn in this order
        name = person_name(rng)
        contacts.append((enterprise.pk, name, "总经理", f"13{rng.randint(100000000, 999999999)}", "", True))
        if rng.random() < 0.6:
            name = person_name(rng)
            mobile = f"13{rng.randint(100000000, 999999999)}"
            contacts.append(
                (enterprise.pk, name, "行政经理", mobile, f"admin{enterprise.pk}@example.cn", False)
            )
    bulk.insert_rows(through, ("enterprise", "tag"), tag_rows)
    bulk.insert_rows(Contact, ("enterprise", "name", "title", "mobile", "email", "is_primary"), contacts)
    return list(zip(ordered, profiles, strict=True))


INDICATOR_FIELDS = (
    "enterprise",
    "indicator",
    "period_type",
    "year",
    "period_no",
    "value",
    "source",
    "verified",
    "updated_at",
)


def build_indicators(enterprises: list[tuple], rng: random.Random, progress: bool) -> int:
    """Five years of every indicator and three quarters of the current year: 76 rows an enterprise,
    written as plain rows (core/bulk.py), not model instances, which is most of the demo's size."""
    rows, total, now, cent = [], 0, timezone.now(), Decimal("0.01")

    def add(enterprise, key, period_type, year, period_no, value, source, verified=True):
        value = Decimal(round(value, 2 if source != "count" else 0)).quantize(cent)
        rows.append((enterprise.pk, key, period_type, year, period_no, value, source, verified, now))

    for enterprise, (revenue_2021, doubling) in tqdm(
        enterprises, desc="indicator series", disable=not progress
    ):
        revenue = _series(rng, revenue_2021)
        margin = rng.uniform(0.02, 0.12)
        tax_rate = rng.uniform(0.03, 0.07)
        rd_rate = (
            rng.uniform(0.035, 0.08)
            if doubling == Enterprise.DoublingClass.HIGH_TECH
            else rng.uniform(0.005, 0.04)
        )
        export_share = (
            rng.uniform(0.4, 0.9)
            if doubling == Enterprise.DoublingClass.FOREIGN_INVESTED
            else rng.uniform(0, 0.3)
        )
        land = max(5.0, revenue_2021 / rng.uniform(2e6, 8e6))
        for year, value in zip(YEARS, revenue, strict=True):
            main = value * rng.uniform(0.9, 0.99)
            tax = value * tax_rate
            staff = max(8, round(value / rng.uniform(6e5, 1.2e6)))
            add(enterprise, "revenue", PeriodType.YEAR, year, 1, value, "stats")
            add(enterprise, "main_revenue", PeriodType.YEAR, year, 1, main, "stats")
            add(enterprise, "added_value", PeriodType.YEAR, year, 1, value * rng.uniform(0.2, 0.3), "stats")
            add(enterprise, "exports", PeriodType.YEAR, year, 1, value * export_share, "stats")
            add(enterprise, "staff", PeriodType.YEAR, year, 1, staff, "stats")
            add(enterprise, "tax_paid", PeriodType.YEAR, year, 1, tax, "tax")
            add(
                enterprise,
                "city_retained_tax",
                PeriodType.YEAR,
                year,
                1,
                tax * rng.uniform(0.18, 0.25),
                "tax",
            )
            add(
                enterprise,
                "total_profit",
                PeriodType.YEAR,
                year,
                1,
                value * (margin + rng.gauss(0, 0.02)),
                "self",
            )
            add(enterprise, "rd_expense", PeriodType.YEAR, year, 1, value * rd_rate, "self")
            # The tax bureau assesses part of it as deductible (seed 001's subsidy base), verified.
            # (70–95 % of it, from the enterprise and year: the random stream of the demo is untouched)
            deductible = value * rd_rate * (0.7 + ((enterprise.pk * 7919 + year) % 26) / 100)
            add(
                enterprise,
                "rd_expense_deductible",
                PeriodType.YEAR,
                year,
                1,
                deductible,
                "tax",
                verified=True,
            )
            add(
                enterprise,
                "rd_staff",
                PeriodType.YEAR,
                year,
                1,
                max(1, round(staff * rng.uniform(0.05, 0.2))),
                "self",
            )
            add(enterprise, "land_area", PeriodType.YEAR, year, 1, land, "self")
            add(
                enterprise,
                "invention_patents",
                PeriodType.YEAR,
                year,
                1,
                round(rd_rate * 200 * rng.random()),
                "self",
            )
            add(
                enterprise,
                "other_ip",
                PeriodType.YEAR,
                year,
                1,
                round(rd_rate * 600 * rng.random()),
                "self",
                verified=rng.random() < 0.7,
            )
        latest = revenue[-1] * (1 + rng.gauss(0.08, 0.1))
        for quarter in CURRENT_QUARTERS:
            q_value = latest / 4 * rng.uniform(0.85, 1.15)
            add(enterprise, "revenue", PeriodType.QUARTER, CURRENT_YEAR, quarter, q_value, "stats")
            add(enterprise, "tax_paid", PeriodType.QUARTER, CURRENT_YEAR, quarter, q_value * tax_rate, "tax")
        if len(rows) >= 20000:
            total += bulk.insert_rows(IndicatorValue, INDICATOR_FIELDS, rows)
            rows = []
    return total + bulk.insert_rows(IndicatorValue, INDICATOR_FIELDS, rows)


def build_users(towns: dict[str, Town], demo_enterprise: Enterprise) -> dict[str, str]:
    """One demo user per role; returns {username: description}."""
    miit = Department.objects.get(code="miit")
    changan = towns["changan"]
    specs = [
        ("admin", Role.ADMIN, "系统管理员", {}),
        ("coordinator", Role.COORDINATOR, "倍增办 陈主任", {}),
        ("handler", Role.HANDLER, "市工信局 李经办", {"department": miit}),
        ("town", Role.TOWN_OFFICER, "长安镇 王专员", {"town": changan}),
        ("leader", Role.LEADER, "市领导 张副市长", {}),
        # The principal leader when ZHUQI_PRINCIPAL_LEADER=mayor (`./dev up` sets it): seed 000 三(四).
        ("mayor", Role.LEADER, "市主要领导 李市长", {}),
        ("expert", Role.EXPERT, "专家 刘教授", {}),
        ("enterprise", Role.ENTERPRISE, f"{demo_enterprise.name} 联络人", {"enterprise": demo_enterprise}),
        ("hotline", Role.SYSTEM, "12345 热线接口", {}),
    ]
    users = {}
    for username, role, display_name, membership in specs:
        if not User.objects.filter(username=username).exists():
            people.user_create(username=username, role=role, display_name=display_name, **membership)
        users[username] = f"{role.label}: {display_name}"
    miit.head = User.objects.get(username="handler")
    miit.save(update_fields=["head"])
    return users


def build_liaisons(enterprises: list[tuple], towns: dict[str, Town]) -> int:
    """Seed 000, 三(四): ≥ 10亿元 main revenue a city leader; 2亿–10亿 the town's principal leader;
    2000万–2亿 a member of the town's leadership."""
    city_leader = User.objects.get(username="leader")
    town_leaders = {}
    for code, town in towns.items():
        for suffix, title in (("principal", "主要领导"), ("member", "班子成员")):
            username = f"leader_{code}_{suffix}"
            user = User.objects.filter(username=username).first() or people.user_create(
                username=username,
                role=Role.LEADER,
                display_name=f"{town.name}{title}",
                check_password=False,
            )
            town_leaders[(town.pk, suffix)] = user
    latest = dict(
        IndicatorValue.objects.filter(
            indicator="main_revenue", period_type=PeriodType.YEAR, year=max(YEARS)
        ).values_list("enterprise_id", "value")
    )
    # Through the liaison service (engagement.liaison): its tier rule, one batch for the city.
    from zhuqi.engagement import liaison

    leaders = {
        LiaisonAssignment.Tier.CITY_LEADER: lambda e: city_leader,
        LiaisonAssignment.Tier.TOWN_PRINCIPAL: lambda e: town_leaders[(e.town_id, "principal")],
        LiaisonAssignment.Tier.TOWN_MEMBER: lambda e: town_leaders[(e.town_id, "member")],
    }
    rows = []
    for enterprise, (_revenue, doubling) in enterprises:
        tier = liaison.tier_for(latest.get(enterprise.pk)) if doubling else ""
        if tier:
            rows.append((leaders[tier](enterprise), enterprise, tier))
    return liaison.assign_many(rows, acting_user=None, since=date(2026, 1, 1))


@transaction.atomic
def build(*, enterprises: int = 3000, progress: bool = True) -> Summary:
    rng = random.Random(SEED)
    towns, _categories = build_reference()
    built = build_enterprises(enterprises, towns, rng, progress)
    values = build_indicators(built, rng, progress)
    # The demo enterprise user belongs to a mid-sized private manufacturer in 长安镇.
    demo = next(
        (
            e
            for e, (revenue, doubling) in built
            if e.town.code == "changan"
            and doubling == Enterprise.DoublingClass.PRIVATE_MANUFACTURING
            and revenue > 5e7
        ),
        built[0][0],
    )
    users = build_users(towns, demo)
    # The 12345 hotline's token holds the appeal scopes only: it can neither write indicators nor
    # read the directory (issue 15: a hotline token once minted verified tax data).
    _token, hotline_token = account_services.api_token_create(
        user=User.objects.get(username="hotline"), name="12345 热线", scopes=HOTLINE
    )
    liaisons = build_liaisons(built, towns)
    appeals = build_appeals(max(20, enterprises // 10), rng)
    programme = programs_demo.build(built, demo)
    matches, offers, applications = build_policies(demo)
    chains_demo.build(rng=random.Random(SEED + 11))  # industry chains, matchmaking events, key projects
    from zhuqi.demo import tiers as demo_tiers

    # Before cultivation (its ladder counts recognitions) and monitoring (its sweep raises the
    # tier_expiry warnings); its 专精特新 rewards are 免申即享 offers too.
    tiers_built = demo_tiers.build(demo, rng)
    cultivation_demo.build(demo)
    pilots_demo.build(demo)  # evaluations 2018–2021, reporting tasks, a policy list (after the packs)
    assessment_demo.build(SEED, appeals=max(24, enterprises // 25))
    from zhuqi.demo import engagement as demo_engagement

    engagement = demo_engagement.build(rng=rng, demo_enterprise=demo)
    from zhuqi.demo import monitoring as demo_monitoring

    # Last: its sweep raises every other part's warnings (visits owed, appeals late, tiers expiring),
    # so the city starts with them all and the worker's first pass finds nothing new to announce.
    demo_monitoring.build()  # monthly values, 2026 targets, the warnings the sweep finds
    return Summary(
        towns=len(towns),
        departments=Department.objects.count(),
        enterprises=len(built),
        indicator_values=values,
        liaisons=liaisons,
        users=users,
        demo_enterprise=f"{demo.name} ({demo.uscc})",
        appeals=appeals,
        policy_matches=matches,
        grant_offers=offers + tiers_built["reward_offers"],
        applications=applications,
        hotline_token=hotline_token,
        pilots=programme["pilots"],
        programme_applications=programme["applications"],
        engagement=engagement,
    )


APPEAL_TITLES = {
    "financing.loan": "申请技改贷款贴息，希望加快审核",
    "land.land_title": "厂房产权证照不全，申请补办",
    "labour.recruit": "旺季普工缺口约200人，请协助招工",
    "talent.schooling": "引进工程师子女入学需协调学位",
    "approval.construction_permit": "新厂房施工许可办理进度慢",
    "policy.grant": "倍增服务包奖励资金尚未兑现",
    "utilities.power": "新增生产线需用电增容",
    "environment.emission": "排污许可证延续办理咨询",
    "ip.infringement": "产品外观专利被仿冒，请求维权支持",
    "market.export": "出口退税到账慢影响资金周转",
}


def build_appeals(count: int, rng: random.Random) -> int:
    """Appeals through the real service functions: routed, accepted, replied, rated, some reopened."""
    from zhuqi.appeals import services as appeal_services

    coordinator = User.objects.get(username="coordinator")
    categories = {c.code: c for c in ServiceCategory.objects.filter(code__in=APPEAL_TITLES)}
    enterprises = list(Enterprise.objects.exclude(doubling_class="").order_by("id")[:600])
    demo_user = User.objects.get(username="enterprise")
    made = 0
    for i in range(count):
        code = rng.choice(sorted(APPEAL_TITLES))
        own = i % 10 == 0
        enterprise = demo_user.enterprise if own else rng.choice(enterprises)
        appeal = appeal_services.appeal_submit(
            enterprise=enterprise,
            title=APPEAL_TITLES[code],
            description=APPEAL_TITLES[code] + "。",
            category=categories[code],
            acting_user=demo_user if own else coordinator,
            channel="web" if own else rng.choice(["visit", "phone"]),
            urgency="major" if rng.random() < 0.1 else "ordinary",
        ).appeal
        made += 1
        if appeal.department_id is None or rng.random() < 0.15:
            continue  # left waiting for dispatch or acceptance
        handler = appeal.department.members.first() or appeal.department.head
        if handler is None:
            handler = people.user_create(
                username=f"handler_{appeal.department.code}",
                role=Role.HANDLER,
                display_name=f"{appeal.department} 经办人",
                department=appeal.department,
                check_password=False,
            )
        appeal = appeal_services.appeal_accept(appeal=appeal, acting_user=handler)
        if rng.random() < 0.2:
            continue
        appeal = appeal_services.appeal_reply(
            appeal=appeal, acting_user=handler, reply="已协调相关单位办理，请查收。"
        )
        if own:  # only the demo enterprise has a user who can rate
            rating = rng.choices(["satisfied", "basic", "unsatisfied"], [80, 15, 5])[0]
            appeal_services.appeal_rate(appeal=appeal, acting_user=demo_user, rating=rating)
    return made


def build_policies(demo: Enterprise) -> tuple[int, int, int]:
    """The shipped policy pack, matched for the doubling programme's last year (2021) and for the
    current year, 免申即享 offers for the current year, and the demo enterprise's applications, all
    through the real services. The demo enterprise is a pilot (selected in demo/programs.py) and is
    made a gazelle (瞪羚企业) so that its 我的政策 page shows every kind of answer."""
    from zhuqi.policies import grants, matching, packs
    from zhuqi.policies import services as policy_services

    packs.install_shipped()
    demo.tags.add(Tag.objects.get(name="瞪羚企业"))
    matched = matching.match_run(period=date(2021, 12, 31)).eligible
    matched += matching.match_run(period=date(CURRENT_YEAR, 6, 30)).eligible
    offers = grants.offers_run(period=date(CURRENT_YEAR, 6, 30)).created
    demo_user = User.objects.get(username="enterprise")
    handler = User.objects.get(username="handler")
    clause = packs.Clause.objects.select_related("policy__pack", "department")
    submitted = [
        policy_services.application_submit(
            enterprise=demo,
            clause=clause.get(code=code),
            year=2021,
            inputs=inputs,
            project=project,
            acting_user=demo_user,
        )[0]
        for code, inputs, project in (
            ("DB-3-2", {"consulting_fees": 1_600_000}, ""),
            ("DB-3-7-UPGRADE", {"equipment_technology_investment": 12_000_000}, "智能化改造二期"),
            ("DB-3-8-INTERNET", {"project_total_investment": 8_000_000}, "智能化改造二期"),
        )
    ]
    policy_services.application_approve(application=submitted[0], amount=800_000, acting_user=handler)
    return matched, offers, len(submitted)
