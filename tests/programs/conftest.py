from tests.programs.selection_world import sel  # noqa: F401  (the selection world fixture)
