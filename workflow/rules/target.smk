# Run to a target precision (nemd.target in the config; workflow/nemd_target.py).
#
# Defined only when some system has a target, so a study without one has exactly the
# plain DAG.  For a system with a target, one job per temperature (nemd_target) runs all
# its replicas in rounds under nemd/target/rep<r>/ until the target or the budget is
# reached and writes nemd/target/target.json.  nemd_target_replica then copies each
# replica's raw.npz and run.json to nemd/rep<r>/, where nemd_run would have put them
# (ruleorder), so analyse_nemd_run runs unchanged; combine_nemd_target adds the target
# status to the combined record.  (Snakemake outputs cannot depend on a system's number
# of replicas, hence one job per replica for the copies.)
#
# Ranks: nemd_target's threads default to the system's replicas (1 rank each), capped
# by --cores like every rule; give it more with `set-threads: nemd_target: N` (each
# replica then runs on N // replicas ranks).  resources.tasks = threads unless a
# profile sets it (SLURM: threads 1, tasks = all ranks, mpi = "srun --mpi=pmi2 --exact"
# so that the replicas' job steps share the allocation).


if target_systems():

    TARGET_SYSTEMS = "|".join(re.escape(s) for s in target_systems())

    rule nemd_target:
        input:
            data=rules.relax_structure.output.data,
            info=rules.relax_structure.output.info,
        output:
            f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/target/target.json",
        wildcard_constraints:
            system=TARGET_SYSTEMS,
        conda:
            CONDA_ENV
        log:
            f"{RESULTS}/logs/{{system}}/T{{temperature}}K/nemd_target.log",
        params:
            python=PYTHON,
            settings=target_run_settings,
            analysis=lambda wildcards: json.dumps(analysis_settings(CONFIG)),
            target=lambda wildcards: json.dumps(nemd_target(CONFIG, wildcards.system)),
            workdir=lambda wildcards: target_dir(wildcards.system, wildcards.temperature),
        threads: lambda wildcards: nemd_replicas(CONFIG, wildcards.system)
        resources:
            tasks=lambda wildcards, threads: threads,
            mpi=MPIRUN,
        message:
            "NEMD {wildcards.system} at {wildcards.temperature} K to the target precision "
            "({resources.tasks} MPI rank(s) for all replicas)"
        shell:
            "{params.python} -m study.nemd_target --structure {input.data} --info {input.info} "
            "--system {wildcards.system} --settings {params.settings:q} "
            "--analysis {params.analysis:q} --target {params.target:q} "
            "--workdir {params.workdir} --launcher {resources.mpi:q} --tasks {resources.tasks} "
            "--python {params.python} --out {output} > {log} 2>&1"

    rule nemd_target_replica:
        input:
            rules.nemd_target.output,
        output:
            raw=f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/rep{{replica}}/raw.npz",
            run=f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/rep{{replica}}/run.json",
        wildcard_constraints:
            system=TARGET_SYSTEMS,
        conda:
            CONDA_ENV
        log:
            f"{RESULTS}/logs/{{system}}/T{{temperature}}K/nemd_target_rep{{replica}}.log",
        params:
            source=lambda wildcards: (
                f"{target_dir(wildcards.system, wildcards.temperature)}/rep{wildcards.replica}"
            ),
        message:
            "NEMD {wildcards.system} at {wildcards.temperature} K, replica {wildcards.replica}: "
            "the run of the target precision"
        shell:
            "(cp {params.source}/raw.npz {output.raw} && "
            "cp {params.source}/run.json {output.run}) > {log} 2>&1"

    rule combine_nemd_target:
        input:
            replicas=replica_results,
            target=rules.nemd_target.output,
        output:
            f"{RESULTS}/{{system}}/T{{temperature}}K/nemd/combined.json",
        wildcard_constraints:
            system=TARGET_SYSTEMS,
        conda:
            CONDA_ENV
        log:
            f"{RESULTS}/logs/{{system}}/T{{temperature}}K/combine_nemd.log",
        params:
            python=PYTHON,
            system=lambda wildcards: wildcards.system,
        message:
            "Combining {wildcards.system} replicas at {wildcards.temperature} K (with the "
            "target status)"
        shell:
            "{params.python} -m study.combine --method nemd --system {params.system} "
            "--temperature {wildcards.temperature} --target {input.target} "
            "--out {output} {input.replicas} > {log} 2>&1"

    ruleorder: nemd_target_replica > nemd_run
    ruleorder: combine_nemd_target > combine_nemd
