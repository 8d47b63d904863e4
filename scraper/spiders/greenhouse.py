"""Greenhouse Job Board API: one board request, one list request, a detail (for pay) per kept job."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scraper.parsers import greenhouse as gh
from scraper.parsers.title_filter import is_ma_family_title
from scraper.sources import Source
from scraper.spiders.base import MajobsSpider, ParseError
from scraper.store import PARTIAL


class GreenhouseSpider(MajobsSpider):
    name = "greenhouse"
    kind = "greenhouse"

    def origin(self, source: Source) -> str:
        return source.rebase(source.real_origin or gh.API_ORIGIN)

    def start_source(self, source: Source) -> Iterable[Request]:
        board = source.get("board")
        # The board's own name is the company name when jobs carry no company_name.
        yield self.request(
            source,
            gh.board_url(self.origin(source), board),
            self.parse_board,
            critical=False,
            errback=self.board_failed,
        )

    def parse_board(self, response: Response, source: Source) -> Iterable[Any]:
        try:
            board_name = gh.parse_board_name(self.load_json(source, response))
        except (ParseError, ValueError) as exc:
            self.fail(source, f"board name unreadable: {exc}", critical=False, url=response.url)
            board_name = None
        yield self.jobs_request(source, board_name)

    def board_failed(self, failure: Failure) -> Iterable[Any]:
        self.on_error(failure)
        source: Source = failure.request.meta["source"]  # type: ignore[attr-defined]
        yield self.jobs_request(source, None)

    def jobs_request(self, source: Source, board_name: str | None) -> Request:
        return self.request(
            source,
            gh.jobs_url(self.origin(source), source.get("board")),
            self.parse_jobs,
            cb_kwargs={"board_name": board_name or source.company},
        )

    def parse_jobs(self, response: Response, source: Source, board_name: str | None) -> Iterable[Any]:
        payload = self.parse_safely(
            source, response, lambda: gh.parse_jobs_list(self.load_json(source, response))
        )
        if payload is None:
            return
        for job in payload:
            if source.title_filter and not is_ma_family_title(job.get("title")):
                self.count(source, "dropped")
                continue
            if job.get("id") is None:
                self.fail(source, "job without id in list", url=response.url)
                continue
            yield self.request(
                source,
                gh.job_url(self.origin(source), source.get("board"), job["id"]),
                self.parse_detail,
                critical=False,  # without the detail we still have the posting, just not its pay
                cb_kwargs={"job": job, "board_name": board_name},
                errback=self.detail_failed,
            )

    def parse_detail(
        self, response: Response, source: Source, job: dict, board_name: str | None
    ) -> Iterable[Any]:
        try:
            detail = self.load_json(source, response)
            if not isinstance(detail, dict):
                raise ParseError("detail is not an object")
        except ParseError as exc:
            self.fail(
                source, f"detail unreadable, posting kept without it: {exc}", critical=False, url=response.url
            )
            detail = None
        yield from self.emit_job(source, response, job, detail, board_name)

    def detail_failed(self, failure: Failure) -> Iterable[Any]:
        self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        kw = request.cb_kwargs
        yield from self.emit_job(kw["source"], None, kw["job"], None, kw["board_name"])

    def emit_job(
        self,
        source: Source,
        response: Response | None,
        job: dict,
        detail: dict | None,
        board_name: str | None,
    ) -> Iterable[Any]:
        try:
            posting = gh.parse_job(job, detail, board=source.get("board"), board_name=board_name)
        except (ValueError, KeyError, TypeError) as exc:
            self.fail(
                source, f"cannot parse job {job.get('id')}: {exc}", url=response.url if response else None
            )
            return
        if detail is None:
            posting[PARTIAL] = True  # type: ignore[literal-required]  # never overwrites a stored copy
        yield from self.emit(source, [posting])
