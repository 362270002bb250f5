"""The command line: parse, call, render, and map errors to exit codes in one place."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from consolidate import __version__, outputs, render
from consolidate.errors import ConsolidateError
from consolidate.logs import configure_logging

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no `<bool>` after every flag
    help="Remove a dead component from a multi-service repository: planned, checkpointed, "
    "reversible.",
)

RepoOpt = Annotated[Path, typer.Option("--repo", help="The repository (default: here).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
NameArg = Annotated[str, typer.Argument(help="The component's name.")]
READ_ONLY = {"investigate", "orphans", "lint", "assess"}  # they end as soon as they print
MarkdownOpt = Annotated[
    Path | None, typer.Option("--markdown", help="Also write the result as Markdown here.")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
ComposeOpt = Annotated[
    str | None,
    typer.Option(
        "--compose",
        help="A compose file of the component's project, when several projects have a service "
        "of that name.",
    ),
]


FormatOpt = Annotated[
    outputs.OutputFormat | None,
    typer.Option(
        "--format",
        help="text (the default), json (the same as --json) or sarif (SARIF 2.1.0, for code "
        "scanning).",
    ),
]


def _jobs(value: str) -> int:
    """`--jobs`: a whole number of 1 or more, said the same way whatever typer's version."""
    if not value.strip().isdigit() or int(value) < 1:
        raise typer.BadParameter(f"{value} is not a whole number of 1 or more")
    return int(value)


@app.callback()
def _global(
    ctx: typer.Context,
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Logs as JSON lines on stderr.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logs.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Warnings and errors only.")] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            parser=_jobs,
            metavar="N",
            help="Processes that scan imports (default: from the cores "
            "and the repository's size; 1: none). The result is the same for every value.",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the investigation cache.")
    ] = False,
) -> None:
    """Global options; they go before or after the subcommand."""
    from consolidate.analysis import tuning

    configure_logging(json_logs=log_json, verbose=verbose, quiet=quiet)
    tuning.configure(jobs=jobs, cache=not no_cache, keep=ctx.invoked_subcommand in READ_ONLY)
    tuning.collect_less()


@app.command("run")
def run_cmd(
    target: Annotated[str, typer.Argument(help="A playbook name (playbooks/NAME.yaml) or path.")],
    repo: RepoOpt = Path("."),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan and diffs; change nothing.")
    ] = False,
    yes: YesOpt = False,
    json_out: JsonOpt = False,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Run on a work tree with uncommitted changes.")
    ] = False,
    no_image_backup: Annotated[
        bool, typer.Option("--no-image-backup", help="Do not tag Docker images.")
    ] = False,
    run_hooks: Annotated[
        bool, typer.Option("--run-hooks", help="Run the repository's git hooks on commit.")
    ] = False,
    rollback_on_failure: Annotated[
        bool, typer.Option("--rollback-on-failure", help="Undo everything if a step fails.")
    ] = False,
    delete_in_use: Annotated[
        bool,
        typer.Option(
            "--delete-in-use",
            help="Delete playbook files the investigation says are still in use "
            "(validate still checks what that breaks).",
        ),
    ] = False,
) -> None:
    """Remove a component as its playbook declares (resumes an interrupted run)."""
    from consolidate import runner

    options = runner.Options(
        repo=repo,
        dry_run=dry_run,
        yes=yes,
        interactive=_interactive(),
        allow_dirty=allow_dirty,
        image_backup=not no_image_backup,
        run_hooks=run_hooks,
        rollback_on_failure=rollback_on_failure,
        delete_in_use=delete_in_use,
        confirm=_confirm_plan,
    )
    try:
        result = runner.run(target, options)
    except ConsolidateError as exc:
        if json_out and exc.result is not None:
            exc.result = render.run_doc(exc.result)  # the partial run, with the error added
        raise
    if result["status"] == "planned":
        _emit(json_out, render.plan_doc(result), lambda: render.plan_text(result))
    else:
        _emit(json_out, render.run_doc(result), lambda: render.run_text(result))
        if result.get("rolled_back_after_failure"):
            raise typer.Exit(1)


@app.command("status")
def status_cmd(repo: RepoOpt = Path("."), json_out: JsonOpt = False) -> None:
    """Show the state of the last run in this repository."""
    from consolidate import journal  # not the runner: status needs no steps, no playbook

    result = journal.status(_open(repo).git_dir)
    _emit(json_out, render.status_doc(result), lambda: render.status_text(result))


@app.command("rollback")
def rollback_cmd(
    repo: RepoOpt = Path("."),
    yes: YesOpt = False,
    json_out: JsonOpt = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files changed since the run.")
    ] = False,
) -> None:
    """Undo the last run: files, compose, docs, commit, backup branch and tags."""
    from consolidate import runner

    options = runner.Options(repo=repo, yes=yes, interactive=_interactive(), force=force)
    if not yes and options.interactive and not typer.confirm("Undo the last run?", err=True):
        raise typer.Exit(2)
    result = runner.rollback(options)
    if result["status"] == "nothing":
        _emit(json_out, result, f"{result['message']}; nothing to do.\n")
    else:
        _emit(json_out, render.run_doc(result), lambda: render.run_text(result))


@app.command("investigate")
def investigate_cmd(
    name: NameArg,
    repo: RepoOpt = Path("."),
    json_out: JsonOpt = False,
    markdown: MarkdownOpt = None,
    compose: ComposeOpt = None,
) -> None:
    """What a removal of NAME may delete: verdicts, import chains, mentions, compose, history."""
    git = _open(repo)
    from consolidate.analysis import cache, investigation
    from consolidate.report import investigation as investigation_render

    date = _today()
    asked = {"name": name, "compose": compose}
    found = cache.cached(
        git, "investigate", asked, date,
        lambda: investigation.investigate(git, name, date=date, compose=compose),
    )  # fmt: skip
    if markdown is not None:
        markdown.write_text(investigation_render.as_markdown(found), encoding="utf-8")
    _emit(json_out, found, lambda: investigation_render.as_text(found))


@app.command("orphans")
def orphans_cmd(
    repo: RepoOpt = Path("."), json_out: JsonOpt = False, output: FormatOpt = None
) -> None:
    """Source files no entry point reaches, largest and oldest first: the next removals."""
    git = _open(repo)
    log = git.start_log()  # before the imports below, which leave a core idle
    from consolidate.analysis import investigation
    from consolidate.report import investigation as investigation_render
    from consolidate.report import sarif

    chosen = outputs.chosen_format(json_out, output)
    found = investigation.find_orphans(git, date=_today(), log=log)
    if chosen is outputs.OutputFormat.sarif:
        render.write_json(sarif.orphans_sarif(found, __version__), sys.stdout)
    else:
        _emit(
            chosen is outputs.OutputFormat.json,
            found,
            lambda: investigation_render.orphans_text(found),
        )


@app.command("assess")
def assess_cmd(
    name: NameArg,
    repo: RepoOpt = Path("."),
    json_out: JsonOpt = False,
    markdown: MarkdownOpt = None,
    playbook: Annotated[
        Path | None, typer.Option("--playbook", help="Write a draft playbook here too.")
    ] = None,
    compose: ComposeOpt = None,
) -> None:
    """Should NAME exist at all? Overlap, triggers, overhead and a recommendation."""
    from consolidate.assess import assessment as assess
    from consolidate.assess import draft
    from consolidate.dockerio import Docker
    from consolidate.report import assessment as assess_render

    git = _open(repo)
    found = assess.assess(git, name, date=_today(), docker=Docker.connect, compose=compose)
    if markdown is not None:
        markdown.write_text(assess_render.as_markdown(found), encoding="utf-8")
    if playbook is not None:
        draft.write_draft(found, git, playbook, force=True)
    doc = {k: v for k, v in found.items() if k != "investigation"}
    _emit(json_out, doc, lambda: assess_render.as_text(found))


@app.command("lint")
def lint_cmd(
    repo: RepoOpt = Path("."),
    json_out: JsonOpt = False,
    output: FormatOpt = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option("--write-baseline", help="Record today's findings in this file; exit 0."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Report only the findings this baseline does not hold."),
    ] = None,
) -> None:
    """Compose and source checks from the prevention checklist; exit 1 on a finding."""
    from consolidate.assess import lint, lint_baseline
    from consolidate.report import sarif

    chosen = outputs.chosen_format(json_out, output)
    found = lint.lint(_open(repo), date=_today())
    if write_baseline is not None:
        count = lint_baseline.write_baseline(found["findings"], write_baseline)
        doc = {"baseline": str(write_baseline), "recorded": count}
        _emit(
            chosen is outputs.OutputFormat.json,
            doc,
            f"lint: wrote {count} finding(s) to {write_baseline}\n",
        )
        return
    if baseline is not None:
        found["findings"] = lint_baseline.filter_new(found["findings"], baseline)
    if chosen is outputs.OutputFormat.sarif:
        render.write_json(sarif.lint_sarif(found, __version__), sys.stdout)
    else:
        _emit(chosen is outputs.OutputFormat.json, found, lambda: lint.as_text(found))
    if found["findings"]:
        raise typer.Exit(1)


@app.command("plan")
def plan_cmd(
    name: NameArg,
    repo: RepoOpt = Path("."),
    output: Annotated[
        Path | None, typer.Option("--output", help="Where (default: playbooks/NAME.yaml).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    compose: ComposeOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a draft playbook for NAME from its assessment (no Docker: the repository alone)."""
    from consolidate.analysis import cache
    from consolidate.assess import assessment as assess
    from consolidate.assess import draft

    git = _open(repo)
    date = _today()
    asked = {"name": name, "compose": compose}  # no Docker: the repository alone
    found = cache.cached(
        git, "assess", asked, date, lambda: assess.assess(git, name, date=date, compose=compose)
    )
    target = output or git.root / "playbooks" / f"{name}.yaml"
    written = draft.write_draft(found, git, target, force=force)
    doc = {"component": name, "playbook": str(written), "next": f"consolidate run {name} --dry-run"}
    _emit(json_out, doc, f"wrote {written}: read it, then `{doc['next']}`\n")


def _open(repo: Path) -> Any:
    from consolidate.gitio import Git

    return Git.open(repo)


def _today() -> str:
    import os

    from consolidate.analysis.history import today

    return today(os.environ.get("SOURCE_DATE_EPOCH"))


@app.command("demo")
def demo_cmd(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where to create the sample (default: a temp dir).")
    ] = None,
    json_out: JsonOpt = False,
    no_docker: Annotated[bool, typer.Option("--no-docker", help="Skip image backups.")] = False,
) -> None:
    """Create the bundled sample repository and remove its orchestrator, end to end."""
    from consolidate import demo

    result = demo.run_demo(directory, use_docker=not no_docker)
    _emit(json_out, result["doc"], result["text"])


@app.command("schema")
def schema_cmd(
    repo: RepoOpt = Path("."),
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Write playbooks/playbook.schema.json instead of printing it."
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """The playbook's JSON Schema, for editors (see docs/editor.md)."""
    from consolidate.schema import playbook as schema

    if write:
        written = schema.write_schema(_open(repo).root)
        _emit(json_out, {"schema": str(written)}, f"{written}\n")
    else:
        sys.stdout.write(schema.schema_text())  # the schema is the JSON document


@app.command("version")
def version_cmd(json_out: JsonOpt = False) -> None:
    """Print the version."""
    _emit(json_out, {"version": __version__}, f"{__version__}\n")


def _emit(json_out: bool, doc: dict[str, Any], text: str | Callable[[], str]) -> None:
    """The document as JSON, or the text (drawn only when asked for: tables cost time)."""
    if json_out:
        render.write_json(doc, sys.stdout)
    else:
        sys.stdout.write(text() if callable(text) else text)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _confirm_plan(plans: list[Any]) -> bool:
    count = sum(len(p.actions) for p in plans)
    typer.echo(f"{count} actions planned (see them with --dry-run).", err=True)
    return typer.confirm("Proceed?", default=False, err=True)


def main() -> None:
    outputs.serve(app)
