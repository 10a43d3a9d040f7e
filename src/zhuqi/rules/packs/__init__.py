"""The policy packs shipped with Zhuqi (YAML, one file per pack).

`shipped()` are support policies (`zhuqi policies install` imports them); `eligibility()` are the
conditions of selections (the doubling programme's formal check), evaluated by the app that runs the
selection and never imported as policies. `zhuqi rules test` runs the scenarios of both."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent


def shipped() -> list[Path]:
    return sorted(DIRECTORY.glob("*.yaml"))


def eligibility() -> list[Path]:
    return sorted((DIRECTORY / "eligibility").glob("*.yaml"))


def tested() -> list[Path]:
    return shipped() + eligibility()
