"""The ``coopld`` command. Each subcommand is a thin shell around one library function; errors
of the project's own types become one readable line on stderr and an exit code:
0 ok, 1 the data break the shapes, 2 bad input or configuration."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coopld import __version__
from coopld.config import Settings, load_settings
from coopld.errors import CoopldError

if TYPE_CHECKING:
    from coopld.build import BuildResult


def _settings(ctx: click.Context, **overrides: object) -> Settings:
    return load_settings(ctx.obj.get("config"), **{k: v for k, v in overrides.items() if v is not None})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coopld")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="A coopld.toml settings file.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Security-cooperation news as linked data: build, check and publish the dataset."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


@cli.command()
@click.argument("articles", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder [build/].")
@click.option("--records", type=click.Path(file_okay=False, path_type=Path),
              help="Records folder [the articles folder's sibling 'records'].")
@click.option("--base", "base_iri", help="Base IRI the data are minted under [https://w3id.org/coopld/].")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=lambda: os.cpu_count() or 1,
              show_default="the number of cores", help="Articles processed in parallel.")
@click.option("--full", is_flag=True, help="Build every article again, also those unchanged since the last build.")
@click.option("--scheduler", metavar="URL", envvar="COOPLD_SCHEDULER",
              help="Build the articles on this Dask cluster (tcp://host:8786) instead of in local processes.")
@click.pass_context
def build(ctx: click.Context, articles: Path | None, out: Path | None, records: Path | None,
          base_iri: str | None, jobs: int, full: bool, scheduler: str | None) -> None:
    """Build the dataset from a folder of articles (default: data/articles).

    An article is built again only when it, its record, or what the build reads for every article
    (ontology, mappings, shapes, code, settings) changed since the last build; the others' data
    are taken from the last generation."""
    from coopld.build import build as run_build

    settings = _settings(ctx, articles_dir=articles, out_dir=out, records_dir=records, base_iri=base_iri)
    result = run_build(settings, jobs=jobs, progress=True, reuse=not full, scheduler=scheduler)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    for notice in result.notices:
        click.echo(f"notice: {notice}", err=True)
    if result.report.violations:
        click.echo(f"The dataset breaks {result.report.violations} SHACL constraint(s); nothing was published "
                   f"and the dataset being served is unchanged. Report: {result.rejected}", err=True)
        for message in result.report.messages[:50]:
            click.echo(f"  - {message}", err=True)
        sys.exit(result.exit_code)
    if result.refused:
        click.echo(f"error: {result.refused}", err=True)
        sys.exit(result.exit_code)
    c = result.counts
    click.echo(f"Built {c['articles']} article(s) into {result.generation}, now served from {settings.out}/: "
               f"{c['events']} events, "
               f"{c['participations']} participations, {c['agreements']} agreements, {c['persons']} persons, "
               f"{c['organizations']} organizations; {c['asserted_triples']} asserted and "
               f"{c['inferred_triples']} inferred triples; {c['warnings']} warning(s); "
               f"store with {c['quads_in_store']} quads.")
    if scheduler:
        click.echo(f"{len(result.articles) - len(result.reused)} article(s) sent to the Dask cluster at {scheduler}.")
    if result.reused:
        click.echo(f"{len(result.reused)} of them unchanged since the last build, taken from it; "
                   f"{len(result.articles) - len(result.reused)} built (--full builds every one).")
    _print_warnings(result)
    _print_review_notes(result)
    if result.errors:
        kept = f"; {len(result.kept)} of them keep the data of their last good build" if result.kept else ""
        click.echo(f"{len(result.errors)} article(s) could not be built (see above){kept}.", err=True)
    sys.exit(result.exit_code)


#: warnings printed on the terminal; build.json lists every one
SHOWN_WARNINGS = 200


def _print_warnings(result: BuildResult) -> None:
    """What the extractor could not find, one line each: record, resource, property, reason."""
    found = result.report.warning_list
    if not found:
        return
    click.echo(f"{len(found)} warning(s), what the extractor could not find:")
    for warning in found[:SHOWN_WARNINGS]:
        fact = f" — {warning['property']}" if warning.get("property") else ""
        click.echo(f"  - {warning['record']}: {warning['about']}{fact}: {warning['reason']}")
    if len(found) > SHOWN_WARNINGS:
        click.echo(f"  … and {len(found) - SHOWN_WARNINGS} more, listed in {result.out / 'build.json'}.")


def _print_review_notes(result: BuildResult) -> None:
    """The review notes still to check, one line each: record, resource, fact, reason."""
    notes, cleared = result.open_notes, len(result.review_notes) - len(result.open_notes)
    if not notes and not cleared:
        return
    click.echo(f"{len(notes)} review note(s) to check" + (f" ({cleared} reviewed by hand)" if cleared else "")
               + (":" if notes else "."))
    for note in notes:
        click.echo(f"  - {note['record']}: {note['about']} — {note['fact']}: {note['reason']}")


@cli.command()
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def extract(ctx: click.Context, article: Path) -> None:
    """Print the record the extractor makes of one article (nothing is written)."""
    from coopld.articles import read_article
    from coopld.extract import extract_record, load_lexicon
    from coopld.records import dump_json

    settings = _settings(ctx)
    lexicon = load_lexicon(settings.mappings_dir, settings.ontology_dir / "vocab")
    text = read_article(article, max_bytes=settings.max_article_bytes, max_lines=settings.max_article_lines)
    click.echo(dump_json(extract_record(text, lexicon, settings.nlp_model)), nl=False)


@cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the report (Turtle) here.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
def validate_cmd(ctx: click.Context, files: tuple[Path, ...], report: Path | None, as_json: bool) -> None:
    """Validate RDF files (Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML) against the shapes,
    after OWL RL inference with the ontology."""
    from coopld.validate_rdf import validate_files

    settings = _settings(ctx)
    outcome = validate_files(settings, list(files))
    if report:
        report.write_text(outcome.graph.serialize(format="turtle"), encoding="utf-8")
    if as_json:
        click.echo(json.dumps({"conforms": outcome.conforms, "violations": outcome.violations,
                               "warnings": outcome.warnings}))
    else:
        click.echo(outcome.text.strip() if not outcome.conforms else
                   f"Conforms: {outcome.warnings} warning(s), no violations.")
    sys.exit(0 if outcome.conforms else 1)


@cli.command("check-ontology")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def check_ontology(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Check the ontology and vocabularies (or the given RDF files) against the OWL 2 RL profile
    and for modelling pitfalls; exit 1 if anything is found."""
    from coopld.ontology_profile import namespace_of, pitfalls, rl_violations
    from coopld.shacl import read_rdf
    from coopld.vocab import ONTOLOGY_IRI

    settings = _settings(ctx)
    paths = list(files) or [settings.ontology_dir / "coopld.ttl", *sorted((settings.ontology_dir / "vocab").glob("*.ttl"))]
    graph = read_rdf(paths[0])
    for path in paths[1:]:
        graph += read_rdf(path)
    findings = [f"OWL 2 RL: {v}" for v in rl_violations(graph)] + \
               [f"pitfall: {p}" for p in pitfalls(graph, namespace_of(graph) or ONTOLOGY_IRI + "#")]
    for finding in findings:
        click.echo(finding)
    click.echo(f"{len(paths)} file(s), {len(graph)} triples: "
               + ("in OWL 2 RL, no pitfalls." if not findings else f"{len(findings)} finding(s)."))
    sys.exit(1 if findings else 0)


@cli.command()
@click.option("--endpoint", help="SPARQL endpoint to ask [mappings/linking.toml: Wikidata's].")
@click.option("--build", "build_dir", type=click.Path(file_okay=False, path_type=Path), help="The build to link [build/].")
@click.option("--review", type=click.Path(dir_okay=False, path_type=Path), default=Path("data/link-proposals.json"),
              show_default=True, help="Where to write the proposals for review.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for each answer.")
@click.pass_context
def link(ctx: click.Context, endpoint: str | None, build_dir: Path | None, review: Path, timeout: float) -> None:
    """Propose links to another dataset for the resources that have none (nothing is accepted)."""
    from coopld.link_proposals import propose

    settings = _settings(ctx, out_dir=build_dir)
    outcome = propose(settings, endpoint, review, timeout=timeout)
    for error in outcome.errors:
        click.echo(f"not asked: {error['resource']} ({error['name']}): {error['error']}", err=True)
    click.echo(f"{len(outcome.proposals)} resource(s) with candidates written to {review} for review "
               f"({outcome.asked} asked, {outcome.cached} from the cache, {len(outcome.errors)} failed).")
    if outcome.errors:  # a script must not take a failed look-up for "no candidates"
        tried = outcome.asked + outcome.cached + len(outcome.errors)
        click.echo(f"error: {len(outcome.errors)} of {tried} look-up(s) failed (listed above); run again to ask them.",
                   err=True)
        sys.exit(2)


_STORE_HELP = ("The remote store's SPARQL query endpoint [the [store] settings or COOPLD_STORE]; its update "
               "endpoint, credentials and time limits come from the same settings (see the README).")


@cli.command()
@click.option("--store", "store_url", help=_STORE_HELP)
@click.option("--update", "update_url", help="The store's SPARQL update endpoint [COOPLD_STORE_UPDATE].")
@click.option("--graph-store", "graph_store_url",
              help="The store's Graph Store Protocol endpoint: graphs are sent with PUT, far faster on Virtuoso "
                   "[COOPLD_STORE_GRAPH_STORE].")
@click.option("--build", "build_dir", type=click.Path(file_okay=False, path_type=Path), help="The build to load [build/].")
@click.option("--dry-run", is_flag=True, help="Say what would change, and change nothing.")
@click.option("--batch-bytes", type=click.IntRange(10_000), default=4_000_000, show_default=True,
              help="The most N-Triples one update request carries (with --graph-store: the graphs written "
                   "before their checksums are recorded).")
@click.pass_context
def load(ctx: click.Context, store_url: str | None, update_url: str | None, graph_store_url: str | None,
         build_dir: Path | None, dry_run: bool, batch_bytes: int) -> None:
    """Publish the served build into a remote SPARQL store: each changed graph replaced whole,
    the rest left alone; run it again after a failure to carry on."""
    from tqdm import tqdm

    from coopld import load as loading
    from coopld.store.remote import RemoteStore, remote_config

    settings = _settings(ctx, out_dir=build_dir)
    config = remote_config(store_url, update=update_url, graph_store=graph_store_url)
    if config is None:
        raise click.UsageError("give the store: --store URL, COOPLD_STORE or the [store] settings")
    store = RemoteStore(config)
    try:
        plan = loading.plan(settings.out, store)
        click.echo(("would load: " if dry_run else "loading: ") + plan.describe())
        if dry_run:
            for name in plan.write:
                click.echo(f"  write {name}")
            for name in plan.drop:
                click.echo(f"  drop  {name}")
            return
        with tqdm(total=plan.bytes, unit="B", unit_scale=True, desc="coopld load", disable=None) as bar:
            loading.apply(store, plan, batch_bytes=batch_bytes, progress=bar.update)
    finally:
        store.close()
    click.echo(f"loaded into {config.query}: version {plan.version[:12]}.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--build", "build_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The build folder to serve [build/].")
@click.option("--store", "store_url", help="Serve what 'coopld load' published into this remote store. " + _STORE_HELP)
def serve(host: str, port: int, build_dir: Path | None, store_url: str | None) -> None:
    """Serve a built dataset locally (for production, run the same app under gunicorn)."""
    from werkzeug.serving import run_simple

    from coopld.web import create_app
    from coopld.web.headers import DevRequestHandler

    overrides = {"COOPLD_BUILD": str(build_dir)} if build_dir else {}
    if store_url:
        overrides["COOPLD_STORE"] = store_url
    app = create_app(overrides or None)
    source = store_url or f"{app.config['COOPLD_SETTINGS'].out}/"
    click.echo(f"coopld is serving {source} at http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, request_handler=DevRequestHandler)


def main() -> None:
    """Entry point: run the command group, turning coopld's errors into messages."""
    try:
        cli(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except CoopldError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
