"""Batch runs: many scenarios × many replicates on parallel workers, streamed to a run folder.

* :mod:`.batch`: run_batch / resume_batch, the orchestration (start here).
* :mod:`.seeds`: each replicate's seed; chunks of replicates.
* :mod:`.worker`: what a worker process runs (run_chunk) and frees after each replicate.
* :mod:`.executor`: the parallel pool (loky or dask) that runs chunks and stores them.
* :mod:`.folder`: the run folder on disk: manifest.json, chunk files, atomic writes.
* :mod:`.outputs`: summary.csv, by_year.csv, replicates.csv.gz, occupancy/, failures.csv.
* :mod:`.result`: BatchResult and Failure, what a finished batch hands back.
* :mod:`.provenance`: git commit and package versions of the code that ran.
* :mod:`.sensitivity`: a sensitivity study of one scenario (``run_scenarios.py sensitivity``).
"""
