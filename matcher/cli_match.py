"""Commands of the matcher: train, tag, tag-file, evaluate."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from matcher.labels import load_checked


@click.command()
@click.option("--no-cv", is_flag=True, help="Skip cross-validation (faster; keeps the committed scores).")
def train(no_cv: bool) -> None:
    """Train the matcher on data/labels/*.jsonl and save it under data/models/tagger/.

    Reproducible: seeds and hyper-parameters come from data/params.yaml.

    \b
        majobs train
    """
    from matcher.train import MODEL_DIR
    from matcher.train import train as run_train

    try:
        meta = run_train(cv=not no_cv)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"model {meta['version']}: {meta['data']['postings']} postings -> {MODEL_DIR}")
    if meta.get("_cv_table"):
        # Said outright: these are not the README's dev or held-out scores (`majobs evaluate`).
        click.echo(f"{meta['cv']['folds']}-fold cross-validation on the training postings:")
        click.echo(meta["_cv_table"].split("\n\n")[0])


workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes to tag with, a core each; the tags are the same with any number.",
)


@click.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="data/jobs.db",
    show_default=True,
    help="The SQLite database.",
)
@click.option(
    "--all", "retag_all", is_flag=True, help="Re-tag every posting, not only untagged or stale ones."
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@workers_option
def tag(db_path: Path, retag_all: bool, progress: bool, workers: int) -> None:
    """Tag every posting not yet tagged by the current model (idempotent).

    \b
        majobs tag --db data/jobs.db [--workers 4]

    Exits 75 while a run or crawl writes the database.
    """
    from matcher.tag import WorkerDied, tag_database
    from scraper.lock import AlreadyRunning, RunLock
    from scraper.runner import EXIT_LOCKED

    if not db_path.exists():
        raise click.ClickException(f"no database at {db_path}")
    try:
        with RunLock(db_path):  # not beside a `majobs run`, which tags the same postings
            summary = tag_database(db_path, progress=progress, retag_all=retag_all, workers=workers)
    except AlreadyRunning as exc:
        click.echo(f"majobs tag: not started: {exc}", err=True)
        raise SystemExit(EXIT_LOCKED) from exc
    except WorkerDied as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"tagged {summary['tagged']} of {summary['postings']} postings with model {summary['model_version']} "
        f"({summary['tags']} tags, {summary['failed']} failed, {summary['seconds']} s)"
    )


@click.command("tag-file")
@click.argument("in_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output JSONL (default stdout)."
)
@workers_option
def tag_file_cmd(in_path: Path, output: Path | None, workers: int) -> None:
    """Tag postings from a JSON-lines file (id, title, company, location, description).

    Writes one line per posting: {"id": ..., "tags": {...}} in the shape of LABELS.md. A line
    that is not a posting (not JSON, a title that is not text, an id that is not text or a
    number) is skipped and named on stderr; the others are still tagged, then the command
    exits 1.

    \b
        majobs tag-file postings.jsonl -o tags.jsonl
    """
    from matcher.tag import WorkerDied, tag_file

    if output is not None and _same_file(output, in_path):
        raise click.ClickException(f"{output} is the input file: give another output")
    try:
        with contextlib.nullcontext(sys.stdout) if output is None else _writing(output) as fh:
            counts = tag_file(in_path, fh, workers=workers, skipped=_echo_skipped)
    except (ValueError, WorkerDied) as exc:
        raise click.ClickException(str(exc)) from exc
    summary = f"{counts['tagged']} postings tagged" + (f" -> {output}" if output is not None else "")
    left_out = counts["bad"] + counts["failed"]
    if left_out:
        raise click.ClickException(f"{summary}; {left_out} input line(s) skipped, as listed above")
    click.echo(summary, err=True)


def _echo_skipped(message: str) -> None:
    click.echo(f"skipped: {message}", err=True)


@contextmanager
def _writing(output: Path) -> Iterator[TextIO]:
    """A file is written aside and moved in place once complete: a failed run leaves no half file
    (through a symlink, the file it names is replaced, not the link). A device or FIFO, and a
    stream's name (-o /dev/stdout), are written into: moving a file in would replace them."""
    if _a_stream(output):
        # Appending: behind /dev/stdout may be the file of `>> log`, whose lines must stay.
        with open(output, "a", encoding="utf-8") as fh:
            yield fh
        return
    target = output.resolve()
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8") as fh:
            yield fh
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _a_stream(output: Path) -> bool:
    """A device or FIFO, or a name in /dev or /proc (/dev/stdout, /dev/fd/3: an open descriptor,
    which may lead to a file the shell opened)."""
    if output.exists() and not output.is_file():
        return True
    folder = output.parent.resolve()
    return any(folder.is_relative_to(root) for root in ("/dev", "/proc"))


@click.command()
@click.option(
    "--gold",
    "gold_paths",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled JSONL (eval format); repeat to score several files as one set.",
)
@click.option(
    "--metrics-json", type=click.Path(dir_okay=False, path_type=Path), help="Also write all scores here."
)
@click.option("--per-label/--no-per-label", default=True, help="Print per-label F1 too.")
def evaluate(gold_paths: tuple[Path, ...], metrics_json: Path | None, per_label: bool) -> None:
    """Score the model and the plain keyword matcher side by side on labelled postings.

    \b
    Examples:
        majobs evaluate --gold ../shared/eval/dev.jsonl --metrics-json dev-metrics.json
        majobs evaluate --gold data/heldout/heldout_e.jsonl --gold more-labelled.jsonl
    """
    from matcher.evaluate import format_side_by_side, score
    from matcher.keyword import keyword_labels
    from matcher.model import empty_labels
    from matcher.tag import tag_records
    from matcher.train import load_model

    if metrics_json is not None and any(_same_file(metrics_json, gold) for gold in gold_paths):
        raise click.ClickException(f"{metrics_json} is a gold file: give another --metrics-json")
    try:
        # Every line checked first: a score over a partly bad gold file would mislead.
        records = load_checked(gold_paths)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if not records:
        raise click.ClickException("no labelled postings in the gold files")
    model = load_model()
    results = tag_records(records, model)
    empty = empty_labels()
    ours = score([r["labels"] for r in records], [x["labels"] if x else empty for x in results])
    keyword = score([r["labels"] for r in records], [keyword_labels(r) for r in records])
    click.echo(f"{len(records)} postings; model {getattr(model, 'version', '?')}")
    click.echo(format_side_by_side(ours, keyword, per_label=per_label))
    if metrics_json:
        payload = {"model_version": getattr(model, "version", None), "model": ours, "keyword": keyword}
        with _writing(metrics_json) as fh:  # an earlier file stays whole if this write fails
            fh.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def _same_file(a: Path, b: Path) -> bool:
    return a.exists() and b.exists() and a.samefile(b)


COMMANDS: list[click.Command] = [train, tag, tag_file_cmd, evaluate]
