"""Reference data of the demo city: Dongguan's real towns, streets and parks, the city departments
named in the seeds, and a two-level taxonomy of enterprise matters."""

# (code, name, kind): the 4 streets and 28 towns of Dongguan, and its functional parks.
TOWNS = [
    ("guancheng", "莞城街道", "street"),
    ("dongcheng", "东城街道", "street"),
    ("nancheng", "南城街道", "street"),
    ("wanjiang", "万江街道", "street"),
    ("shijie", "石碣镇", "town"),
    ("shilong", "石龙镇", "town"),
    ("chashan", "茶山镇", "town"),
    ("shipai", "石排镇", "town"),
    ("qishi", "企石镇", "town"),
    ("hengli", "横沥镇", "town"),
    ("qiaotou", "桥头镇", "town"),
    ("xiegang", "谢岗镇", "town"),
    ("dongkeng", "东坑镇", "town"),
    ("changping", "常平镇", "town"),
    ("liaobu", "寮步镇", "town"),
    ("zhangmutou", "樟木头镇", "town"),
    ("dalang", "大朗镇", "town"),
    ("huangjiang", "黄江镇", "town"),
    ("qingxi", "清溪镇", "town"),
    ("tangxia", "塘厦镇", "town"),
    ("fenggang", "凤岗镇", "town"),
    ("dalingshan", "大岭山镇", "town"),
    ("changan", "长安镇", "town"),
    ("humen", "虎门镇", "town"),
    ("houjie", "厚街镇", "town"),
    ("shatian", "沙田镇", "town"),
    ("daojiao", "道滘镇", "town"),
    ("hongmei", "洪梅镇", "town"),
    ("machong", "麻涌镇", "town"),
    ("wangniudun", "望牛墩镇", "town"),
    ("zhongtang", "中堂镇", "town"),
    ("gaobu", "高埗镇", "town"),
    ("songshanhu", "松山湖高新区", "park"),
    ("binhaiwan", "滨海湾新区", "park"),
    ("dongguangang", "东莞港", "park"),
]

# Two-level taxonomy of appeal and service matters.
CATEGORIES = {
    "financing": ("融资", {"loan": "贷款与贴息", "guarantee": "担保与转贷", "listing": "上市融资"}),
    "land": ("用地", {"land_supply": "用地供给", "land_title": "产权证照补办", "plot_ratio": "提高容积率"}),
    "labour": ("用工", {"recruit": "招工", "social_insurance": "社保"}),
    "talent": ("人才", {"talent_subsidy": "人才补贴", "housing": "人才住房", "schooling": "子女入学"}),
    "approval": (
        "审批",
        {"project_approval": "项目审批", "construction_permit": "施工许可", "fire": "消防验收"},
    ),
    "policy": ("政策兑现", {"grant": "资金兑现", "qualification": "资质认定"}),
    "utilities": ("水电气", {"power": "用电", "water": "用水", "gas": "用气"}),
    "environment": ("环保", {"eia": "环评", "emission": "排污许可"}),
    "ip": ("知识产权", {"patent": "专利", "infringement": "侵权维权"}),
    "market": ("市场开拓", {"export": "出口与通关", "domestic": "内销与展会"}),
    "other": ("其他", {"other_misc": "其他事项"}),
}

# (code, name, short name, categories handled): city departments named in the seeds.
CITY_DEPARTMENTS = [
    ("miit", "东莞市工业和信息化局", "市工信局", ["policy", "utilities", "market.domestic"]),
    ("commerce", "东莞市商务局", "市商务局", ["market.export"]),
    ("science", "东莞市科学技术局", "市科技局", ["ip.patent", "policy.qualification"]),
    ("finance_office", "东莞市金融工作局", "市金融工作局", ["financing"]),
    ("treasury", "东莞市财政局", "市财政局", ["policy.grant"]),
    ("natural_resources", "东莞市自然资源局", "市自然资源局", ["land"]),
    ("hrss", "东莞市人力资源和社会保障局", "市人社局", ["labour", "talent.talent_subsidy"]),
    ("education", "东莞市教育局", "市教育局", ["talent.schooling"]),
    ("tax", "国家税务总局东莞市税务局", "市税务局", []),
    ("statistics", "东莞市统计局", "市统计局", []),
    ("development_reform", "东莞市发展和改革局", "市发改局", ["approval.project_approval"]),
    ("market_regulation", "东莞市市场监督管理局", "市市场监管局", ["ip.infringement"]),
    ("ecology", "东莞市生态环境局", "市生态环境局", ["environment"]),
    (
        "housing",
        "东莞市住房和城乡建设局",
        "市住建局",
        ["approval.construction_permit", "approval.fire", "talent.housing"],
    ),
    ("investment", "东莞市投资促进局", "市投促局", []),
]

# Towns with their own economic development bureau, which take the town-level matters.
TOWN_DEPARTMENT_TOWNS = [
    "changan",
    "humen",
    "tangxia",
    "songshanhu",
    "changping",
    "dalang",
    "houjie",
    "qingxi",
]
TOWN_DEPARTMENT_CATEGORIES = [
    "labour.recruit",
    "utilities",
    "environment.emission",
    "approval.construction_permit",
]

TAGS = ["高新技术企业", "专精特新", "瞪羚企业", "规上企业", "科技型中小企业", "倍增试点"]
