"""``python -m deltaworks_pipelines.dagster_cli ARGS``: Dagster's CLI on the deployment's instance.

``deltaworks ui`` and ``deltaworks dagster ...`` run this: it prepares the
instance (``instance.py``) and replaces itself with ``dagster ARGS`` with
``DAGSTER_HOME`` set, so the web UI, its daemon (schedules, sensors, the run
queue, backfills) and one-off commands all see the demo's runs.
"""

import os
import sys

from deltaworks_pipelines.instance import dagster_env


def main(args: list[str]) -> None:
    """Replace this process with ``python -m dagster args`` on the deployment's instance."""
    command = [sys.executable, "-m", "dagster", *args]
    os.execvpe(command[0], command, dagster_env())


if __name__ == "__main__":
    main(sys.argv[1:])
