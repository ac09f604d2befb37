"""The load generator: a seeded, mixed load of studio operations sent through the public API at a steady
rate, as a careful client sends it: every request carries an Idempotency-Key and is retried with the same
key until it gets an answer, so an operation accepted while the gateway died is not submitted twice.
"""

import asyncio
import io
import random
import time
from dataclasses import dataclass, field

import httpx
import numpy as np
from PIL import Image

from studio_common.auth import issue_token

RETRYABLE = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Job:
    index: int
    user: str
    kind: str
    path: str
    key: str
    json: dict | None = None
    form: dict | None = None
    files: tuple[tuple[str, bytes], ...] = ()
    resend: bool = False  # send again after the 202 to prove the key replays the same operation


@dataclass
class Outcome:
    job: Job
    operation_ids: list[str] = field(default_factory=list)
    rejected: tuple[int, str] | None = None
    attempts: int = 0
    gave_up: str | None = None

    @property
    def operation_id(self) -> str | None:
        return self.operation_ids[0] if self.operation_ids else None


@dataclass(frozen=True)
class ServerError:
    at: float
    status: int
    path: str
    body: str


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def sample_media(seed: int) -> dict[str, bytes]:
    """A few distinct small photos-like images and a mask that fits them (no download needed)."""
    rng = np.random.default_rng(seed)
    media = {}
    for n in range(4):
        base = np.linspace(0, 255, 320, dtype=np.uint8)[None, :, None].repeat(240, 0).repeat(3, 2)
        noise = rng.integers(0, 60, (240, 320, 3), dtype=np.uint8)
        media[f"photo{n}"] = _png((base // 2 + noise + n * 20).astype(np.uint8))
    mask = np.zeros((240, 320), np.uint8)
    mask[80:160, 100:220] = 255
    media["mask"] = _png(mask)
    media["small"] = _png(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8))
    return media


def plan_jobs(seed: int, operations: int, users: list[str], resend_share: float = 0.2) -> list[Job]:
    rng = random.Random(seed)
    media = sample_media(seed)
    jobs = []
    for index in range(operations):
        user = users[index % len(users)]
        key = f"chaos-{seed}-{index}"
        resend = rng.random() < resend_share
        photo = media[f"photo{rng.randrange(4)}"]
        roll = rng.random()
        if roll < 0.45:
            size = rng.choice((128, 192, 256))
            jobs.append(
                Job(
                    index,
                    user,
                    "create",
                    "/api/image-studio/create",
                    key,
                    resend=resend,
                    json={
                        "prompt": f"chaos scene {index}",
                        "width": size,
                        "height": size,
                        "num_variations": rng.choice((1, 1, 2, 3)),
                    },
                )
            )
        elif roll < 0.65:
            jobs.append(
                Job(
                    index,
                    user,
                    "edit.inpaint",
                    "/api/image-studio/edit/process",
                    key,
                    resend=resend,
                    form={"operation": "inpaint", "prompt": "smooth wall", "grow_mask": "0"},
                    files=(("image", photo), ("mask", media["mask"])),
                )
            )
        elif roll < 0.82:
            jobs.append(
                Job(
                    index,
                    user,
                    "upscale",
                    "/api/image-studio/upscale",
                    key,
                    resend=resend,
                    form={"mode": "fast"},
                    files=(("image", media["small"]),),
                )
            )
        elif roll < 0.96:
            jobs.append(
                Job(
                    index,
                    user,
                    "social",
                    "/api/image-studio/social/optimize",
                    key,
                    resend=resend,
                    form={"formats": "instagram.feed_square,x.post", "crop_mode": "center"},
                    files=(("image", photo),),
                )
            )
        else:
            jobs.append(
                Job(
                    index,
                    user,
                    "transform.3d",
                    "/api/image-studio/transform/image-to-3d",
                    key,
                    resend=resend,
                    form={"texture_resolution": "512"},
                    files=(("image", photo),),
                )
            )
    return jobs


class LoadGenerator:
    def __init__(self, gateway_url: str, secret: str, submit_timeout: float = 120.0) -> None:
        self.gateway_url = gateway_url
        self.secret = secret
        self.submit_timeout = submit_timeout
        self.server_errors: list[ServerError] = []
        self.transport_errors = 0

    def client(self, user: str, admin: bool = False) -> httpx.AsyncClient:
        token = issue_token(user, self.secret, admin=admin)
        return httpx.AsyncClient(
            base_url=self.gateway_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            limits=httpx.Limits(max_connections=64),
        )

    async def run(
        self, jobs: list[Job], rate: float, burst: int = 0, burst_rate: float = 20.0
    ) -> list[Outcome]:
        """Open loop: each job starts on time whatever happened to the earlier ones; the first `burst` jobs
        at `burst_rate` (a backlog for the workers), the rest at `rate` per second."""
        users = sorted({job.user for job in jobs})
        clients = {user: self.client(user) for user in users}
        started = time.monotonic()
        try:
            tasks = []
            for job in jobs:
                offset = (
                    job.index / burst_rate
                    if job.index < burst
                    else burst / burst_rate + (job.index - burst) / rate
                )
                await asyncio.sleep(max(0.0, started + offset - time.monotonic()))
                tasks.append(asyncio.create_task(self.submit(clients[job.user], job)))
            return list(await asyncio.gather(*tasks))
        finally:
            for client in clients.values():
                await client.aclose()

    async def submit(self, client: httpx.AsyncClient, job: Job) -> Outcome:
        outcome = Outcome(job)
        await self._send_until_answered(client, job, outcome)
        if job.resend and outcome.operation_ids:
            await self._send_until_answered(client, job, outcome)
        return outcome

    async def _send_until_answered(self, client: httpx.AsyncClient, job: Job, outcome: Outcome) -> None:
        deadline = time.monotonic() + self.submit_timeout
        while time.monotonic() < deadline:
            outcome.attempts += 1
            try:
                response = await self._post(client, job)
            except httpx.TransportError:
                self.transport_errors += 1
                await asyncio.sleep(0.5)
                continue
            if response.status_code >= 500:
                self.server_errors.append(
                    ServerError(time.monotonic(), response.status_code, job.path, response.text[:200])
                )
            if response.status_code == 202:
                outcome.operation_ids.append(response.json()["operation_id"])
                return
            if response.status_code not in RETRYABLE:
                outcome.rejected = (response.status_code, response.text[:300])
                return
            await asyncio.sleep(0.5)
        outcome.gave_up = f"no answer within {self.submit_timeout}s"

    async def _post(self, client: httpx.AsyncClient, job: Job) -> httpx.Response:
        headers = {"Idempotency-Key": job.key}
        if job.json is not None:
            return await client.post(job.path, json=job.json, headers=headers)
        files = [(name, (f"{name}.png", data, "image/png")) for name, data in job.files]
        return await client.post(job.path, data=job.form, files=files, headers=headers)
