"""One style for every paper figure: sizes for a journal column, fonts, colours, writers.

Every figure of ``snakemake paper`` is drawn through this module, so that they share

* sizes in inches for a two-column journal page: :data:`COLUMN_WIDTH_IN` (one column,
  86 mm, the APS/Elsevier single-column width) and :data:`PAGE_WIDTH_IN` (two columns,
  178 mm); fonts of :data:`FONT_SIZE_PT` (legible at print size);
* one colour per method or model (:data:`COLOURS`, the colour-blind-safe palette of
  Okabe & Ito, *Color Universal Design* (2008));
* units on every axis label (:func:`check_axis_units` refuses a figure without them);
* the files: ``STEM.pdf``, ``STEM.svg`` and ``STEM.png`` and the plotted numbers in
  ``STEM.csv`` (:func:`write_figure`), byte-for-byte reproducible: no creation dates in
  the PDF or SVG and a fixed SVG id salt.

Matplotlib is used through its object-oriented API on the Agg canvas (no pyplot, no
global backend), with the style applied in a :func:`matplotlib.rc_context`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from engine.atomic_io import atomic_path, write_csv

__all__ = [
    "COLOURS",
    "COLUMN_WIDTH_IN",
    "FIGURE_FORMATS",
    "FONT_SIZE_PT",
    "LABELS",
    "PAGE_WIDTH_IN",
    "check_axis_units",
    "colour",
    "label",
    "new_figure",
    "style",
    "write_csv",
    "write_figure",
]

#: Width of one journal column (inches; 86 mm).
COLUMN_WIDTH_IN = 3.386
#: Width of a full two-column page (inches; 178 mm).
PAGE_WIDTH_IN = 7.008
#: Base font size (points); tick labels and legends are one or two points smaller.
FONT_SIZE_PT = 8.0
#: Raster resolution of the PNG files (dots per inch).
PNG_DPI = 300
#: File formats of every figure, in the order they are written.
FIGURE_FORMATS = ("pdf", "svg", "png")

#: One colour per method / model (Okabe & Ito 2008 palette).
COLOURS = {
    "nemd": "#0072B2",         # blue
    "green-kubo": "#D55E00",   # vermillion
    "amm": "#009E73",          # bluish green
    "dmm": "#CC79A7",          # reddish purple
    "radiation": "#E69F00",    # orange
    "fit": "#000000",
    "hot": "#D55E00",
    "cold": "#56B4E9",         # sky blue
    "other": "#999999",
}
#: Legend names of the methods and models.
LABELS = {"nemd": "NEMD", "green-kubo": "EMD (Green–Kubo)", "amm": "AMM", "dmm": "DMM",
          "radiation": "radiation limit"}

RC = {
    "font.size": FONT_SIZE_PT,
    "axes.labelsize": FONT_SIZE_PT,
    "axes.titlesize": FONT_SIZE_PT,
    "xtick.labelsize": FONT_SIZE_PT - 1,
    "ytick.labelsize": FONT_SIZE_PT - 1,
    "legend.fontsize": FONT_SIZE_PT - 1.5,
    "legend.frameon": False,
    "axes.linewidth": 0.6,
    "lines.linewidth": 1.0,
    "lines.markersize": 3.5,
    "errorbar.capsize": 2.0,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.top": True,
    "ytick.right": True,
    "mathtext.default": "regular",
    "pdf.fonttype": 42,            # TrueType in the PDF: editable text
    "svg.fonttype": "none",        # text as text in the SVG
    "svg.hashsalt": "kapitza-paper",  # reproducible element ids
    "savefig.dpi": PNG_DPI,
}
#: Metadata that would change from run to run, removed from the files.
_METADATA = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {}}
#: An axis label ends with its unit in parentheses: "T (K)", "ratio (1)".
_UNIT = re.compile(r"\(.+\)\s*$")


def colour(key: str) -> str:
    """Colour of a method or model (``COLOURS``; grey for anything else)."""
    return COLOURS.get(key, COLOURS["other"])


def label(key: str) -> str:
    """Legend name of a method or model (the key itself when it has none)."""
    return LABELS.get(key, key)


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context in which figures are drawn and saved with the paper style (``RC``)."""
    import matplotlib

    with matplotlib.rc_context(RC):
        yield


def new_figure(width: str = "column", aspect: float = 0.75, nrows: int = 1, ncols: int = 1,
               **subplot_kw):
    """A figure of a journal width and its axes (call inside :func:`style`).

    Parameters
    ----------
    width : {"column", "page"}
        One column (:data:`COLUMN_WIDTH_IN`) or the full page (:data:`PAGE_WIDTH_IN`).
    aspect : float
        Height / width (dimensionless).
    nrows, ncols : int
        Grid of axes.
    **subplot_kw
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharex``, ...).

    Returns
    -------
    (Figure, axes)
        Axes as returned by ``subplots`` (one Axes, or an array).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    inches = {"column": COLUMN_WIDTH_IN, "page": PAGE_WIDTH_IN}[width]
    fig = Figure(figsize=(inches, inches * aspect), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)


def check_axis_units(fig) -> None:
    """Raise ``ValueError`` if a visible axis label of ``fig`` has no unit in parentheses.

    Dimensionless quantities say so: ``"ratio (1)"``.
    """
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            text = axis.get_label().get_text()
            visible = axis.get_label().get_visible() and axis.get_visible()
            if visible and text and not _UNIT.search(text):
                raise ValueError(f"axis label {text!r} has no unit in parentheses")
            if visible and not text and axis.get_ticklabels() and _has_ticks(axis):
                raise ValueError("an axis with tick labels has no label (and unit)")


def _has_ticks(axis) -> bool:
    return any(t.get_text() for t in axis.get_ticklabels())


def write_figure(fig, stem: str | Path, rows: Sequence[Mapping],
                 columns: Sequence[str]) -> dict[str, Path]:
    """Save ``fig`` as ``STEM.pdf``, ``STEM.svg``, ``STEM.png`` and its data as ``STEM.csv``.

    Call inside :func:`style`.  The axis labels are checked for units first
    (:func:`check_axis_units`); dates are left out of the files so that the same figure
    gives the same bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (from :func:`new_figure`).
    stem : str or Path
        Output path without suffix; its folder is created.
    rows, columns
        The plotted numbers (see :func:`write_csv`).

    Returns
    -------
    dict
        ``{"pdf": Path, "svg": Path, "png": Path, "csv": Path}``.
    """
    check_axis_units(fig)
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = {}
    for fmt in FIGURE_FORMATS:
        path = stem.with_name(f"{stem.name}.{fmt}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=PNG_DPI, metadata=_METADATA[fmt])
        if path.stat().st_size == 0:
            raise OSError(f"nothing written to {path}")
        written[fmt] = path
    written["csv"] = write_csv(rows, columns, stem.with_name(f"{stem.name}.csv"))
    return written
