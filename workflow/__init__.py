"""Kapitza workflow: LAMMPS drivers (command-line entry points) and Snakemake glue."""
