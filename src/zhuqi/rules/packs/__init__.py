"""The policy packs shipped with Zhuqi (YAML, one file per pack)."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent


def shipped() -> list[Path]:
    return sorted(DIRECTORY.glob("*.yaml"))
