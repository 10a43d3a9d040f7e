from tests.assessment.conftest import categories  # noqa: F401  the same world of categories
