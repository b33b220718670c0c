# Mismatch models (AMM, DMM Debye/full dispersion, radiation limit) for each material pair,
# computed with LAMMPS from the same potential as the MD, beside that system's NEMD points.
#
# Settings: the optional `mismatch` block of the config (keys and defaults in
# study.mismatch.DEFAULT_SETTINGS); without it the defaults apply.


rule mismatch_models:
    input:
        md=lambda wildcards: [
            f"{RESULTS}/{wildcards.system}/T{temperature_label(t)}K/nemd/combined.json"
            for t in system_temperatures(CONFIG, wildcards.system)
        ],
    output:
        json=f"{RESULTS}/{{system}}/mismatch/mismatch.json",
        table=f"{RESULTS}/{{system}}/mismatch/R_K_models.csv",
        figure=f"{RESULTS}/{{system}}/mismatch/R_K_models.png",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/mismatch.log",
    threads: 1
    params:
        python=PYTHON,
        system=system_json,
        settings=lambda wildcards: json.dumps(CONFIG.get("mismatch") or {}),
    message:
        "Mismatch models (AMM, DMM, radiation limit) of {wildcards.system} from its potential"
    shell:
        "{params.python} -m study.mismatch --system {params.system:q} "
        "--settings {params.settings:q} --md-results {input.md} --out-json {output.json} "
        "--out-csv {output.table} --out-figure {output.figure} > {log} 2>&1"
