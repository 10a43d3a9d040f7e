"""Charts of a briefing drawn as PNG images by matplotlib (Agg, no display) in a CJK font, so the same
picture goes into the Word and the PDF document."""

import base64
import io
from functools import cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")


@cache
def cjk_font() -> str | None:
    """The first CJK family installed (fonts-noto-cjk on Debian); None draws with the default."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path or "NotoSerifCJK" in path:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=150, bbox_inches="tight")
    plt.close(figure)
    return out.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def bars(title: str, labels: list[str], series: dict[str, list[float]], unit: str = "") -> bytes:
    """Grouped bars: one group per label, one bar per series."""
    family = cjk_font()
    with plt.rc_context({"font.family": family} if family else {}):
        figure, axis = plt.subplots(figsize=(7.5, 3.4))
        width = 0.8 / max(1, len(series))
        positions = range(len(labels))
        for i, (name, values) in enumerate(series.items()):
            axis.bar([p + i * width for p in positions], values, width=width, label=name)
        axis.set_xticks([p + width * (len(series) - 1) / 2 for p in positions], labels, fontsize=8)
        if len(labels) > 8:
            plt.setp(axis.get_xticklabels(), rotation=30, ha="right")
        axis.set_title(title, fontsize=11)
        if unit:
            axis.set_ylabel(unit, fontsize=9)
        if len(series) > 1:
            axis.legend(fontsize=8, frameon=False)
        axis.spines[["top", "right"]].set_visible(False)
        return _png(figure)
