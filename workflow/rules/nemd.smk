# Nonequilibrium MD: one LAMMPS run per system x temperature x replica.


rule nemd_run:
    input:
        data=rules.relax_structure.output.data,
        info=rules.relax_structure.output.info,
    output:
        raw=f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/rep{{replica}}/raw.npz",
        run=f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/rep{{replica}}/run.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/nemd_rep{{replica}}.log",
    params:
        python=PYTHON,
        settings=nemd_run_settings,
        outdir=lambda wildcards: run_dir(wildcards.system, wildcards.temperature, wildcards.replica),
    threads: 1
    resources:
        tasks=lambda wildcards, threads: threads,
        mpi=MPIRUN,
    message:
        "NEMD {wildcards.system} at {wildcards.temperature} K, replica {wildcards.replica} "
        "({resources.tasks} MPI rank(s))"
    shell:
        "{resources.mpi} -n {resources.tasks} {params.python} -m engine.nemd "
        "--structure {input.data} --info {input.info} --settings {params.settings:q} "
        "--outdir {params.outdir} > {log} 2>&1"
