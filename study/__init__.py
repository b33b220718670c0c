"""The study layer: a study's config (validated, defaults from the schema), its targets,
tables, provenance and figures.  Imported by the Snakemake rules and the entry points in
``workflow/scripts``; it may import ``engine``, ``analysis``, ``structures`` and
``potentials``, never the other way round."""
