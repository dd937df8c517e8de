"""Charts for documents: matplotlib (Agg, no pyplot state shared between threads) in a CJK
font found on this machine, saved as PNG for the document."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure

log = logging.getLogger(__name__)

# In order of preference: the Noto CJK faces CI installs (fonts-noto-cjk), then what a Windows
# or a Chinese Linux desktop has.
PREFERRED = (
    "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Serif SC",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "SimSun",
    "Noto Sans CJK JP", "Noto Sans CJK TC",
)
MISSING_NOTE = "本机未找到中文字体（如 fonts-noto-cjk），图中的中文可能显示为方框"


@dataclass(frozen=True)
class ChartFont:
    name: str | None  # None: no CJK face found; matplotlib's default is used

    @property
    def found(self) -> bool:
        return self.name is not None


@lru_cache(maxsize=1)
def cjk_font() -> ChartFont:
    """The first installed face of PREFERRED; logged once when there is none, since a chart
    with boxes for characters must not pass unnoticed."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in PREFERRED:
        if name in installed:
            return ChartFont(name)
    log.warning(MISSING_NOTE)
    return ChartFont(None)


def chart_rc() -> Any:  # matplotlib types the keys as a Literal of every rcParam
    font = cjk_font()
    rc: dict[str, Any] = {"axes.unicode_minus": False}  # U+2212 is missing from many CJK faces
    if font.name:
        rc["font.family"] = "sans-serif"
        rc["font.sans-serif"] = [font.name, "DejaVu Sans"]
    return rc


@contextlib.contextmanager
def figure(width_mm: float = 150, height_mm: float = 90) -> Iterator[Figure]:
    """A figure in the document's CJK font, sized in millimetres of the page.

        with figure(150, 80) as fig:
            fig.subplots().bar(["靖宇街道", "太古街道"], [92.5, 88.0])
            doc.chart(fig)
    """
    with rc_context(chart_rc()):
        yield Figure(figsize=(width_mm / 25.4, height_mm / 25.4), layout="constrained")


def figure_png(fig: Figure, *, dpi: int = 200) -> bytes:
    out = io.BytesIO()
    with rc_context(chart_rc()):
        fig.savefig(out, format="png", dpi=dpi, facecolor="white")
    return out.getvalue()
