# Spectral heat current in NEMD (q(f), G(f), G_q(T)) and the AGF transmission of the relaxed
# interface, beside the full-dispersion DMM on one frequency axis.
# Active when the config has a `spectral:` block (workflow/schemas/config.schema.yaml).


rule agf:
    input:
        data=rules.relax_structure.output.data,
        info=rules.relax_structure.output.info,
    output:
        json=f"{RESULTS}/{{system}}/agf/agf.json",
        csv=f"{RESULTS}/{{system}}/agf/agf.csv",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/agf.log",
    params:
        python=PYTHON,
        options=lambda wildcards: json.dumps(agf_settings(CONFIG, wildcards.system)),
    threads: 1
    message:
        "AGF transmission of the relaxed {wildcards.system} interface (force constants from LAMMPS)"
    shell:
        "{params.python} -m study.analyse_spectral agf --structure {input.data} "
        "--info {input.info} --options {params.options:q} --out-json {output.json} "
        "--out-csv {output.csv} > {log} 2>&1"


rule spectral_settings:
    input:
        agf=spectral_cutoff_source,
    output:
        f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/rep{{replica}}/settings.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/spectral_settings_rep{{replica}}.log",
    params:
        python=PYTHON,
        settings=spectral_run_settings,
    message:
        "Settings of the spectral run {wildcards.system} at {wildcards.temperature} K, "
        "replica {wildcards.replica} (inelastic cut-off from the AGF leads when not given)"
    shell:
        "{params.python} -m study.analyse_spectral settings --settings {params.settings:q} "
        "--agf {input.agf} --out {output} > {log} 2>&1"


rule spectral_run:
    input:
        data=rules.relax_structure.output.data,
        info=rules.relax_structure.output.info,
        settings=rules.spectral_settings.output,
    output:
        record=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/rep{{replica}}/spectral.json",
        spectrum=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/rep{{replica}}/spectrum.csv",
        force_constants=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/rep{{replica}}/force_constants.npz",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/spectral_rep{{replica}}.log",
    params:
        python=PYTHON,
        outdir=lambda wildcards: spectral_dir(wildcards.system, wildcards.temperature,
                                              wildcards.replica),
    threads: 1
    resources:
        tasks=lambda wildcards, threads: threads,
        mpi=MPIRUN,
    message:
        "Spectral NEMD {wildcards.system} at {wildcards.temperature} K, replica "
        "{wildcards.replica} ({resources.tasks} MPI rank(s))"
    shell:
        "{resources.mpi} -n {resources.tasks} {params.python} -m engine.spectral "
        "--structure {input.data} --info {input.info} --settings \"$(cat {input.settings})\" "
        "--outdir {params.outdir} > {log} 2>&1"


rule combine_spectral:
    input:
        replicas=spectral_replica_results,
        agf=rules.agf.output.json,
        mismatch=mismatch_record,
    output:
        combined=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/combined.json",
        quantum=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/combined_quantum.json",
        agf=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/combined_agf.json",
        table=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/spectral_G.csv",
        figure=f"{RESULTS}/{{system}}/T{{temperature}}K/spectral/spectral.png",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/combine_spectral.log",
    params:
        python=PYTHON,
        mismatch=lambda wildcards, input: f"--mismatch {input.mismatch}" if input.mismatch else "",
    message:
        "Combining {wildcards.system} spectral replicas at {wildcards.temperature} K with the "
        "AGF and DMM spectra"
    shell:
        "{params.python} -m study.analyse_spectral combine --system {wildcards.system} "
        "--temperature {wildcards.temperature} --agf {input.agf} "
        "{params.mismatch} --out-json {output.combined} "
        "--out-quantum {output.quantum} --out-agf {output.agf} --out-csv {output.table} "
        "--out-figure {output.figure} {input.replicas} > {log} 2>&1"
