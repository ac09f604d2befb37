from studio_common.migrations import run_env
from studio_assets.adapters.tables import metadata

run_env(metadata)
