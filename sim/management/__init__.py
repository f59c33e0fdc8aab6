"""Scheduled interventions: releases and the Roadmap's management levers."""

from .handlers import HANDLERS, apply_due
from .places import resolve_cell, where_mask
from .schedule import Schedule

__all__ = ["HANDLERS", "Schedule", "apply_due", "resolve_cell", "where_mask"]
