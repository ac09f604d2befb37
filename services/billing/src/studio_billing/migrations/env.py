from studio_common.migrations import run_env
from studio_billing.adapters.tables import metadata

run_env(metadata)
