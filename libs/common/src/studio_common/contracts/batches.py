"""The batch service's internal API (`/internal/batches`, `/internal/batch-schedules`)."""

# The scope of the gateway's service token for a user's batches and schedules (studio_common.service_auth).
BATCHES = "batches"
