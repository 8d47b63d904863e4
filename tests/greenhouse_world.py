"""Greenhouse boards made up on the fly for the operations tests (run, lifecycle, faults).

A :class:`Board` serves its board, jobs list and job details from a :class:`LocalServer`, with
jobs that can change between crawls and fault replies that can be queued per endpoint:

    board = Board(server, "acme", [gh_job(1), gh_job(2)])
    board.fault("list", Reply(status=500))             # the next list request answers 500
    board.always["list"] = Reply(reset=True)           # every list request drops the connection
    crawl([board.entry()])
"""

from __future__ import annotations

import html
import time
from typing import Any

from scraper.localserver import LocalServer, Reply, ServedRequest

DESCRIPTION = (
    "<p>Join our {clinic} team as a Medical Assistant.</p><ul><li>Room patients and take vital signs</li>"
    "<li>Perform venipuncture and point-of-care testing</li><li>Give injections per protocol</li></ul>"
    "<p>CMA or RMA required; BLS preferred. Epic experience a plus. Requisition {job_id}.</p>"
)


def gh_job(
    job_id: int,
    title: str = "Medical Assistant",
    location: str = "Phoenix, AZ",
    *,
    text: str | None = None,
    updated_at: str = "2026-11-02T09:00:00-07:00",
) -> dict[str, Any]:
    """A Greenhouse list entry (``content=true``): content is entity-escaped HTML, as served."""
    body = text if text is not None else DESCRIPTION.format(clinic="Phoenix family medicine", job_id=job_id)
    return {
        "id": job_id,
        "title": title,
        "updated_at": updated_at,
        "first_published": updated_at,
        "location": {"name": location},
        "absolute_url": f"https://careers.example.org/jobs?gh_jid={job_id}",
        "metadata": [{"name": "Employment Type", "value": "Full-time"}],
        "content": html.escape(body),
        "departments": [],
        "offices": [],
    }


class Board:
    def __init__(
        self,
        server: LocalServer,
        name: str,
        jobs: list[dict[str, Any]],
        prefix: str = "/gh",
        company: str | None = None,
    ):
        self.server = server
        self.name = name
        self.jobs = list(jobs)
        self.prefix = prefix
        self.queued: dict[str, list[Reply]] = {}  # endpoint -> replies used once each, in order
        self.always: dict[str, Reply] = {}  # endpoint -> reply for every request
        self.served: dict[str, int] = {}  # endpoint -> requests answered
        self.times: dict[str, list[float]] = {}  # endpoint -> when each request came (monotonic)
        root = f"{prefix}/v1/boards/{name}"
        server.add(
            root,
            handler=lambda req: self._answer("board", lambda: Reply.json({"name": company or name.title()})),
        )
        server.add(f"{root}/jobs", handler=lambda req: self._answer("list", self._list))
        server.add(f"{root}/jobs/", handler=self._detail, prefix=True)

    def entry(self, **extra: Any) -> dict[str, Any]:
        return {
            "kind": "greenhouse",
            "board": self.name,
            "base_url": f"{self.server.url}{self.prefix}",
            **extra,
        }

    @property
    def key(self) -> str:
        return f"greenhouse:{self.name}"

    def ids(self) -> set[str]:
        return {f"greenhouse:{job['id']}" for job in self.jobs}

    def fault(self, endpoint: str, *replies: Reply) -> None:
        """Queue replies for ``endpoint``: "board", "list" or a job id (its detail)."""
        self.queued.setdefault(str(endpoint), []).extend(replies)

    def _list(self) -> Reply:
        return Reply.json({"jobs": self.jobs, "meta": {"total": len(self.jobs)}})

    def _detail(self, req: ServedRequest) -> Reply | None:
        job_id = req.path.rsplit("/", 1)[-1]
        if not any(str(job["id"]) == job_id for job in self.jobs):
            return None
        return self._answer(job_id, lambda: Reply.json({"id": int(job_id), "pay_input_ranges": []}))

    def _answer(self, endpoint: str, normal: Any) -> Reply:
        self.served[endpoint] = self.served.get(endpoint, 0) + 1
        self.times.setdefault(endpoint, []).append(time.monotonic())
        queue = self.queued.get(endpoint)
        if queue:
            return queue.pop(0)
        if endpoint in self.always:
            return self.always[endpoint]
        return normal()
