"""Entry point: ``python run_scenarios.py run|check|schema|map|report ...`` (see sim/cli.py)."""
from sim.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
