# Paper: every figure and table of a study, redrawn from the workflow's records, and the
# study's provenance record.
#
#   snakemake paper --cores all [--configfile config/STUDY.yaml]
#   snakemake --report report.html [--configfile config/STUDY.yaml]
#
# Outputs: {RESULTS}/paper/ (each figure as PDF, SVG and PNG with its plotted numbers in a
# CSV of the same stem; the summary table as CSV and LaTeX) and {RESULTS}/provenance.json.
# The figure code (study/paper.py, drawing in study/figures/) reads only the JSON/CSV
# files written by the other rules, so any figure can be redrawn alone.  File names:
# study/paper_targets.py.
import shlex

from study.paper_series import series_members
from study.paper_sweeps import flux_series_members, lateral_series_members, member_fluxes
from study.paper_targets import (
    combined_paths,
    config_file_paths,
    figure_files,
    figure_outputs,
    figure_stems,
    flux_table_paths,
    named_structures,
    structure_path,
)


report: "../report/workflow.rst"


PAPER = f"{RESULTS}/paper"
PAPER_FIGURES = figure_stems(CONFIG, RESULTS)
#: {base system: [members]} of every size series (config key length_series_A).
SIZE_SERIES = series_members(CONFIG)
#: {base system: [members]} of every cross-section series (lateral_series_A) and flux
#: series (flux_series_W_m2).
LATERAL_SERIES = lateral_series_members(CONFIG)
FLUX_SERIES = flux_series_members(CONFIG)
PAPER_STEM = {"stem": lambda wildcards, output: output.csv[: -len(".csv")]}

# The default target (rule all, in the Snakefile) also builds the paper, so that
# `snakemake` draws the figures and `snakemake --report report.html` shows them.
_study_targets = all_targets
all_targets = lambda: [*_study_targets(), f"{RESULTS}/provenance.json"]


rule paper_profile:
    input:
        nemd=replica_results,
        combined=f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/combined.json",
    output:
        **figure_outputs(
            f"{PAPER}/profiles/{{system}}_T{{temperature}}K",
            "profile.rst",
            "Temperature profiles",
            "{system}",
            {"system": "{system}", "T (K)": "{temperature}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/profile_{{system}}_T{{temperature}}K.log",
    params:
        python=PYTHON,
        **PAPER_STEM,
    message:
        "Paper figure: temperature profiles of {wildcards.system} at {wildcards.temperature} K"
    shell:
        "{params.python} -m study.paper profile --nemd {input.nemd} "
        "--combined {input.combined} --out {params.stem:q} > {log} 2>&1"


rule paper_green_kubo:
    input:
        emd=emd_replica_results,
        acf=lambda wildcards: [
            f"{emd_dir(wildcards.system, wildcards.temperature, r)}/acf.csv"
            for r in range(emd_replicas(CONFIG))
        ],
        combined=f"{RESULTS}/{{system}}/T{{temperature}}K/emd/combined.json",
    output:
        **figure_outputs(
            f"{PAPER}/green_kubo/{{system}}_T{{temperature}}K",
            "green_kubo.rst",
            "Green-Kubo (EMD)",
            "{system}",
            {"system": "{system}", "T (K)": "{temperature}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/green_kubo_{{system}}_T{{temperature}}K.log",
    params:
        python=PYTHON,
        **PAPER_STEM,
    message:
        "Paper figure: Green-Kubo analysis of {wildcards.system} at {wildcards.temperature} K"
    shell:
        "{params.python} -m study.paper green-kubo --emd {input.emd} --acf {input.acf} "
        "--combined {input.combined} --out {params.stem:q} > {log} 2>&1"


rule paper_models:
    input:
        models=f"{RESULTS}/{{system}}/mismatch/R_K_models.csv",
        summary=f"{RESULTS}/summary.csv",
    output:
        **figure_outputs(
            f"{PAPER}/R_K_vs_T/{{system}}",
            "models.rst",
            "R_K(T) and mismatch models",
            None,
            {"system": "{system}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/R_K_vs_T_{{system}}.log",
    params:
        python=PYTHON,
        **PAPER_STEM,
    message:
        "Paper figure: R_K(T) of {wildcards.system} beside the AMM and DMM"
    shell:
        "{params.python} -m study.paper models --system {wildcards.system} "
        "--models {input.models} --summary {input.summary} --out {params.stem:q} > {log} 2>&1"


rule paper_size_series:
    input:
        combined=lambda wildcards: [
            path
            for member in SIZE_SERIES[wildcards.system]
            for path in combined_paths(CONFIG, RESULTS, member)
        ],
        structures=lambda wildcards: [
            structure_path(RESULTS, member) for member in SIZE_SERIES[wildcards.system]
        ],
    output:
        **figure_outputs(
            f"{PAPER}/size_series/{{system}}",
            "size_series.rst",
            "Size series",
            None,
            {"series": "{system}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/size_series_{{system}}.log",
    params:
        python=PYTHON,
        structures=lambda wildcards: named_structures(RESULTS, SIZE_SERIES[wildcards.system]),
        **PAPER_STEM,
    message:
        "Paper figure: R_K of the {wildcards.system} size series against 1/L, extrapolated"
    shell:
        "{params.python} -m study.paper size-series --series {wildcards.system} "
        "--combined {input.combined} --structure {params.structures} --out {params.stem:q} "
        "> {log} 2>&1"


rule paper_lateral_series:
    input:
        combined=lambda wildcards: [
            path
            for member in LATERAL_SERIES[wildcards.system]
            for path in combined_paths(CONFIG, RESULTS, member)
        ],
        structures=lambda wildcards: [
            structure_path(RESULTS, member) for member in LATERAL_SERIES[wildcards.system]
        ],
    output:
        **figure_outputs(
            f"{PAPER}/lateral_series/{{system}}",
            "lateral_series.rst",
            "Cross-section series",
            None,
            {"series": "{system}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/lateral_series_{{system}}.log",
    params:
        python=PYTHON,
        structures=lambda wildcards: named_structures(RESULTS, LATERAL_SERIES[wildcards.system]),
        **PAPER_STEM,
    message:
        "Paper figure: R_K of the {wildcards.system} cross-section series against the area"
    shell:
        "{params.python} -m study.paper lateral-series --series {wildcards.system} "
        "--combined {input.combined} --structure {params.structures} --out {params.stem:q} "
        "> {log} 2>&1"


rule paper_flux_series:
    input:
        combined=lambda wildcards: [
            path
            for member in FLUX_SERIES[wildcards.system]
            for path in combined_paths(CONFIG, RESULTS, member, methods=["nemd"])
        ],
    output:
        **figure_outputs(
            f"{PAPER}/flux_series/{{system}}",
            "flux_series.rst",
            "Flux series",
            None,
            {"series": "{system}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/flux_series_{{system}}.log",
    params:
        python=PYTHON,
        fluxes=lambda wildcards: " ".join(
            shlex.quote(f"{member}={flux!r}")
            for member, flux in member_fluxes(CONFIG, FLUX_SERIES[wildcards.system]).items()
        ),
        **PAPER_STEM,
    message:
        "Paper figure: R_K of the {wildcards.system} flux series against J, linear-response test"
    shell:
        "{params.python} -m study.paper flux-series --series {wildcards.system} "
        "--combined {input.combined} --flux {params.fluxes} --out {params.stem:q} > {log} 2>&1"


rule paper_flux_table:
    input:
        [f"{PAPER}/flux_series/{s}.csv" for s in FLUX_SERIES],
    output:
        csv=report(
            f"{PAPER}/flux_series.csv",
            caption="../report/flux_table.rst",
            category="Flux series",
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/flux_series_table.log",
    params:
        python=PYTHON,
        **PAPER_STEM,
    message:
        "Paper table: linear-response test of every flux series"
    shell:
        "{params.python} -m study.paper flux-table --series {input} --out {params.stem:q} "
        "> {log} 2>&1"


rule paper_grain_boundaries:
    input:
        f"{RESULTS}/figures/grain_boundaries.csv",
    output:
        **figure_outputs(f"{PAPER}/grain_boundaries", "grain_boundaries.rst", "Grain boundaries"),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/grain_boundaries.log",
    params:
        python=PYTHON,
        **PAPER_STEM,
    message:
        "Paper figure: R_K of the grain boundaries against their energy"
    shell:
        "{params.python} -m study.paper grain-boundaries --table {input} "
        "--out {params.stem:q} > {log} 2>&1"


rule paper_nemd_vs_emd:
    input:
        f"{RESULTS}/figures/{{system}}_nemd_vs_emd.csv",
    output:
        **figure_outputs(
            f"{PAPER}/nemd_vs_emd/{{system}}",
            "nemd_vs_emd.rst",
            "NEMD and EMD",
            None,
            {"system": "{system}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/nemd_vs_emd_{{system}}.log",
    params:
        python=PYTHON,
        **PAPER_STEM,
    message:
        "Paper figure: NEMD against EMD for {wildcards.system}"
    shell:
        "{params.python} -m study.paper nemd-vs-emd --system {wildcards.system} "
        "--table {input} --out {params.stem:q} > {log} 2>&1"


rule paper_spectral:
    input:
        combined=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/combined.json",
        quantum=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/combined_quantum.json",
        agf=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/combined_agf.json",
        table=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/spectral_G.csv",
    output:
        **figure_outputs(
            f"{PAPER}/spectral/{{system}}_T{{temperature}}K",
            "spectral.rst",
            "Spectral conductance",
            "{system}",
            {"system": "{system}", "T (K)": "{temperature}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/spectral_{{system}}_T{{temperature}}K.log",
    params:
        python=PYTHON,
        **PAPER_STEM,
    message:
        "Paper figure: spectral conductance of {wildcards.system} at {wildcards.temperature} K"
    shell:
        "{params.python} -m study.paper spectral --combined {input.combined} "
        "--quantum {input.quantum} --agf {input.agf} --table {input.table} "
        "--out {params.stem:q} > {log} 2>&1"


rule paper_two_temperature:
    input:
        ttm=f"{RESULTS}/{{system}}/T{{temperature}}K/ttm/rep{{replica}}/ttm.json",
    output:
        **figure_outputs(
            f"{PAPER}/two_temperature/{{system}}_T{{temperature}}K_rep{{replica}}",
            "two_temperature.rst",
            "Two-temperature NEMD",
            "{system}",
            {"system": "{system}", "T (K)": "{temperature}", "replica": "{replica}"},
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/two_temperature_{{system}}_T{{temperature}}K_rep{{replica}}.log",
    params:
        python=PYTHON,
        **PAPER_STEM,
    message:
        "Paper figure: two-temperature profiles of {wildcards.system} at "
        "{wildcards.temperature} K, replica {wildcards.replica}"
    shell:
        "{params.python} -m study.paper two-temperature --ttm {input.ttm} "
        "--out {params.stem:q} > {log} 2>&1"


rule paper_table:
    input:
        combined=combined_results("nemd") + combined_results("emd"),
        structures=[structure_path(RESULTS, s) for s in system_names(CONFIG)],
        series=[f"{PAPER}/size_series/{s}.csv" for s in SIZE_SERIES],
    output:
        csv=report(
            f"{PAPER}/summary_table.csv",
            caption="../report/table.rst",
            category="Summary table",
        ),
        tex=f"{PAPER}/summary_table.tex",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/summary_table.log",
    params:
        python=PYTHON,
        study=CONFIG["study"],
        structures=named_structures(RESULTS, system_names(CONFIG)),
        **PAPER_STEM,
    message:
        "Paper table: every R_K of the study with its 95 % interval"
    shell:
        "{params.python} -m study.paper table --study {params.study:q} "
        "--combined {input.combined} --structure {params.structures} --series {input.series} "
        "--out {params.stem:q} > {log} 2>&1"


rule paper:
    input:
        figures=figure_files(PAPER_FIGURES),
        tables=rules.paper_table.output,
        flux_table=flux_table_paths(CONFIG, RESULTS),
        combined=combined_results("nemd") + combined_results("emd"),
    output:
        report(
            f"{RESULTS}/provenance.json",
            caption="../report/provenance.rst",
            category="Provenance",
        ),
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/paper/provenance.log",
    params:
        python=PYTHON,
        config=json.dumps(CONFIG),
        config_files=" ".join(
            shlex.quote(p)
            for p in config_file_paths(
                workflow.overwrite_configfiles or workflow.configfiles, Path.cwd()
            )
        ),
        overrides=json.dumps(dict(workflow.config_settings.config or {})),
        figures=" ".join(shlex.quote(stem) for stem in PAPER_FIGURES),
    message:
        f"Paper: {RESULTS}/provenance.json (code, dependencies, potentials, config, seeds)"
    shell:
        "{params.python} -m study.paper provenance --config {params.config:q} "
        "--config-files {params.config_files} --overrides {params.overrides:q} "
        "--combined {input.combined} --figure {params.figures} --tables {input.tables} "
        "{input.flux_table} --out {output} > {log} 2>&1"
