"""The tier packs (工信部企业〔2022〕63号): one YAML file per tier, loaded by zhuqi.rules.model.load_pack.
Imports no Django (the rules tests load them)."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
FILES = {
    "innovative": DIRECTORY / "miit_innovative.yaml",
    "specialised": DIRECTORY / "miit_specialised.yaml",
    "little_giant": DIRECTORY / "miit_little_giant.yaml",
}


def shipped() -> list[Path]:
    return list(FILES.values())
