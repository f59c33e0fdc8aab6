"""The processes of a cheetah's month, one module each (each a function of the model and the
population's arrays): environment, movement (walk), ranges (settle, abandon), hunting,
energetics, mortality, reproduction, development.

Importing this package registers the built-in rules of every process (:mod:`sim.registry`).
"""

from . import (density, development, energetics, environment, hunting, mortality, movement, ranges,  # noqa: F401
               reproduction)
