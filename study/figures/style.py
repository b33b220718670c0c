"""The two looks of every figure -- ``"paper"`` and ``"quick"`` -- and the shared marks.

Every figure of the study is drawn by one function in :mod:`study.figures` and comes in
two styles:

* ``"paper"`` (``snakemake paper``): sizes for a two-column journal page,
  :data:`COLUMN_WIDTH_IN` (one column, 86 mm, the APS/Elsevier single-column width) and
  :data:`PAGE_WIDTH_IN` (two columns, 178 mm); fonts of :data:`FONT_SIZE_PT`; written by
  :func:`write_figure` as ``STEM.pdf``, ``STEM.svg``, ``STEM.png`` with the plotted numbers
  in ``STEM.csv``, byte-for-byte reproducible (no creation dates in the PDF or SVG and a
  fixed SVG id salt);
* ``"quick"`` (the pipeline's quick-look PNGs beside the results): larger canvas and
  fonts for the screen, one PNG (:func:`save_quick`).

Both share one colour per method or model (:data:`COLOURS`, the colour-blind-safe
palette of Okabe & Ito, *Color Universal Design* (2008)), units on every axis label
(:func:`check_axis_units` refuses a figure without them) and the way an interval is
shown (:func:`interval_points`): 95 % bars; a caret at an end that is unbounded or cut by
a log axis; an open marker without bars for a run that has no interval (not converged).

Matplotlib is used through its object-oriented API on the Agg canvas (no pyplot, no
global backend), with the style applied in a :func:`matplotlib.rc_context`.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from engine.atomic_io import atomic_path, write_csv

__all__ = [
    "COLOURS",
    "COLUMN_WIDTH_IN",
    "FIGURE_FORMATS",
    "FONT_SIZE_PT",
    "G_LABEL",
    "LABELS",
    "MARKERS",
    "NANO",
    "PAGE_WIDTH_IN",
    "R_K_LABEL",
    "STYLES",
    "T_LABEL",
    "annotations_inward",
    "check_axis_units",
    "colour",
    "column",
    "column_figure",
    "figure_legend",
    "font_size",
    "interval_points",
    "interval_text",
    "label",
    "legend",
    "new_figure",
    "number",
    "overlaps",
    "save_quick",
    "style",
    "write_csv",
    "write_figure",
]

#: Width of one journal column (inches; 86 mm).
COLUMN_WIDTH_IN = 3.386
#: Width of a full two-column page (inches; 178 mm).
PAGE_WIDTH_IN = 7.008
#: Base font size of the paper style (points); ticks and legends are smaller.
FONT_SIZE_PT = 8.0
#: Raster resolution of the paper PNG files (dots per inch).
PNG_DPI = 300
#: Raster resolution of the quick-look PNG files (dots per inch).
QUICK_DPI = 150
#: File formats of every paper figure, in the order they are written.
FIGURE_FORMATS = ("pdf", "svg", "png")
#: The styles a figure function accepts.
STYLES = ("paper", "quick")

#: One colour per method / model (Okabe & Ito 2008 palette; the full-dispersion model
#: forms take two muted colours of P. Tol's palette).
COLOURS = {
    "nemd": "#0072B2",         # blue
    "green-kubo": "#D55E00",   # vermillion
    "amm": "#009E73",          # bluish green
    "dmm": "#CC79A7",          # reddish purple
    "radiation": "#E69F00",    # orange
    "dmm-full": "#882255",     # wine
    "radiation-full": "#999933",  # olive
    "fit": "#000000",
    "hot": "#D55E00",
    "cold": "#56B4E9",         # sky blue
    "other": "#999999",
}
#: Legend names of the methods and models.
LABELS = {"nemd": "NEMD", "green-kubo": "EMD (Green–Kubo)", "emd": "EMD (Green–Kubo)",
          "amm": "AMM", "dmm": "DMM", "radiation": "radiation limit"}
#: Marker of the k-th group of points.
MARKERS = ("o", "s", "^", "v", "D", "P", "X")

#: R_K on linear axes is shown in units of 1e-9 m²K/W.
NANO = 1e9
R_K_LABEL = r"$R_K$ ($10^{-9}$ m$^2$ K W$^{-1}$)"
G_LABEL = r"$G$ (MW m$^{-2}$ K$^{-1}$)"
T_LABEL = r"Temperature $T$ (K)"

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
#: The quick-look style: the paper's rules on a larger canvas, screen-sized fonts.
QUICK_FONT_SIZE_PT = 9.0
RC_QUICK = RC | {
    "font.size": QUICK_FONT_SIZE_PT,
    "axes.labelsize": QUICK_FONT_SIZE_PT,
    "axes.titlesize": QUICK_FONT_SIZE_PT,
    "xtick.labelsize": QUICK_FONT_SIZE_PT - 1,
    "ytick.labelsize": QUICK_FONT_SIZE_PT - 1,
    "legend.fontsize": QUICK_FONT_SIZE_PT - 1,
    "lines.markersize": 4.5,
    "errorbar.capsize": 2.5,
    "savefig.dpi": QUICK_DPI,
}
_RC = {"paper": RC, "quick": RC_QUICK}
_WIDTHS_IN = {"paper": {"column": COLUMN_WIDTH_IN, "page": PAGE_WIDTH_IN},
              "quick": {"column": 5.5, "page": 11.0}}
#: Metadata that would change from run to run, removed from the files.
_METADATA = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {}}
#: An axis label ends with its unit in parentheses: "T (K)", "ratio (1)".
_UNIT = re.compile(r"\(.+\)\s*$")


def _check_style(kind: str) -> str:
    if kind not in STYLES:
        raise ValueError(f"unknown figure style {kind!r}; one of {STYLES}")
    return kind


def colour(key: str) -> str:
    """Colour of a method or model (``COLOURS``; grey for anything else)."""
    return COLOURS.get(key, COLOURS["other"])


def label(key: str) -> str:
    """Legend name of a method or model (the key itself when it has none)."""
    return LABELS.get(key, key)


def font_size(kind: str, step: float = 0.0) -> float:
    """Base font size of a style (points), ``step`` points larger or smaller."""
    base = FONT_SIZE_PT if _check_style(kind) == "paper" else QUICK_FONT_SIZE_PT
    return base + step


@contextlib.contextmanager
def style(kind: str = "paper") -> Iterator[None]:
    """Context in which figures are drawn and saved in the ``kind`` style."""
    import matplotlib

    with matplotlib.rc_context(_RC[_check_style(kind)]):
        yield


def new_figure(width: str = "column", aspect: float = 0.75, nrows: int = 1, ncols: int = 1,
               *, kind: str = "paper", **subplot_kw):
    """A figure of a journal (or screen) width and its axes (call inside :func:`style`).

    Parameters
    ----------
    width : {"column", "page"}
        One column (:data:`COLUMN_WIDTH_IN`) or the full page (:data:`PAGE_WIDTH_IN`) in
        the paper style; 5.5 or 11 inches in the quick style.
    aspect : float
        Height / width (dimensionless).
    nrows, ncols : int
        Grid of axes.
    kind : {"paper", "quick"}
        The style.
    **subplot_kw
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharex``, ...).

    Returns
    -------
    (Figure, axes)
        Axes as returned by ``subplots`` (one Axes, or an array).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    inches = _WIDTHS_IN[_check_style(kind)][width]
    fig = Figure(figsize=(inches, inches * aspect), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)


# -- numbers and marks ----------------------------------------------------------------

def number(value) -> float:
    """``value`` as a float; None, '' and unparsable values give NaN."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def column(rows: Sequence[Mapping], key: str) -> np.ndarray:
    """``key`` of every row as floats (NaN where missing)."""
    return np.array([number(r.get(key)) for r in rows], dtype=float)


def interval_text(value: float, low: float, high: float, unit: str, scale: float = 1.0) -> str:
    """"1.58 [1.41, 1.75] unit" (an unbounded end reads ∞)."""
    def fmt(x):
        return f"{x * scale:.3g}" if math.isfinite(x) else "∞"
    return f"{fmt(value)} [{fmt(low)}, {fmt(high)}] {unit}"


def interval_points(ax, x, value, low, high, marker: str, colour_: str, label_: str | None, *,
                    log: bool = False, open_label: str | None = None, zorder: float = 2,
                    **kw) -> None:
    """Points with their 95 % intervals, the one way every figure shows an interval.

    * both ends finite: a bar;
    * an unbounded upper end (NaN: G's interval reaches 0) is drawn to twice the value and
      ends in a caret (^);
    * on a log axis a lower end at or below a tenth of the value is cut there and ends in
      a caret (v);
    * no interval at all (a run that did not converge): an open marker without bars,
      labelled ``open_label`` (default "LABEL: not converged (no interval)").
    """
    x, value, low, high = (np.asarray(a, dtype=float) for a in (x, value, low, high))
    none = ~np.isfinite(low) & ~np.isfinite(high) & np.isfinite(value)
    some = np.isfinite(value) & ~none
    high_open = some & ~np.isfinite(high)
    top = np.where(high_open, 2 * value, high)
    if log:
        low_cut = some & (~np.isfinite(low) | (low <= 0.1 * value))
        bottom = np.where(low_cut, 0.1 * value, low)
    else:  # a missing lower end alone: no lower bar
        low_cut = np.zeros_like(some)
        bottom = np.where(np.isfinite(low), low, value)
    if np.any(some):
        err = np.vstack([np.maximum(value - bottom, 0), np.maximum(top - value, 0)])[:, some]
        ax.errorbar(x[some], value[some], yerr=err, fmt=marker, color=colour_, label=label_,
                    zorder=zorder, **kw)
    import matplotlib

    caret = {"ms": 0.9 * matplotlib.rcParams["lines.markersize"], "color": colour_, "linestyle": "none", "zorder": zorder}
    if np.any(high_open):
        ax.plot(x[high_open], top[high_open], "^", **caret)
    if np.any(low_cut):
        ax.plot(x[low_cut], bottom[low_cut], "v", **caret)
    if np.any(none):
        if open_label is None and label_:
            open_label = f"{label_}: not converged (no interval)"
        ax.plot(x[none], value[none], marker, mfc="white", color=colour_, linestyle="none",
                label=open_label, zorder=zorder + 1)


def legend(ax, *, where: str = "inside", **kw):
    """The legend of ``ax``: inside it (``loc`` "best" unless given) or, out of the way of
    the data and of every label, in the figure's margin ``where`` = "below", "above" or
    "right" of the axes (constrained layout makes room for it)."""
    if where == "inside":
        return ax.legend(**({"loc": "best"} | kw))
    handles, labels = ax.get_legend_handles_labels()
    loc = {"below": "outside lower center", "above": "outside upper center",
           "right": "outside right upper"}[where]
    return ax.figure.legend(handles, labels, **({"loc": loc} | kw))


def figure_legend(fig, axes, *, where: str = "below", **kw):
    """One legend for several axes (entries of equal label once; runs without an interval
    last), in the figure's margin ``where`` = "below", "above" or "right" of the axes."""
    seen = {}
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(text, handle)
    # the runs without an interval after the others (matplotlib lists lines before bars)
    seen = dict(sorted(seen.items(), key=lambda item: "(no interval" in item[0]
                       or "not converged" in item[0].lower()))
    loc = {"below": "outside lower center", "above": "outside upper center",
           "right": "outside right upper"}[where]
    return fig.legend(list(seen.values()), list(seen), **({"loc": loc} | kw))


def annotations_inward(ax) -> None:
    """Turn the point labels (annotations offset to the right) of points in the right
    quarter of ``ax`` to their left, so that they stay inside the axes."""
    lo, hi = ax.get_xlim()
    log = ax.get_xscale() == "log"
    for text in ax.texts:
        if not hasattr(text, "xyann") or text.xyann[0] <= 0:
            continue
        x = text.xy[0]
        where = ((math.log(x) - math.log(lo)) / (math.log(hi) - math.log(lo)) if log
                 else (x - lo) / (hi - lo)) if hi != lo else 0.0
        if where > 0.75:
            text.xyann = (-text.xyann[0], text.xyann[1])
            text.set_horizontalalignment("right")


# -- checks ---------------------------------------------------------------------------

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


def overlaps(fig) -> list[tuple[str, str]]:
    """Pairs (legend, text) whose boxes overlap on the drawn canvas; ("figure edge",
    text) for a legend or text cut by the edge of the figure; ("axes edge", text) for an
    annotation that sticks out of its axes.

    The texts are every visible title, axis label, tick label, annotation and free text
    of ``fig`` and the other legends.  An empty list: no legend covers a label and
    nothing sticks out.
    """
    fig.canvas.draw()  # lay out (constrained layout) before measuring
    renderer = fig.canvas.get_renderer()
    legends = [lg for ax in fig.axes if (lg := ax.get_legend()) is not None] + list(fig.legends)
    texts = [t for t in fig.texts if t.get_visible() and t.get_text()]
    if fig._suptitle is not None and fig._suptitle.get_text():
        texts.append(fig._suptitle)
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        texts += [t for t in ax.texts]  # annotations and text()
        for axis in (ax.xaxis, ax.yaxis):
            texts += _tick_labels(axis)
    texts = [t for t in texts if t.get_visible() and t.get_text()]
    found = []
    edge = fig.bbox.padded(1.0)  # a pixel of rounding
    for artist in [*legends, *texts]:
        box = artist.get_window_extent(renderer)
        if box.width > 0 and not (edge.contains(box.x0, box.y0) and edge.contains(box.x1, box.y1)):
            found.append(("figure edge", artist.get_text() if hasattr(artist, "get_text")
                          else _describe(artist)))
    for ax in fig.axes:  # annotations inside their axes
        inside = ax.bbox.padded(1.0)
        for t in ax.texts:
            box = t.get_window_extent(renderer)
            if t.get_visible() and t.get_text() and box.width > 0 and not (
                    inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)):
                found.append(("axes edge", t.get_text()))
    for lg in legends:
        box = lg.get_window_extent(renderer)
        for t in texts:
            other = t.get_window_extent(renderer)
            if other.width > 0 and box.overlaps(other):
                found.append((_describe(lg), t.get_text()))
        for other_lg in legends:
            if other_lg is not lg and id(other_lg) > id(lg) and box.overlaps(
                    other_lg.get_window_extent(renderer)):
                found.append((_describe(lg), _describe(other_lg)))
    return found


def _tick_labels(axis) -> list:
    """The drawn tick labels of an axis (ticks inside its view interval)."""
    lo, hi = sorted(axis.get_view_interval())
    span = (hi - lo) * 1e-9
    return [label_ for tick in axis.get_major_ticks() + axis.get_minor_ticks()
            if lo - span <= tick.get_loc() <= hi + span
            for label_ in (tick.label1, tick.label2) if label_.get_visible()]


def _describe(legend_) -> str:
    title = legend_.get_title().get_text()
    first = [t.get_text() for t in legend_.get_texts()][:1]
    return f"legend {title or (first[0] if first else '')!r}"


# -- writers --------------------------------------------------------------------------

def column_figure(draw, rows, title: str = "", *, style: str = "quick"):
    """A one-column figure holding ``draw(ax, rows, style=style)``, titled ``title`` when
    given, with its legend below (call inside ``style(style)``)."""
    fig, ax = new_figure("column", aspect=0.8, kind=style)
    draw(ax, rows, style=style)
    if title:
        ax.set_title(title)
    figure_legend(fig, [ax], where="below", ncols=1)
    return fig


def save_quick(fig, path: str | Path) -> Path:
    """Save a quick-look figure atomically (the suffix of ``path`` sets the format).

    Call inside ``style("quick")``.  The axis labels are checked for units first.
    """
    check_axis_units(fig)
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", dpi=QUICK_DPI)
    if path.stat().st_size == 0:
        raise OSError(f"nothing written to {path}")
    return path


def write_figure(fig, stem: str | Path, rows: Sequence[Mapping],
                 columns: Sequence[str]) -> dict[str, Path]:
    """Save ``fig`` as ``STEM.pdf``, ``STEM.svg``, ``STEM.png`` and its data as ``STEM.csv``.

    Call inside ``style("paper")``.  The axis labels are checked for units first
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
