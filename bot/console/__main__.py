"""python -m bot.console [--host HOST] [--port PORT]: the staff console (see bot/console/app.py)."""

import argparse
import logging

from aiohttp import web

from bot.console.app import create_app
from bot.logsafe import install_process_masking


def main() -> None:
    install_process_masking()
    parser = argparse.ArgumentParser(prog="python -m bot.console", description="坐席控制台")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
