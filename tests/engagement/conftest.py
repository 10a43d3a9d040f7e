import pytest

from zhuqi.directory.models import ServiceCategory


@pytest.fixture
def category(db):
    parent = ServiceCategory.objects.create(code="utilities", name="水电气")
    return ServiceCategory.objects.create(code="utilities.power", name="用电", parent=parent)
