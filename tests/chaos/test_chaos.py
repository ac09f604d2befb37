"""The chaos suite, short version: a mixed load through the gateway while every service is SIGKILLed and
restarted and the broker (and, on PostgreSQL, the database) restarts; then I2, I4 and the rest hold.
Each test has its own RabbitMQ node (and PostgreSQL cluster): the shared ones are never restarted.
Longer runs with other seeds: scripts/chaos.py."""

import os

import pytest

from studio_common.testing.chaos.run import ChaosConfig, ChaosResult, figures_table, run_chaos

SEED = int(os.environ.get("STUDIO_CHAOS_SEED", "7"))


def assert_invariants_hold(result: ChaosResult) -> None:
    print(f"\n{result.seconds}s {result.phases}; logs in {result.data_dir}\n{figures_table([result])}")
    failures = result.findings.failures()
    assert not failures, "\n".join(failures)


@pytest.mark.timeout(600)
def test_kills_and_a_broker_restart_lose_nothing_on_sqlite(tmp_path):
    config = ChaosConfig(
        seed=SEED, operations=120, rate=20, users=4, kills=6, broker_restarts=1, final_timeout=60
    )
    assert_invariants_hold(run_chaos(config, tmp_path / "chaos"))


@pytest.mark.timeout(600)
def test_kills_broker_and_database_restarts_lose_nothing_on_postgres(tmp_path):
    config = ChaosConfig(
        seed=SEED + 1,
        operations=120,
        rate=20,
        users=4,
        kills=6,
        broker_restarts=1,
        db_restarts=1,
        postgres=True,
        final_timeout=60,
    )
    assert_invariants_hold(run_chaos(config, tmp_path / "chaos"))


@pytest.mark.timeout(600)
def test_billing_away_for_a_minute_dead_letters_nothing_and_everything_succeeds(tmp_path):
    # A burst the workers (held back for a few seconds) find approved when they return with billing away,
    # then a steady trickle through the minute.
    config = ChaosConfig(
        seed=SEED + 2, operations=260, rate=3, burst=80, users=3, outage=("billing", 60.0), final_timeout=90
    )
    result = run_chaos(config, tmp_path / "chaos")
    assert_invariants_hold(result)
    assert dict(result.findings.statuses) == {"succeeded": result.findings.accepted}
    assert result.findings.recorded_dead_letters == []
