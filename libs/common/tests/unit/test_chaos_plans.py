"""The chaos suite's schedules: seeded, so a failing run can be repeated exactly, and complete."""

from collections import Counter

from studio_common.devstack import SERVICES
from studio_common.testing.chaos.faults import Fault, FaultLog, Window, outage_faults, plan_faults
from studio_common.testing.chaos.load import plan_jobs


def test_every_service_is_killed_at_least_once_within_the_load():
    faults = plan_faults(3, duration=15.0, services=SERVICES, kills=12, broker_restarts=1, db_restarts=1)
    kills = Counter(f.target for f in faults if f.action == "kill")
    assert set(kills) == set(SERVICES) and sum(kills.values()) == 12
    actions = Counter(f.action for f in faults)
    assert actions["broker"] == 1 and actions["postgres"] == 1
    assert all(0 < f.at < 15.0 for f in faults) and [f.at for f in faults] == sorted(f.at for f in faults)
    assert plan_faults(3, 15.0, SERVICES, 12, 1, 1) == faults != plan_faults(4, 15.0, SERVICES, 12, 1, 1)


def test_an_outage_finds_the_workers_with_a_backlog():
    faults = outage_faults("billing", 60.0)
    billing = next(f for f in faults if f.target == "billing")
    workers = [f for f in faults if f.target != "billing"]
    assert billing == Fault(6.0, "outage", "billing", 60.0)
    assert workers and all(
        f.at == 0 and billing.at < f.at + f.down_for < billing.at + billing.down_for for f in workers
    )


def test_the_load_mixes_every_studio_and_is_the_same_for_a_seed():
    jobs = plan_jobs(5, 300, ["a", "b", "c"])
    assert {j.kind for j in jobs} == {"create", "edit.inpaint", "upscale", "social", "transform.3d"}
    assert len({j.key for j in jobs}) == 300 and {j.user for j in jobs} == {"a", "b", "c"}
    assert any(j.resend for j in jobs) and not all(j.resend for j in jobs)
    assert [j.key for j in plan_jobs(5, 300, ["a", "b", "c"])] == [j.key for j in jobs]
    assert all(dict(j.files).keys() == {"image", "mask"} for j in jobs if j.kind == "edit.inpaint")


def test_a_5xx_counts_against_the_gateway_only_outside_its_own_downtime():
    log = FaultLog(windows=[Window("kill", "gateway", 10.0, 14.0), Window("kill", "billing", 20.0, 22.0)])
    assert log.down("gateway", 12.0) and log.down("gateway", 14.5)
    assert not log.down("gateway", 21.0) and log.describe(21.0) == "kill billing"
