"""Add an Alembic revision for a service after changing its tables:

    uv run python scripts/new_migration.py billing "add refunds table"

It brings a scratch SQLite database to the current head, then autogenerates the difference.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command

from studio_common.migrations import alembic_config

ROOT = Path(__file__).resolve().parent.parent


def main(service: str, message: str) -> None:
    script_location = ROOT / "services" / service / "src" / f"studio_{service}" / "migrations"
    if not script_location.is_dir():
        sys.exit(f"no migrations for {service!r} (gateway, billing, assets or batch)")
    with tempfile.TemporaryDirectory() as scratch:
        config = alembic_config(script_location, f"sqlite:///{scratch}/head.db")
        command.upgrade(config, "head")
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
