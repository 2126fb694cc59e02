"""`khub export-schema`: the schema as SDL, the artifact committed as `schema.graphql`."""

from __future__ import annotations

import argparse
from pathlib import Path

from graph.schema import build_schema
from persistence.settings import Settings


def schema_sdl() -> str:
    """The SDL of the development schema (production only hides it at run time)."""
    return build_schema().as_str() + "\n"


def configure_export_schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", type=Path, metavar="PATH", help="write to this file instead of stdout"
    )


async def run_export_schema(args: argparse.Namespace, settings: Settings) -> int:
    sdl = schema_sdl()
    if args.output is None:
        print(sdl, end="")
        return 0
    args.output.write_text(sdl, encoding="utf-8")
    print(f"wrote the schema to {args.output}")
    return 0
