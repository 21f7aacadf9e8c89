"""Extraction quality on real pages: generic ingot against bare trafilatura on the devbench corpus.

    .venv/bin/python -m bench.bench_quality [--devbench ../shared/devbench] [--workers 2] [--json out.json]

Each page of ``devbench/cases.jsonl`` is decoded once (ingot's decoder, which both extractors then read), then
extracted by ``extract.extract_article`` with no site rule (as ``ingot extract-files`` does for an unconfigured
site) and by ``trafilatura.bare_extraction(with_metadata=True)`` with its default options. Both are scored by
``bench.quality_score`` as the corpus README says: body shingle F1 on the text-gold pages, snippet P/R/F1 on the
snippet-gold pages, fail share, title, date and author scores, per source and per language. Then the pages where
ingot loses: body F1 more than 0.1 below trafilatura's, or a ``with`` snippet that trafilatura keeps and ingot
misses, each with what ingot returned and why.

A benchmark, not a test: it reads the corpus from ``../shared`` and copies nothing of it into the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench.common import print_table
from bench.quality_score import SnippetCounts, authors_f1, body_score, same_day, snippet_counts, title_exact
from ingot.paths import PROJECT_ROOT

DEFAULT_DEVBENCH = PROJECT_ROOT.parent / "shared" / "devbench"
FETCHED_AT = datetime(2026, 12, 1, tzinfo=timezone.utc)  # later than every page of the corpus
PLACEHOLDER_URL = "http://fakehost/test/page.html"  # as Readability's own tests, for pages without a URL
FAIL_F1 = 0.1
LOSS_MARGIN = 0.1
SYSTEMS = ("ingot", "trafilatura")


_TRACE: dict = {}


def _trace_cleaning() -> None:
    """Keep, for the page being extracted, the lines trafilatura gave and what the cleaning dropped, so that a
    missed snippet can be explained. The benchmark's worker processes only; the extractor is unchanged."""
    import extract.article

    if _TRACE.get("installed"):
        return
    original = extract.article.clean_paragraphs

    def traced(lines, **kwargs):
        result = original(lines, **kwargs)
        _TRACE.update(lines=list(lines), dropped=list(result.dropped))
        return result

    extract.article.clean_paragraphs = traced
    _TRACE["installed"] = True


def ingot_prediction(body: bytes, url: str) -> dict:
    from extract import Article, extract_article

    _trace_cleaning()
    _TRACE.update(lines=[], dropped=[])
    try:
        result = extract_article(body, url, fetched_at=FETCHED_AT)
    except Exception as error:  # a crash is a result to report, not the end of the benchmark
        return {"text": "", "reason": f"extractor_error: {type(error).__name__}: {error}"}
    trace = {"lines": _TRACE["lines"], "dropped": _TRACE["dropped"]}
    if not isinstance(result, Article):
        return {"text": "", "reason": f"{result.reason}: {result.detail}", **trace}
    return {"text": result.text, "title": result.title, "authors": list(result.authors),
            "date": result.published_at.isoformat() if result.published_at else None,
            "reason": "article, paywalled" if result.paywalled else "article", **trace}


def why_missing(snippet: str, ingot: dict) -> str:
    """Where one `with` snippet that ingot's body lacks went."""
    wanted = "".join(snippet.lower().split())
    if wanted in "".join((ingot.get("title") or "").lower().split()):
        return "it is the headline: in the title field, not repeated in the body"
    for rule, paragraph in ingot.get("dropped", ()):
        if wanted in "".join(paragraph.lower().split()):
            return f"dropped by cleaning: {rule}"
    if not any(wanted in "".join(line.lower().split()) for line in ingot.get("lines", ())):
        return "not in trafilatura's lines on ingot's tree (widget lines removed, or trafilatura chose another block)"
    return ingot["reason"]


def trafilatura_prediction(body: bytes, url: str) -> dict:
    import trafilatura
    from extract.decode import UndecodableError, decode_html

    try:
        html = decode_html(body)[0]
    except UndecodableError:
        html = body.decode("utf-8", "replace")
    try:
        document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    except Exception as error:
        return {"text": "", "reason": f"error: {type(error).__name__}: {error}"}
    if document is None:
        return {"text": "", "reason": "nothing extracted"}
    return {"text": document.text or "", "title": document.title,
            "authors": [a.strip() for a in (document.author or "").split(";") if a.strip()],
            "date": document.date, "reason": "article"}


def predict(job: tuple[dict, str]) -> dict:
    case, devbench = job
    body = gzip.decompress((Path(devbench) / "pages" / f"{case['id']}.html.gz").read_bytes())
    url = case.get("url") or PLACEHOLDER_URL
    return {"ingot": ingot_prediction(body, url), "trafilatura": trafilatura_prediction(body, url)}


@dataclass
class Tally:
    """Scores of one group of pages for one system."""
    body_f1: list[float] = field(default_factory=list)
    snippets: SnippetCounts = field(default_factory=SnippetCounts)
    snippet_pages: int = 0
    failed: int = 0
    pages: int = 0
    titles: list[bool] = field(default_factory=list)
    dates: list[bool] = field(default_factory=list)
    authors: list[float] = field(default_factory=list)

    def add(self, case: dict, prediction: dict) -> dict:
        """Score one page into the tally; returns the page's own scores."""
        self.pages += 1
        own: dict = {}
        if case["gold"] == "text":
            own["f1"] = body_score(prediction["text"], case["text"]).f1
            self.body_f1.append(own["f1"])
            failed = own["f1"] < FAIL_F1
        else:
            counts = snippet_counts(prediction["text"], case.get("with") or [], case.get("without") or [])
            own["snippets"] = counts
            self.snippets += counts
            self.snippet_pages += 1
            failed = bool(case.get("with")) and counts.true_positive == 0
        self.failed += failed
        if case.get("title"):
            self.titles.append(title_exact(prediction.get("title"), case["title"]))
        if case.get("date"):
            self.dates.append(same_day(prediction.get("date"), case["date"]))
        if case.get("authors"):
            self.authors.append(authors_f1(prediction.get("authors") or [], case["authors"]))
        return own


def _mean(values) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "-"


def group_rows(name: str, tallies: dict[str, Tally]) -> list[list[str]]:
    rows = []
    for system in SYSTEMS:
        t = tallies[system]
        snip = t.snippets.score() if t.snippet_pages else None
        rows.append([name if system == "ingot" else "", system, str(t.pages), _mean(t.body_f1) + f" ({len(t.body_f1)})",
                     f"{snip.precision:.3f} / {snip.recall:.3f} / {snip.f1:.3f}" if snip else "-",
                     f"{t.failed / t.pages:.1%}" if t.pages else "-", _mean(t.titles), _mean(t.dates),
                     _mean(t.authors)])
    return rows


HEADER = ["group", "system", "pages", "body F1 (pages)", "snippets P / R / F1", "fail", "title exact",
          "date same day", "authors F1"]


def losses(case: dict, predictions: dict, scores: dict) -> str | None:
    """Why ingot loses on this page, or None."""
    ingot, traf = scores["ingot"], scores["trafilatura"]
    if "f1" in ingot:
        if ingot["f1"] < traf["f1"] - LOSS_MARGIN:
            return f"body F1 {ingot['f1']:.2f} < {traf['f1']:.2f}"
        return None
    kept_by_trafilatura = set(case.get("with") or []) - set(traf["snippets"].missed)
    lost = [s for s in ingot["snippets"].missed if s in kept_by_trafilatura]
    if not lost:
        return None
    return f"misses {len(lost)} snippet(s) trafilatura keeps: {lost[0][:40]!r}: {why_missing(lost[0], predictions['ingot'])}"


def main(argv: list[str] | None = None) -> dict | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devbench", type=Path, default=DEFAULT_DEVBENCH)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--json", type=Path, help="write every page's predictions and scores here")
    parser.add_argument("--only", nargs="*", help="case ids to run")
    args = parser.parse_args(argv)
    cases_file = args.devbench / "cases.jsonl"
    if not cases_file.exists():
        print(f"devbench not found: {cases_file} (give --devbench)", file=sys.stderr)
        return None
    cases = [json.loads(line) for line in cases_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.only:
        cases = [c for c in cases if c["id"] in set(args.only)]
    jobs = [(case, str(args.devbench)) for case in cases]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        predictions = pool.map(predict, jobs, chunksize=4)

    groups: dict[str, dict[str, Tally]] = defaultdict(lambda: {s: Tally() for s in SYSTEMS})
    report, records = [], []
    for case, prediction in zip(cases, predictions):
        language = case.get("lang") or "und"
        names = ["all", f"source: {case['source']}",
                 f"language: {language}" if language in ("en", "de", "fr", "es", "zh-Hans", "zh-Hant", "ja", "th")
                 else "language: other"]
        scores = {}
        for system in SYSTEMS:
            for name in names:
                own = groups[name][system].add(case, prediction[system])
            scores[system] = own
        loss = losses(case, prediction, scores)
        if loss:
            report.append([case["id"], loss, prediction["ingot"]["reason"][:70]])
        records.append({"id": case["id"], "source": case["source"], "lang": language, "loss": loss,
                        "scores": {s: {k: (v.__dict__ if isinstance(v, SnippetCounts) else v) for k, v in sc.items()}
                                   for s, sc in scores.items()},
                        "predictions": prediction})
    order = ["all"] + sorted(n for n in groups if n.startswith("source")) + sorted(n for n in groups if n.startswith("language"))
    rows = [row for name in order for row in group_rows(name, groups[name])]
    print_table(f"devbench: {len(cases)} pages from {args.devbench}", HEADER, rows)
    if report:
        print_table(f"pages where ingot loses to trafilatura ({len(report)})", ["page", "loss", "what ingot returned"],
                    report)
    if args.json:
        args.json.write_text(json.dumps(records, ensure_ascii=False, default=list), encoding="utf-8")
    return {"all": groups["all"], "losses": len(report)}


def summary(tallies: dict[str, Tally]) -> dict[str, dict[str, float]]:
    """The headline figures of each system: snippet F1, body F1, fail share, title, date and author scores."""
    def mean(values):
        return sum(values) / len(values) if values else 0.0

    return {system: {"snippet_f1": t.snippets.score().f1, "body_f1": mean(t.body_f1), "fail": t.failed / max(1, t.pages),
                     "title": mean(t.titles), "date": mean(t.dates), "authors": mean(t.authors)}
            for system, t in tallies.items()}


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 2)
