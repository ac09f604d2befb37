from studio_common.migrations import run_env
from studio_batch.adapters.tables import metadata

run_env(metadata)
