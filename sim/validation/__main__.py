"""``python -m sim.validation``: run the validation checks and write docs/validation.md."""
from .runner import main

raise SystemExit(main())
