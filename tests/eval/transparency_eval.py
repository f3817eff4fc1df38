#!/usr/bin/env python3
"""Document-level evaluation of `privacy-lsp check` against GDPR-Transparency-200.

For every policy in the dataset zip this script

1. rebuilds the policy as a Markdown file ``<app_id>.md`` in a temporary
   directory (headlines become ``## `` headings, list items ``- `` items,
   table cells and text become paragraphs),
2. runs ``<binary> check --format json --fail-on hint <dir>`` once over that
   directory,
3. compares the facts of the JSON report with the human annotations, per
   document (never per sentence): a document is gold-positive for a
   requirement if that requirement is annotated at least once with
   ``performed`` not equal to ``false``,
4. prints precision / recall / F1 per fact and their macro averages.

Usage (from anywhere; relative --binary/--zip paths are resolved against the
repository root, i.e. two directories above this file; output paths given to
--json/--keep-markdown are relative to the current directory):

    python3 tests/eval/transparency_eval.py \
        --binary target/release/privacy-lsp \
        --zip ../shared/data/gdpr-transparency-200/gdpr-transparency-200-v1.zip

Options: ``--json OUT`` also writes the numbers as JSON, ``--errors N`` lists up
to N false-positive / false-negative app ids per row, ``--keep-markdown DIR``
writes the rebuilt Markdown to DIR instead of a temporary directory.

Only the Python 3.11 standard library is used. The dataset texts are read
from the zip at run time and are never written into the repository (unless
``--keep-markdown`` points there).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BINARY = "target/release/privacy-lsp"
DEFAULT_ZIP = "../shared/data/gdpr-transparency-200/gdpr-transparency-200-v1.zip"

# Rights reported in facts.rights -> dataset requirement name.
RIGHT_REQUIREMENTS: list[tuple[str, str]] = [
    ("access", "Right to Access"),
    ("rectification", "Right to Rectification"),
    ("erasure", "Right to Erasure"),
    ("restriction", "Right to Restrict"),
    ("portability", "Right to Portability"),
    ("objection", "Right to Object"),
    ("withdraw_consent", "Right to Withdraw Consent"),
    ("complaint", "Right to Lodge Complaint"),
]
RETENTION_REQUIREMENT = "Data Retention Period"
CONTROLLER_CONTACT_REQUIREMENT = "Controller Contact"
DPO_CONTACT_REQUIREMENT = "DPO Contact"

NOTES = [
    "Gold label: requirement annotated >= 1 time in the document with performed != false.",
    "complaint: the checker sets rights.complaint only when a supervisory authority is "
    "named, while the gold 'Right to Lodge Complaint' also counts a bare mention of the "
    "right to complain. A 'complaint (mentioned)' row cannot be derived from the facts, "
    "so lower recall on this row is partly a definition difference.",
    "retention: predicted positive = retention != 'none' (both 'vague' and 'specific' count).",
    "controller_contact: predicted positive = controller_contact list non-empty; gold "
    "'Controller Contact' also includes phrases like 'contact us'.",
    "dpo: predicted positive = dpo is not null and dpo.contact is non-empty.",
    "Documents missing from the report are counted as predicting every fact negative.",
]


@dataclass
class Document:
    """One policy of the dataset: its passages and derived gold labels."""

    app_id: str
    passages: list[dict]
    # requirement name -> first passage text with a positive annotation
    positive_examples: dict[str, str] = field(default_factory=dict)

    def gold(self, requirement: str) -> bool:
        """True if the requirement is annotated with performed != false."""
        return requirement in self.positive_examples


@dataclass
class Row:
    """Confusion counts for one evaluated fact."""

    name: str
    requirement: str
    tp: list[str] = field(default_factory=list)
    fp: list[str] = field(default_factory=list)
    fn: list[str] = field(default_factory=list)
    tn: list[str] = field(default_factory=list)

    def add(self, app_id: str, gold: bool, predicted: bool) -> None:
        """Record one document's outcome."""
        bucket = {
            (True, True): self.tp,
            (False, True): self.fp,
            (True, False): self.fn,
            (False, False): self.tn,
        }[(gold, predicted)]
        bucket.append(app_id)

    def metrics(self) -> dict:
        """Counts plus precision/recall/F1 (None where undefined)."""
        tp, fp, fn, tn = len(self.tp), len(self.fp), len(self.fn), len(self.tn)
        precision = safe_div(tp, tp + fp)
        recall = safe_div(tp, tp + fn)
        if precision is None or recall is None or precision + recall == 0:
            f1 = None if precision is None or recall is None else 0.0
        else:
            f1 = 2 * precision * recall / (precision + recall)
        return {
            "name": self.name,
            "requirement": self.requirement,
            "gold_pos": tp + fn,
            "pred_pos": tp + fp,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }


def safe_div(num: float, den: float) -> float | None:
    """num / den, or None when den is zero."""
    return None if den == 0 else num / den


def repo_root() -> Path:
    """The repository root: two levels above tests/eval/."""
    return Path(__file__).resolve().parents[2]


def resolve(path: str) -> Path:
    """Resolve a (possibly relative) path against the repository root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (repo_root() / p).resolve()


def load_dataset(zip_path: Path) -> tuple[list[Document], list[str]]:
    """Read all policies from the zip.

    Skips ``__MACOSX/`` entries and directories. Returns the parsed documents
    (sorted by app id) and the names of entries that are not valid JSON.
    """
    documents: list[Document] = []
    skipped: list[str] = []
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or name.startswith("__MACOSX/") or not name.endswith(".json"):
                continue
            try:
                passages = json.loads(zf.read(info).decode("utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                skipped.append(name)
                continue
            if not isinstance(passages, list):
                skipped.append(name)
                continue
            app_id = Path(name).name[: -len(".json")]
            documents.append(Document(app_id, passages, gold_examples(passages)))
    documents.sort(key=lambda d: d.app_id)
    return documents, sorted(skipped)


def gold_examples(passages: list[dict]) -> dict[str, str]:
    """Map requirement -> first passage carrying a non-denied annotation of it."""
    examples: dict[str, str] = {}
    for passage in passages:
        for ann in passage.get("annotations") or []:
            requirement = ann.get("requirement")
            if requirement and ann.get("performed") is not False:
                examples.setdefault(requirement, passage.get("passage", ""))
    return examples


def one_line(text: str) -> str:
    """Collapse all whitespace (including newlines) into single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def to_markdown(passages: list[dict]) -> str:
    """Rebuild a policy as Markdown.

    headline -> ``## text`` (consecutive identical headlines deduplicated),
    list_item -> ``- text`` (consecutive items form one tight list),
    table_cell / table_header / text / unknown types -> paragraphs.
    Blocks are separated by blank lines.
    """
    blocks: list[str] = []
    list_items: list[str] = []
    last_headline: str | None = None

    def flush_list() -> None:
        if list_items:
            blocks.append("\n".join(list_items))
            list_items.clear()

    for passage in passages:
        kind = passage.get("type")
        text = one_line(str(passage.get("passage", "")))
        if not text:
            continue
        if kind == "list_item":
            # The source text sometimes keeps its own bullet; drop it.
            list_items.append("- " + re.sub(r"^[-*+•]\s+", "", text))
            last_headline = None
            continue
        flush_list()
        if kind == "headline":
            if text != last_headline:
                blocks.append("## " + text)
            last_headline = text
            continue
        blocks.append(text)
        last_headline = None
    flush_list()
    return "\n\n".join(blocks) + "\n"


def write_markdown(documents: list[Document], out_dir: Path) -> None:
    """Write one ``<app_id>.md`` per document into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for doc in documents:
        (out_dir / f"{doc.app_id}.md").write_text(to_markdown(doc.passages), encoding="utf-8")


def run_checker(binary: Path, md_dir: Path) -> dict:
    """Run the checker once over md_dir and return the parsed JSON report.

    Exit codes 0 and 1 are normal; anything else is an error (stderr is
    printed and SystemExit(2) raised).
    """
    # Name every file: a directory search would skip files that do not read as policies.
    files = sorted(str(p) for p in md_dir.glob("*.md"))
    cmd = [str(binary), "check", "--format", "json", "--fail-on", "hint", *files]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as exc:
        sys.exit(f"error: cannot run {binary}: {exc}")
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr)
        print(f"error: `{' '.join(cmd)}` exited with {proc.returncode}", file=sys.stderr)
        raise SystemExit(2)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        sys.stderr.write(proc.stderr)
        print(f"error: report is not valid JSON: {exc}", file=sys.stderr)
        raise SystemExit(2)
    if not isinstance(report, dict) or not isinstance(report.get("files"), list):
        print("error: report has no 'files' list", file=sys.stderr)
        raise SystemExit(2)
    return report


def facts_by_app(report: dict) -> tuple[dict[str, dict], int]:
    """Map app id (file stem of ``path``) -> facts; also count non-policy files."""
    facts: dict[str, dict] = {}
    not_policy = 0
    for entry in report["files"]:
        app_id = Path(str(entry.get("path", ""))).stem
        facts[app_id] = entry.get("facts") or {}
        if entry.get("is_policy") is False:
            not_policy += 1
    return facts, not_policy


def predictions(facts: dict) -> dict[str, bool]:
    """Turn one file's facts into the predicted label of every row."""
    rights = facts.get("rights") or {}
    dpo = facts.get("dpo")
    pred = {name: bool(rights.get(name)) for name, _ in RIGHT_REQUIREMENTS}
    pred["retention"] = (facts.get("retention") or "none") != "none"
    pred["controller_contact"] = bool(facts.get("controller_contact"))
    pred["dpo"] = isinstance(dpo, dict) and bool(dpo.get("contact"))
    return pred


def row_specs() -> list[tuple[str, str]]:
    """(row name, requirement) in display order."""
    return RIGHT_REQUIREMENTS + [
        ("retention", RETENTION_REQUIREMENT),
        ("controller_contact", CONTROLLER_CONTACT_REQUIREMENT),
        ("dpo", DPO_CONTACT_REQUIREMENT),
    ]


def evaluate(documents: list[Document], facts: dict[str, dict]) -> tuple[list[Row], dict]:
    """Fill confusion rows; also return the retention vague/specific breakdown."""
    rows = [Row(name, req) for name, req in row_specs()]
    retention = {"gold_pos": {"specific": 0, "vague": 0, "none": 0},
                 "gold_neg": {"specific": 0, "vague": 0, "none": 0}}
    for doc in documents:
        doc_facts = facts.get(doc.app_id, {})
        pred = predictions(doc_facts)
        for row in rows:
            row.add(doc.app_id, doc.gold(row.requirement), pred[row.name])
        kind = doc_facts.get("retention") or "none"
        side = "gold_pos" if doc.gold(RETENTION_REQUIREMENT) else "gold_neg"
        retention[side][kind] = retention[side].get(kind, 0) + 1
    return rows, retention


def macro(metrics: list[dict]) -> dict:
    """Unweighted mean of precision/recall/F1 over rows where defined."""
    out: dict = {}
    for key in ("precision", "recall", "f1"):
        values = [m[key] for m in metrics if m[key] is not None]
        out[key] = sum(values) / len(values) if values else None
        out[f"{key}_rows"] = len(values)
    return out


def fmt(value: float | None) -> str:
    """Three decimals, or 'n/a'."""
    return "n/a" if value is None else f"{value:.3f}"


def print_table(metrics: list[dict], macro_avg: dict) -> None:
    """Print the aligned result table."""
    header = ["row", "requirement", "gold", "pred", "TP", "FP", "FN", "TN", "P", "R", "F1"]
    lines = [[m["name"], m["requirement"], *(str(m[k]) for k in ("gold_pos", "pred_pos", "tp", "fp", "fn", "tn")),
              fmt(m["precision"]), fmt(m["recall"]), fmt(m["f1"])] for m in metrics]
    lines.append(["macro", f"({len(metrics)} rows)", "", "", "", "", "", "",
                  fmt(macro_avg["precision"]), fmt(macro_avg["recall"]), fmt(macro_avg["f1"])])
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    print(render(header))
    print("  ".join("-" * w for w in widths))
    for line in lines[:-1]:
        print(render(line))
    print("  ".join("-" * w for w in widths))
    print(render(lines[-1]))


def error_listing(rows: list[Row], documents: list[Document], limit: int) -> dict:
    """Up to `limit` FP ids and FN ids (with a gold passage snippet) per row."""
    by_id = {d.app_id: d for d in documents}
    listing = {}
    for row in rows:
        listing[row.name] = {
            "false_positives": row.fp[:limit],
            "false_negatives": [
                {"app_id": app_id, "passage": one_line(by_id[app_id].positive_examples[row.requirement])[:160]}
                for app_id in row.fn[:limit]
            ],
        }
    return listing


def print_errors(listing: dict, rows: list[Row]) -> None:
    """Print the FP/FN listing."""
    totals = {r.name: (len(r.fp), len(r.fn)) for r in rows}
    for name, entry in listing.items():
        n_fp, n_fn = totals[name]
        print(f"\n[{name}] false positives ({len(entry['false_positives'])} of {n_fp}):")
        for app_id in entry["false_positives"]:
            print(f"  FP {app_id}")
        print(f"[{name}] false negatives ({len(entry['false_negatives'])} of {n_fn}):")
        for item in entry["false_negatives"]:
            print(f"  FN {item['app_id']}: {item['passage']}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line interface."""
    parser = argparse.ArgumentParser(
        description="Document-level P/R/F1 of privacy-lsp facts on GDPR-Transparency-200. "
        "Relative --binary/--zip paths are resolved against the repository root; "
        "output paths (--json, --keep-markdown) against the current directory.")
    parser.add_argument("--binary", default=DEFAULT_BINARY, help=f"checker binary (default: {DEFAULT_BINARY})")
    parser.add_argument("--zip", default=DEFAULT_ZIP, help=f"dataset zip (default: {DEFAULT_ZIP})")
    parser.add_argument("--json", metavar="OUT", help="also write the numbers as JSON to OUT")
    parser.add_argument("--errors", metavar="N", type=int, default=0,
                        help="list up to N false-positive and false-negative app ids per row")
    parser.add_argument("--keep-markdown", metavar="DIR",
                        help="write the rebuilt Markdown to DIR (kept) instead of a temp dir")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; returns the process exit code."""
    args = parse_args(argv)
    binary, zip_path = resolve(args.binary), resolve(args.zip)
    if not binary.is_file():
        print(f"error: binary not found: {binary} (build it with `cargo build --release`)", file=sys.stderr)
        return 2
    if not zip_path.is_file():
        print(f"error: dataset zip not found: {zip_path}", file=sys.stderr)
        return 2

    documents, skipped = load_dataset(zip_path)
    if args.keep_markdown:
        md_dir = Path(args.keep_markdown).resolve()
        write_markdown(documents, md_dir)
        report = run_checker(binary, md_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="transparency-eval-") as tmp:
            write_markdown(documents, Path(tmp))
            report = run_checker(binary, Path(tmp))

    facts, not_policy = facts_by_app(report)
    missing = sorted(d.app_id for d in documents if d.app_id not in facts)
    rows, retention = evaluate(documents, facts)
    metrics = [r.metrics() for r in rows]
    macro_avg = macro(metrics)

    print(f"dataset: {zip_path}")
    print(f"binary:  {binary}")
    print(f"documents evaluated: {len(documents)}; skipped (invalid JSON): {len(skipped)}"
          + (f" [{', '.join(skipped)}]" if skipped else ""))
    print(f"reported files: {len(report['files'])}; is_policy=false: {not_policy}; "
          f"missing from report: {len(missing)}" + (f" [{', '.join(missing[:10])}]" if missing else ""))
    print()
    print_table(metrics, macro_avg)
    pos = retention["gold_pos"]
    print(f"\nretention on gold-positive docs: specific={pos.get('specific', 0)} "
          f"vague={pos.get('vague', 0)} none={pos.get('none', 0)}")
    print("\nnotes:")
    for note in NOTES:
        print(f"  - {note}")

    listing = error_listing(rows, documents, args.errors) if args.errors > 0 else None
    if listing is not None:
        print_errors(listing, rows)

    if args.json:
        out = {
            "dataset": {"zip": str(zip_path), "documents": len(documents), "skipped_invalid_json": skipped},
            "binary": str(binary),
            "tool": report.get("tool"),
            "reported_files": len(report["files"]),
            "not_policy": not_policy,
            "missing_from_report": missing,
            "rows": metrics,
            "macro": macro_avg,
            "retention_breakdown": retention,
            "notes": NOTES,
        }
        if listing is not None:
            out["errors"] = listing
        out_path = Path(args.json)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
