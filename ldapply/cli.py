"""Developer commands: `flask ldapply seed`, `flask ldapply dispatch-letters`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .extensions import db
from .services import accounts, calls, letters, samples, signatories
from .workflows import REGIMES
from .workflows._spec import Provenance, Role

DEMO_ORGANISATION = {"name": "Buurtwerk De Brug vzw", "enterprise_number": "0403170701"}
DEMO_ACCOUNTS = (
    # e-mail, name, password, roles, member of the demo organisation
    ("aanvrager@demo.ldapply.be", "An Aanvrager", "demo-aanvrager", (), True),
    ("dossierbehandelaar@demo.ldapply.be", "Dirk Dossierbehandelaar", "demo-dossier", (Role.REVIEWER,), False),
    ("beslisser@demo.ldapply.be", "Bea Beslisser", "demo-beslisser", (Role.DECISION_MAKER,), False),
    ("beheerder@demo.ldapply.be", "Bart Beheerder", "demo-beheerder", (Role.ADMIN,), False),
)


def seed_demo() -> list[tuple[str, str, str]]:
    """Create the demo organisation and accounts once; return (role, e-mail, password) for each."""
    organisation = accounts.find_organisation(DEMO_ORGANISATION["enterprise_number"]) or accounts.create_organisation(
        **DEMO_ORGANISATION
    )
    shown = []
    for email, name, password, roles, member in DEMO_ACCOUNTS:
        if accounts.find_user_by_email(email) is None:
            accounts.create_user(
                email=email, name=name, password=password, roles=roles, organisation=organisation if member else None
            )
        role_names = ", ".join(roles) or f"applicant ({organisation.name})"
        shown.append((role_names, email, password))
    db.session.commit()
    _open_demo_calls()
    _register_demo_signatory()
    return shown


def _register_demo_signatory() -> None:
    """The demo decision maker may sign; the delegation is a demo text, marked as an assumption."""
    admin = accounts.find_user_by_email(DEMO_ACCOUNTS[-1][0])
    decision_maker = accounts.find_user_by_email(DEMO_ACCOUNTS[2][0])
    if admin is None or decision_maker is None or signatories.has_entry(decision_maker):
        return
    signatories.add_signatory(
        actor=admin,
        user_id=decision_maker.id,
        function="Afdelingshoofd Sociale Economie (demo)",
        delegation="Delegatiebesluit van de secretaris-generaal (demo: een echte installatie vult hier het besluit in)",
        provenance=Provenance.ASSUMPTION,
        source="Demo data of `flask ldapply seed`",
        regime_code=None,
    )


def _open_demo_calls() -> None:
    """Regimes that work with calls get one open call, so the demo applicant can start at once."""
    admin = accounts.find_user_by_email(DEMO_ACCOUNTS[-1][0])
    for regime in REGIMES.values():
        if regime.uses_calls and admin is not None and not calls.open_calls(regime.code):
            calls.open_call(
                actor=admin,
                regime_code=regime.code,
                title=f"Demo-oproep {regime.title.nl}",
                opens_on=calls.today() - timedelta(days=1),
                closes_on=calls.today() + timedelta(days=90),
                cap=Decimal(320),
                application_types=[],  # every type the regime knows
            )


def register(app: Flask) -> None:
    group = AppGroup("ldapply", help="ldapply developer commands.")  # each command runs in an app context

    @group.command("seed")
    def seed() -> None:
        """Create the demo organisation and accounts (development only) and print them."""
        if current_app.config["LDAPPLY_ENV"] == "production":
            raise click.ClickException("Refusing to create demo accounts in production.")
        click.echo("Demo accounts (e-mail / password):")
        for role, email, password in seed_demo():
            click.echo(f"  {role:<45} {email:<40} {password}")

    @group.command("sample-letters")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    def sample_letters(folder: Path) -> None:
        """Render every letter kind of every regime from a sample case to FOLDER/<regime>-<kind>.pdf."""
        for path in samples.write_sample_letters(folder):
            click.echo(str(path))

    @group.command("dispatch-letters")
    def dispatch_letters() -> None:
        """Hand pending letters whose first hand-off was lost to the broker again."""
        click.echo(f"dispatched {letters.dispatch_pending()} letters")

    app.cli.add_command(group)
