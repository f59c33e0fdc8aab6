"""Reports, figures, maps and generated docs, all from files: nothing here runs the model.

* :mod:`.report`: build_report and ``python -m sim.reporting.report`` (start here).
* :mod:`.runfiles`: reading a finished run folder.
* :mod:`.selection`: the scenarios' ranking, the baseline, the scenarios drawn as curves.
* :mod:`.figureset`: which figures the report draws, from which numbers.
* :mod:`.figures`: plotting functions from arrays to PNG files; :mod:`.figstyle`: their house
  style (sizes, palette, labels) and shared helpers.
* :mod:`.maps`, :mod:`.mapframe`: the landscape map and the grid's plot coordinates;
  :mod:`.layermaps`: the prey capacity and competitor layers side by side.
* :mod:`.describe`, :mod:`.page`: scenarios in words; the HTML page.
* :mod:`.sensitivity`: a sensitivity study's figures (tornado, Morris) and sensitivity.html.
* :mod:`.docs`: docs/parameters.md and docs/scenarios.md (``python -m sim.reporting.docs``).
"""
