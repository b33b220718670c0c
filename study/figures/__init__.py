"""Every figure of the study: one drawing per quantity, in a quick or a paper style.

The pipeline's quick-look PNGs (written by the entry points beside their results) and
the paper figures (``snakemake paper``, :mod:`study.paper_figures`) come from the same
functions; only the style differs (:mod:`study.figures.style`: sizes, fonts, files) and,
where a quick look needs more, the panels beside the shared drawing.

===================  ==================================================================
module               quantity (pipeline figure / paper figure)
===================  ==================================================================
``profile``          NEMD temperature profile, fits and jump (``profile.png`` /
                     ``profiles/``)
``green_kubo``       ΔT autocorrelation and running Green-Kubo G (``emd.png`` /
                     ``green_kubo/``)
``conductance``      R_K(T) of every system and method (``figures/R_K_vs_T.png``)
``models``           R_K(T) by MD and the mismatch models (``R_K_models.png`` /
                     ``R_K_vs_T/``)
``nemd_vs_emd``      G by NEMD and EMD, their ratio and the EET prediction
                     (``figures/SYSTEM_nemd_vs_emd.png`` / ``nemd_vs_emd/``)
``grain_boundaries`` R_K against the boundary energy, polycrystal κ
                     (``figures/grain_boundaries.png`` / ``grain_boundaries``)
``series``           size (1/L), cross-section and flux series (paper)
===================  ==================================================================

Each module's functions take data already read (records, rows), never file paths, and
draw on Axes they are given; ``figure(..., style=...)`` lays the Axes out for a style.
Matplotlib is imported only when a figure is drawn.
"""
