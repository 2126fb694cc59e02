"""GraphiQL served from this server: the page, its vendored assets, and their installer.

Strawberry's own GraphiQL page loads React and GraphiQL from a public CDN, so it stays at
"Loading..." without internet access. `khub install-graphiql` (graph/static/install-graphiql.sh)
copies the prebuilt bundles of the npm packages pinned in graph/static/package.json into
graph/static/vendor/; when they are there, `/graphql` serves our page, which loads them from
`/graphiql-assets/`. Without them it falls back to Strawberry's CDN page.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from persistence.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
VENDOR = STATIC / "vendor"
PAGE = STATIC / "graphiql.html"
INSTALLER = STATIC / "install-graphiql.sh"
ASSETS_PATH = "/graphiql-assets"
ASSETS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
    "plugin-explorer.umd.js",
    "plugin-explorer.css",
)
INSTALL_HINT = "run `khub install-graphiql` to serve GraphiQL from this server (works offline)"


def assets_installed(vendor: Path = VENDOR) -> bool:
    """Whether every file the page loads has been installed."""
    return all((vendor / name).is_file() for name in ASSETS)


def local_page(vendor: Path = VENDOR) -> str | None:
    """Our GraphiQL page when its assets are installed, else None (use the CDN page)."""
    return PAGE.read_text(encoding="utf-8") if assets_installed(vendor) else None


def routes(enabled: bool, vendor: Path = VENDOR) -> list[BaseRoute]:
    """The static route for the assets, when GraphiQL is on and they are installed."""
    if not (enabled and assets_installed(vendor)):
        return []
    return [Mount(ASSETS_PATH, app=StaticFiles(directory=vendor), name="graphiql-assets")]


async def install(destination: Path = VENDOR) -> int:
    """Run the installer (it needs bash and npm); returns its exit status."""
    process = await asyncio.create_subprocess_exec("bash", str(INSTALLER), str(destination))
    return await process.wait()


def configure_install(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dest", type=Path, default=VENDOR, help=f"where to install them (default: {VENDOR})"
    )


async def run_install(args: argparse.Namespace, settings: Settings) -> int:
    """`khub install-graphiql`: the command behind the installer script."""
    return await install(args.dest)
