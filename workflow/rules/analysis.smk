# Analysis: per-run fits, replica combination, the summary table and figures.


rule analyse_nemd_run:
    input:
        raw=rules.nemd_run.output.raw,
        run=rules.nemd_run.output.run,
    output:
        result=f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/rep{{replica}}/nemd.json",
        profile=f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/rep{{replica}}/profile.csv",
        figure=f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/rep{{replica}}/profile.png",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/analyse_rep{{replica}}.log",
    params:
        python=PYTHON,
        analysis=lambda wildcards: json.dumps(analysis_settings(CONFIG)),
        # not used by the command: ties the result to its run's settings, so that a changed
        # run (e.g. a longer production) whose raw output was deleted is run again instead
        # of its old analysed result being kept
        run_settings=nemd_run_settings,
    message:
        "Fitting the temperature profile of {wildcards.system} at {wildcards.temperature} K, "
        "replica {wildcards.replica}"
    shell:
        "{params.python} -m study.analyse_nemd --raw {input.raw} --run {input.run} "
        "--analysis {params.analysis:q} --out-json {output.result} "
        "--out-csv {output.profile} --out-figure {output.figure} > {log} 2>&1"


rule combine_nemd:
    input:
        replica_results,
    output:
        f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/combined.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/combine_nemd.log",
    params:
        python=PYTHON,
        system=lambda wildcards: wildcards.system,
    message:
        "Combining {wildcards.system} replicas at {wildcards.temperature} K"
    shell:
        "{params.python} -m study.combine --method nemd --system {params.system} "
        "--temperature {wildcards.temperature} "
        "--out {output} {input} > {log} 2>&1"


rule summary:
    input:
        combined=[*combined_results("nemd"), *combined_results("emd"), *ttm_combined_results(),
                  *spectral_combined_results()],
        structures=[f"{RESULTS}/{system}/structure/relaxed.json" for system in system_names(CONFIG)],
    output:
        table=f"{RESULTS}/summary.csv",
        figure=f"{RESULTS}/figures/R_K_vs_T.png",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/summary.log",
    params:
        python=PYTHON,
        study=CONFIG["study"],
    message:
        "Writing {output.table} and {output.figure}"
    shell:
        "{params.python} -m study.summarise --study {params.study:q} --out-csv {output.table} "
        "--out-figure {output.figure} --structures {input.structures} -- {input.combined} "
        "> {log} 2>&1"


rule adhesion_figure:
    input:
        f"{RESULTS}/summary.csv",
    output:
        f"{RESULTS}/figures/R_K_vs_W_ad.png",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/adhesion_figure.log",
    params:
        python=PYTHON,
        study=CONFIG["study"],
    message:
        "Drawing R_K against the work of adhesion: {output}"
    shell:
        "{params.python} -m study.adhesion_figure --study {params.study:q} --summary {input} "
        "--out {output} > {log} 2>&1"


rule grain_boundary_summary:
    input:
        structures=lambda wildcards: [
            f"{RESULTS}/{system}/structure/relaxed.json" for system in grain_boundary_systems()
        ],
        combined=lambda wildcards: [
            path
            for method in ("nemd", "emd")
            for path in combined_results(method)
            if path.split("/")[-4] in grain_boundary_systems()
        ],
    output:
        figure=f"{RESULTS}/figures/grain_boundaries.png",
        table=f"{RESULTS}/figures/grain_boundaries.csv",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/grain_boundaries.log",
    params:
        python=PYTHON,
    message:
        "Grain boundaries: R_K against the boundary energy, polycrystal conductivity"
    shell:
        "{params.python} -m study.grain_boundary_summary --structures {input.structures} "
        "--combined {input.combined} --out-figure {output.figure} --out-csv {output.table} "
        "> {log} 2>&1"
