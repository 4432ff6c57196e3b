"""`nntui serve`: the app in a browser, through textual-serve, one session per visitor.

Every browser that opens the page gets its own nntui process (its own model, its own
training), started with the app options given here. The server binds to 127.0.0.1 (this
machine only) unless ``--host`` says otherwise: ``--host 0.0.0.0`` opens it to the network.
"""

import argparse
import shlex
import socket
import sys

from nntui.options import DESCRIPTION, INPUT_ERRORS, add_setup_options, fail, session_from_args

#: Hosts that mean every interface of this machine: no browser can use them as an address.
ANY_HOST = ("0.0.0.0", "::", "")
#: The serve options; every other option is the app's, passed to each visitor's app.
SERVE_OPTIONS = ("--host", "--port", "--public-url")


def build_serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui serve",
        description=DESCRIPTION + " This serves the app to web browsers, a session each.",
        epilog="The app options (data, layers, config, ...) are those of nntui --help; every "
        "visitor's app starts with them. Ctrl+C stops the server and every session.",
        allow_abbrev=False,
    )
    _add_serve_options(parser)
    add_setup_options(parser)
    return parser


def _add_serve_options(parser: argparse.ArgumentParser) -> None:
    server = parser.add_argument_group("server")
    server.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default: 127.0.0.1, this machine "
                        "only; 0.0.0.0 for every network interface)")  # fmt: skip
    server.add_argument("--port", type=int, default=8000, help="the port (default: 8000)")
    server.add_argument("--public-url", metavar="URL",
                        help="the address browsers use to reach this server, e.g. "
                        "http://192.168.1.20:8000 (default: from --host and --port)")  # fmt: skip


def app_arguments(argv: list[str]) -> list[str]:
    """``argv`` without the serve options: what each visitor's app is started with."""
    serve_only = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    _add_serve_options(serve_only)
    _, rest = serve_only.parse_known_args(argv)
    return rest


def app_command(app_argv: list[str]) -> str:
    """The shell command textual-serve runs for each visitor: this Python, ``-m nntui``."""
    return shlex.join([sys.executable, "-m", "nntui", *app_argv])


def public_url(host: str, port: int) -> str:
    """The URL a browser uses. Listening on every interface, that is this machine's
    address on its network (the one a connection out would leave from), else its name."""
    if host in ANY_HOST:
        host = _network_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _network_address() -> str:
    """This machine's address on its network, without sending anything: a UDP socket
    "connected" to a private address only chooses the interface it would leave from."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()


def main(argv: list[str]) -> int:
    parser = build_serve_parser()
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port}: a port is from 1 to 65535")
    try:
        session_from_args(args, parser)  # every visitor's app would refuse the same input
    except INPUT_ERRORS as err:
        return fail(err)
    from textual_serve.server import Server  # imported here so that --help stays quick

    url = args.public_url or public_url(args.host, args.port)
    command = app_command(app_arguments(argv))
    print(f"nntui: serving the app at {url} (listening on {args.host}:{args.port}); "
          "each browser gets its own session", file=sys.stderr)  # fmt: skip
    try:
        Server(command, host=args.host, port=args.port, title="nntui", public_url=url).serve()
    except OSError as err:
        return fail(OSError(f"cannot listen on {args.host}:{args.port}: {err.strerror}"))
    return 0
