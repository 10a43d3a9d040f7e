import pytest
from django.core.cache import cache
from django.utils import translation

from tests.factories import DepartmentFactory, EnterpriseFactory, LiaisonFactory, TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.directory.models import Department


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Argon2 is the production hasher (tests/accounts check it); a fast one keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    # Job files, the SMS log: each test writes in its own folder.
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def fresh_caches():
    # Reference data cached per process (the calendar, deadline rules) is read anew by each test.
    cache.clear()


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def world(db):
    """Two towns, each with an enterprise; a city and a town department; one user of every role."""
    town_a = TownFactory(code="changan", name="长安镇")
    town_b = TownFactory(code="humen", name="虎门镇")
    ent_a = EnterpriseFactory(town=town_a, name="东莞市甲电子有限公司")
    ent_b = EnterpriseFactory(town=town_b, name="东莞市乙五金有限公司")
    city_dept = DepartmentFactory(code="miit", name="东莞市工业和信息化局", level=Department.Level.CITY)
    town_dept = DepartmentFactory(
        code="changan_economy", name="长安镇经济发展局", level=Department.Level.TOWN, town=town_a
    )
    users = {
        "admin": UserFactory(username="admin", role=Role.ADMIN),
        "coordinator": UserFactory(username="coordinator", role=Role.COORDINATOR),
        "system": UserFactory(username="hotline", role=Role.SYSTEM),
        "enterprise_a": UserFactory(username="ent_a", role=Role.ENTERPRISE, enterprise=ent_a),
        "enterprise_b": UserFactory(username="ent_b", role=Role.ENTERPRISE, enterprise=ent_b),
        "town_a": UserFactory(username="town_a", role=Role.TOWN_OFFICER, town=town_a),
        "city_handler": UserFactory(username="city_handler", role=Role.HANDLER, department=city_dept),
        "town_handler": UserFactory(username="town_handler", role=Role.HANDLER, department=town_dept),
        "leader_a": UserFactory(username="leader_a", role=Role.LEADER),
        "expert": UserFactory(username="expert", role=Role.EXPERT),
    }
    LiaisonFactory(leader=users["leader_a"], enterprise=ent_a)
    return type(
        "World",
        (),
        {
            "towns": (town_a, town_b),
            "a": ent_a,
            "b": ent_b,
            "users": users,
            "city_dept": city_dept,
            "town_dept": town_dept,
        },
    )
