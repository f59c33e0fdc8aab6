"""The cheetah population: arrays with one row per animal (:class:`Cheetahs`), the Mesa agent
handle of each animal (:class:`Cheetah`), hunting units, the events of a life, and genetics."""

from .genetics import Genetics
from .handle import Cheetah
from .population import FIELDS, ORIGINS, Cheetahs
from .units import Units, units_of

__all__ = ["FIELDS", "ORIGINS", "Cheetah", "Cheetahs", "Genetics", "Units", "units_of"]
