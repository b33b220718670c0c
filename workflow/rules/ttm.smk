# Two-temperature NEMD: electrons in the metal side (fix ttm/mod), R_pp + R_ep = R_total.
# Active when the config has a `ttm:` block (workflow/schemas/config.schema.yaml).


rule ttm_run:
    input:
        data=rules.relax_structure.output.data,
        info=rules.relax_structure.output.info,
    output:
        raw=f"{RESULTS}/{{system}}/T{{temperature}}K/ttm/rep{{replica}}/raw.npz",
        run=f"{RESULTS}/{{system}}/T{{temperature}}K/ttm/rep{{replica}}/run.json",
        geometry=f"{RESULTS}/{{system}}/T{{temperature}}K/ttm/rep{{replica}}/geometry.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/ttm_rep{{replica}}.log",
    params:
        python=PYTHON,
        settings=ttm_run_settings,
        outdir=lambda wildcards: ttm_dir(wildcards.system, wildcards.temperature, wildcards.replica),
    threads: 1
    resources:
        tasks=lambda wildcards, threads: threads,
        mpi=MPIRUN,
    message:
        "Two-temperature NEMD {wildcards.system} at {wildcards.temperature} K, replica "
        "{wildcards.replica} ({resources.tasks} MPI rank(s))"
    shell:
        "{resources.mpi} -n {resources.tasks} {params.python} -m engine.ttm "
        "--structure {input.data} --info {input.info} --settings {params.settings:q} "
        "--outdir {params.outdir} > {log} 2>&1"


rule analyse_ttm_run:
    input:
        raw=rules.ttm_run.output.raw,
        run=rules.ttm_run.output.run,
        geometry=rules.ttm_run.output.geometry,
    output:
        result=f"{RESULTS}/{{system}}/T{{temperature}}K/ttm/rep{{replica}}/ttm.json",
        figure=f"{RESULTS}/{{system}}/T{{temperature}}K/ttm/rep{{replica}}/ttm.png",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/analyse_ttm_rep{{replica}}.log",
    params:
        python=PYTHON,
        analysis=lambda wildcards: json.dumps(ttm_analysis_settings(CONFIG)),
    message:
        "Two-temperature analysis of {wildcards.system} at {wildcards.temperature} K, "
        "replica {wildcards.replica}"
    shell:
        "{params.python} -m study.analyse_ttm --raw {input.raw} --run {input.run} "
        "--geometry {input.geometry} --analysis {params.analysis:q} "
        "--out-json {output.result} --out-figure {output.figure} > {log} 2>&1"


rule combine_ttm:
    input:
        ttm_replica_results,
    output:
        f"{RESULTS}/{{system}}/T{{temperature}}K/ttm/combined.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/combine_ttm.log",
    params:
        python=PYTHON,
        system=lambda wildcards: wildcards.system,
    message:
        "Combining {wildcards.system} two-temperature replicas at {wildcards.temperature} K"
    shell:
        "{params.python} -m study.combine --method two-temperature --system {params.system} "
        "--temperature {wildcards.temperature} --out {output} {input} > {log} 2>&1"
