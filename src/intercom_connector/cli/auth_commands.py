"""`auth add | update | list | show | test | remove | scopes | rotate-key`: authentications.

A token given with ``--token`` is checked before it is stored: ``/me`` must accept it (exit 3
if Intercom refuses it), unless ``--no-verify`` (offline set-up, a token for later). A token
from the OAuth flow has just been issued by the token endpoint and is stored as it comes.

Secrets come in by OAuth, by ``--token -`` (stdin or a hidden prompt, so they stay out of
shell history) or, for one-off scripts, by ``--token VALUE``; they never go out: no command
prints, logs or reports one, and every error passes through redaction of what was typed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import webbrowser
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from intercom_connector.auth import (
    Authentication,
    AuthenticationStore,
    AuthType,
    Method,
    OAuthApp,
    OAuthEndpoints,
    authorize,
    choose_scopes,
    known_scopes,
)
from intercom_connector.auth.models import check_base_url, check_region
from intercom_connector.auth.oauth import DEFAULT_TIMEOUT
from intercom_connector.cli.connection import Connection, open_client
from intercom_connector.cli.errors import UsageProblem, reported, stderr
from intercom_connector.cli.output import (
    LISTING_FORMATS,
    TABLE_OR_JSON,
    OutputFormat,
    OutputOption,
    dumps,
    require_format,
    write_records,
)
from intercom_connector.cli.settings import region_default

auth_app = typer.Typer(
    help="Named authentications: personal or organisational, scoped, encrypted at rest.",
    no_args_is_help=True,
)


def open_in_browser(url: str) -> bool:
    """Open the authorize URL in a graphical browser, when there is likely to be one.

    Without a display, ``webbrowser`` falls back to console browsers (lynx, w3m) that take
    over the terminal and block until closed, while the redirect has to reach this process;
    there the printed URL is the way. Tests replace this function with a fake browser.
    """
    graphical = sys.platform in ("darwin", "win32") or any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY")
    )
    return graphical and webbrowser.open(url)


class _OAuthPrompt:
    """Shows the person the authorize URL (and opens it) while the flow waits."""

    def __init__(self, timeout: float, browser: bool) -> None:
        self.timeout = timeout
        self.browser = browser

    def show(self, url: str) -> bool:
        stderr.out(f"Open this URL to authorize access:\n  {url}", highlight=False)
        stderr.out(f"waiting up to {self.timeout:g}s for the approval...", highlight=False)
        return open_in_browser(url) if self.browser else False


VerifyOption = Annotated[
    bool,
    typer.Option("--verify/--no-verify", help="Check the token with Intercom's /me first."),
]


def _store() -> AuthenticationStore:
    return AuthenticationStore()


def _secret_input(value: str | None, prompt: str) -> str | None:
    """``-`` reads the secret from stdin, or asks for it without echo at a terminal."""
    if value != "-":
        return value
    if sys.stdin.isatty():
        entered: str = typer.prompt(prompt, hide_input=True)
        return entered.strip()
    line = sys.stdin.readline().strip()
    if not line:
        raise UsageProblem(f"{prompt}: nothing was given on stdin")
    return line


def _where(auth: Authentication) -> str:
    return auth.base_url or auth.region


def _when(auth: Authentication) -> str:
    return auth.last_used_at.isoformat(sep=" ") if auth.last_used_at else "never"


@auth_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The name commands and workflows will use.")],
    type_: Annotated[
        str, typer.Option("--type", "-t", help="personal (only you) or organisational (everyone).")
    ] = "personal",
    scopes: Annotated[
        list[str] | None,
        typer.Option("--scopes", "-s", help="Scope ids to grant, comma-separated or repeated."),
    ] = None,
    all_scopes: Annotated[bool, typer.Option("--all-scopes", help="Grant every scope.")] = False,
    extra_scopes: Annotated[
        list[str] | None,
        typer.Option("--extra-scopes", help="Scope ids the list lacks, granted as given."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="us, eu or au: where the token is valid (default: config.toml's, or us).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="API base URL instead of the region's (the sandbox)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help="Access token, or - to read it from stdin / a hidden prompt."),
    ] = None,
    oauth: Annotated[
        bool,
        typer.Option("--oauth", help="Get the token by the OAuth2 authorization-code flow."),
    ] = False,
    client_id: Annotated[str | None, typer.Option("--client-id", help="OAuth app id.")] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            "--client-secret",
            envvar="INTERCOM_CLIENT_SECRET",
            help="OAuth app secret, or - for stdin (default: $INTERCOM_CLIENT_SECRET).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[int, typer.Option(help="Loopback port for the redirect (0: any free).")] = 0,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the approval.")
    ] = DEFAULT_TIMEOUT,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the authorize URL.")
    ] = True,
    authorize_url: Annotated[
        str | None, typer.Option("--authorize-url", help="Override the authorize page URL.")
    ] = None,
    token_url: Annotated[
        str | None, typer.Option("--token-url", help="Override the token endpoint URL.")
    ] = None,
    verify: VerifyOption = True,
) -> None:
    """Add an authentication: from an access token, or through the OAuth2 flow."""
    typed: list[str] = [value for value in (token, client_secret) if value and value != "-"]
    connection = Connection(secrets=typed)
    with reported(connection.redact):
        region = region or region_default()
        if oauth == (token is not None):
            raise UsageProblem("give exactly one of --token and --oauth")
        # Everything that can be refused is checked before the browser round trip.
        kind = AuthType.parse(type_)
        check_region(region)
        check_base_url(base_url)
        selection = choose_scopes(scopes or [], all_scopes=all_scopes, extra=extra_scopes or [])
        store = _store()
        store.check_available(name)
        if oauth:
            if not client_id:
                raise UsageProblem("--oauth needs --client-id and --client-secret")
            secret = _secret_input(client_secret, "OAuth client secret")
            if not secret:
                raise UsageProblem("--oauth needs --client-secret (or $INTERCOM_CLIENT_SECRET)")
            connection.secrets.append(secret)
            default = OAuthEndpoints.for_region(region, base_url)
            endpoints = OAuthEndpoints(
                authorize_url or default.authorize_url, token_url or default.token_url
            )
            flow = _OAuthPrompt(timeout, browser)
            access_token = asyncio.run(
                authorize(
                    endpoints,
                    OAuthApp(client_id, secret),
                    opener=flow.show,
                    port=port,
                    timeout=timeout,
                )
            )
            method, client_id_used = Method.oauth, client_id
        else:
            access_token = _secret_input(token, "Access token") or ""
            method, client_id_used = Method.token, None
            connection.secrets.append(access_token)
            if verify and access_token.strip():
                _verify(access_token.strip(), region, base_url)
        connection.secrets.append(access_token)
        added = store.add(
            name,
            access_token,
            type=kind,
            region=region,
            base_url=base_url,
            scopes=selection.scopes,
            extra_scopes=selection.extra_scopes,
            method=method,
            client_id=client_id_used,
        )
        granted = len(added.scopes) + len(added.extra_scopes)
        typer.echo(
            f"added {added.type.value} authentication {added.name!r} "
            f"({added.method.value}, {_where(added)}, {granted} scopes)"
        )


@auth_app.command("update")
def update(
    name: Annotated[str, typer.Argument(help="Authentication name.")],
    type_: Annotated[
        str | None, typer.Option("--type", "-t", help="personal or organisational.")
    ] = None,
    scopes: Annotated[
        list[str] | None,
        typer.Option(
            "--scopes",
            "-s",
            help="Scope ids, comma-separated; with --all-scopes and --extra-scopes, these "
            "replace the whole grant.",
        ),
    ] = None,
    all_scopes: Annotated[bool, typer.Option("--all-scopes", help="Grant every scope.")] = False,
    extra_scopes: Annotated[
        list[str] | None,
        typer.Option("--extra-scopes", help="Scope ids the list lacks, granted as given."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help="A new access token, or - for stdin / a hidden prompt."),
    ] = None,
    verify: VerifyOption = True,
) -> None:
    """Change an authentication's scopes, token or type; what is not given stays."""
    connection = Connection(secrets=[token] if token and token != "-" else [])
    with reported(connection.redact):
        store = _store()
        current = store.get(name)
        kind = None if type_ is None else AuthType.parse(type_)
        selection = None
        if scopes is not None or all_scopes or extra_scopes is not None:
            selection = choose_scopes(scopes or [], all_scopes=all_scopes, extra=extra_scopes or [])
        new_token = _secret_input(token, "Access token")
        if new_token is not None:
            connection.secrets.append(new_token)
            if verify and new_token.strip():
                _verify(new_token.strip(), current.region, current.base_url)
        updated = store.update(
            name,
            token=new_token,
            type=kind,
            scopes=None if selection is None else selection.scopes,
            extra_scopes=None if selection is None else selection.extra_scopes,
        )
    granted = len(updated.scopes) + len(updated.extra_scopes)
    typer.echo(
        f"updated {updated.type.value} authentication {updated.name!r} "
        f"({updated.method.value}, {_where(updated)}, {granted} scopes)"
    )


def _verify(token: str, region: str | None, base_url: str | None) -> None:
    """Ask `/me` whether Intercom accepts the token; a refusal raises (exit 3)."""
    connection = Connection(token=token, region=region or "us", base_url=base_url, quiet=True)
    asyncio.run(_identify(connection))


@auth_app.command("list")
def list_authentications(output: OutputOption = None) -> None:
    """The authentications you may use: yours and the organisational ones. No secrets."""
    with reported():
        output = require_format(output, OutputFormat.table, *LISTING_FORMATS)
        found = _store().list()
    if output is not OutputFormat.table:
        write_records([auth.to_dict() for auth in found], output)
        return
    table = Table(title=f"{len(found)} authentications")
    for column in ("name", "type", "owner", "method", "where", "scopes", "last used"):
        table.add_column(column, overflow="fold")
    for auth in found:
        count = f"{len(auth.scopes)}" + (f" +{len(auth.extra_scopes)}" if auth.extra_scopes else "")
        table.add_row(
            auth.name,
            auth.type.value,
            auth.owner,
            auth.method.value,
            _where(auth),
            count,
            _when(auth),
        )
    Console().print(table)


@auth_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Authentication name.")],
    output: OutputOption = None,
) -> None:
    """Describe one authentication and the scopes it grants (never its secret)."""
    with reported():
        output = require_format(output, OutputFormat.table, *TABLE_OR_JSON)
        auth = _store().get(name)
    if output is OutputFormat.json:
        sys.stdout.write(dumps(auth.to_dict()) + "\n")
        return
    descriptions = known_scopes()
    console = Console()
    console.print(f"[bold]{auth.name}[/]  {auth.type.value}, owned by {auth.owner}")
    lines = [
        f"method: {auth.method.value}"
        + (f" (client id {auth.client_id})" if auth.client_id else ""),
        f"region: {auth.region}" + (f", base URL {auth.base_url}" if auth.base_url else ""),
        f"created: {auth.created_at.isoformat(sep=' ')}",
        f"last used: {_when(auth)}",
        "secret: stored encrypted",
    ]
    for line in lines:
        console.print("  " + line, highlight=False)
    table = Table(title="scopes granted")
    table.add_column("scope")
    table.add_column("description", overflow="fold")
    for scope in auth.scopes:
        table.add_row(scope, descriptions.get(scope, ""))
    for scope in auth.extra_scopes:
        table.add_row(scope, "(extra scope)")
    console.print(table)


@auth_app.command("test")
def test(name: Annotated[str, typer.Argument(help="Authentication name.")]) -> None:
    """Check that Intercom accepts the token: ask `/me` who it belongs to."""
    connection = Connection(auth=name, quiet=True)
    with reported(connection.redact):
        reply = asyncio.run(_identify(connection))
    admin: dict[str, Any] = reply if isinstance(reply, dict) else {}
    app = admin.get("app")
    workspace: dict[str, Any] = app if isinstance(app, dict) else {}
    who = " ".join(str(admin[key]) for key in ("name", "email") if admin.get(key)) or "an admin"
    where = workspace.get("name") or workspace.get("id_code") or "its workspace"
    typer.echo(f"ok: {name!r} works; it acts as {who} in {where}")


async def _identify(connection: Connection) -> Any:
    # `/me` through the raw operation: any valid token may ask who it is, whatever its scopes.
    async with open_client(connection) as client:
        result = await client.raw("GET", "/me")
    return result.get("body")


@auth_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="Authentication name.")]) -> None:
    """Delete an authentication and its secret from the store."""
    with reported():
        removed = _store().remove(name)
    typer.echo(f"removed {removed.type.value} authentication {removed.name!r}")


@auth_app.command("scopes")
def scopes(output: OutputOption = None) -> None:
    """The permission scopes to choose from, with what each allows."""
    with reported():
        output = require_format(output, OutputFormat.table, *TABLE_OR_JSON)
    known = known_scopes()
    if output is OutputFormat.json:
        sys.stdout.write(dumps(known) + "\n")
        return
    table = Table(title=f"{len(known)} permission scopes")
    table.add_column("scope")
    table.add_column("allows", overflow="fold")
    for scope, description in known.items():
        table.add_row(scope, description)
    Console().print(table)


@auth_app.command("rotate-key")
def rotate_key() -> None:
    """Re-encrypt every secret with a new key (made now, or $INTERCOM_CONNECTOR_KEY's first)."""
    with reported():
        store = _store()
        count = store.rotate_key()
    typer.echo(f"re-encrypted {count} secrets with the new key")
