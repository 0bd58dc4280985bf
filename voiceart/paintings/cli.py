"""Command-line subcommands of the painting catalogue: ``voiceart styles``."""
from __future__ import annotations

import argparse
import json

from voiceart.paintings.catalogue import Catalogue


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "styles", help="list the art styles, how many paintings each has, and what each looks like",
        description="Every art style in the catalogue (the built-in paintings plus any given with --paintings), "
                    "with its number of paintings and a one-line description.")
    p.add_argument("--json", action="store_true", help="print one JSON object, {style: number of paintings}")
    p.set_defaults(run=styles_command)


def styles_table(catalogue: Catalogue) -> str:
    """An aligned table: style, number of paintings, description; then a total."""
    styles = catalogue.styles()
    width = max((len(name) for name in styles), default=5)
    lines = [f"{'Style':<{width}}  Paintings  Description"]
    for name, count in styles.items():
        summary = catalogue.describe(name).split(": ", 1)[-1]
        lines.append(f"{name:<{width}}  {count:>9}  {summary}")
    lines.append(f"{len(catalogue)} paintings in {len(styles)} styles.")
    return "\n".join(lines)


def styles_command(args: argparse.Namespace, settings) -> int:
    catalogue = Catalogue.load(settings)
    if args.json:
        print(json.dumps(catalogue.styles(), ensure_ascii=False))
    else:
        print(styles_table(catalogue))
    return 0
