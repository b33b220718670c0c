# Interface supercells: build (lattice constants, coincidence, separation) and relax.


rule build_structure:
    output:
        data=f"{RESULTS}/{{system}}/structure/built.data",
        info=f"{RESULTS}/{{system}}/structure/built.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/build_structure.log",
    params:
        python=PYTHON,
        system=system_json,
    threads: 1
    message:
        "Building the {wildcards.system} interface (lattice constants from the potential)"
    shell:
        "{params.python} -m study.build_structure --system {params.system:q} "
        "--out-data {output.data} --out-info {output.info} > {log} 2>&1"


rule relax_structure:
    input:
        data=rules.build_structure.output.data,
        info=rules.build_structure.output.info,
    output:
        data=f"{RESULTS}/{{system}}/structure/relaxed.data",
        info=f"{RESULTS}/{{system}}/structure/relaxed.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/relax_structure.log",
    params:
        python=PYTHON,
    threads: 1
    resources:
        tasks=lambda wildcards, threads: threads,
        mpi=MPIRUN,
    message:
        "Minimising the {wildcards.system} interface with {resources.tasks} MPI rank(s)"
    shell:
        "{resources.mpi} -n {resources.tasks} {params.python} -m engine.relax "
        "--data {input.data} --info {input.info} "
        "--out-data {output.data} --out-info {output.info} > {log} 2>&1"
