"""Every API schema has its own name: the OpenAPI document keys its components by class name, so two
apps' `RoundOut` (an appeal's rounds, a programme's rounds) made the appeal detail validate against
the programme's schema, and the fuzz test found answers "violating" the wrong one."""

from collections import Counter

from ninja import Schema

import zhuqi.api  # noqa: F401  (imports every app's endpoints and schemas)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    ours = {c for c in _subclasses(Schema) if c.__module__.startswith("zhuqi.")}
    names = Counter(c.__name__ for c in ours)
    twice = sorted(
        f"{name}: " + ", ".join(sorted(c.__module__ for c in ours if c.__name__ == name))
        for name, n in names.items()
        if n > 1
    )
    assert not twice, twice
