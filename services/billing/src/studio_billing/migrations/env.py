from studio_billing.adapters.tables import metadata
from studio_common.migrations import run_env

run_env(metadata)
