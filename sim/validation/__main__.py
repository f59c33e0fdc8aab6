"""``python -m sim.validation``: run the validation checks and write docs/validation.md."""
from .checks import main

raise SystemExit(main())
