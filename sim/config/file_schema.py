"""What a scenario file may hold besides a :class:`~sim.config.schema.Scenario`.

Three top-level keys are about the file rather than the model (:data:`META_KEYS`: ``extends``,
``abstract``, ``sweep``); :mod:`sim.config.loading` removes them before validation and
:mod:`sim.config.messages` lists them among the keys allowed at the top level.
:func:`file_json_schema` is the JSON Schema of a whole file, for editors (``run_scenarios.py
schema``).
"""

from __future__ import annotations

from .schema import Scenario

META_KEYS = ("extends", "abstract", "sweep")

#: JSON Schema of the file-level keys (:data:`META_KEYS`), for :func:`file_json_schema`.
META_KEY_SCHEMAS: dict[str, dict] = {
    "extends": {"type": "string", "minLength": 1,
                "description": "Path of a base scenario file, relative to this file; this file's values "
                               "override it (mappings merge recursively, lists and scalars replace)"},
    "abstract": {"type": "boolean", "default": False,
                 "description": "true: only a base for other files; not run (nor validated on its own)"},
    "sweep": {"type": "object", "minProperties": 1,
              "additionalProperties": {"type": "array", "minItems": 1},
              "description": "Key path -> list of values, e.g. {releases.0.females: [4, 6, 8]}: one "
                             "scenario per value (several keys: the full factorial)"},
}


def file_json_schema() -> dict:
    """JSON Schema of a scenario file, for editor completion and checking (``run_scenarios.py
    schema``): one scenario mapping or a non-empty list of them.

    A mapping has the keys of :class:`Scenario` plus the file-level keys ``extends``,
    ``abstract`` and ``sweep``, and none is required, because this describes the file as
    written, before :func:`sim.config.loading.load_file` resolves it: ``name`` may come from the file name, and a
    file that extends a base gives only what it changes. Values still have their types and
    ranges, and unknown keys are flagged at every level.
    """
    schema = Scenario.model_json_schema()
    schema.pop("required", None)
    schema["properties"] = {**META_KEY_SCHEMAS, **schema["properties"]}
    schema.update({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Scenario file",
        "description": "One scenario (a mapping) or a list of scenarios; see docs/scenarios.md",
        "type": ["object", "array"],
        "minItems": 1,
        "items": {"$ref": "#", "type": "object"},
    })
    return schema


__all__ = ["META_KEYS", "META_KEY_SCHEMAS", "file_json_schema"]
