# Kapitza: thermal boundary (Kapitza) resistance of solid interfaces from molecular dynamics.
#
#   snakemake --cores all                      # the study in config/config.yaml
#   snakemake --cores all --configfile config/production.yaml
#
# Runtime settings (MPI ranks per run, launcher) live in profiles/default/ (found
# automatically) or profiles/slurm/ for clusters.
from snakemake.utils import min_version

min_version("9.0")


# The embedded default study, used unless another is given with --configfile (a study
# config replaces the default instead of being merged into it; --config KEY=VALUE still
# overrides single keys of either).
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/structures.smk"
include: "workflow/rules/nemd.smk"
include: "workflow/rules/emd.smk"
include: "workflow/rules/ttm.smk"
include: "workflow/rules/spectral.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/target.smk"
include: "workflow/rules/mismatch.smk"
include: "workflow/rules/paper.smk"


rule all:
    default_target: True
    input:
        all_targets(),
    message:
        "Kapitza study '{CONFIG[study]}': results in {RESULTS}/summary.csv"
