"""Developer commands: `flask ldapply seed`, `flask ldapply dispatch-letters`, `flask ldapply mail-outbox`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .extensions import db
from .models import AdvisoryBody, Organisation
from .services import accounts, audit, calls, legal_clock, letters, mail, samples, signatories
from .workflows import REGIMES
from .workflows._spec import Provenance, Role

DEMO_ORGANISATION = {
    "name": "Buurtwerk De Brug vzw",
    "enterprise_number": "0403170701",
    "legal_form": "vzw",
    "street": "Brugstraat 12",
    "postcode": "9000",
    "municipality": "Gent",
}
# Roles in the demo organisation: an administrator and authorised signatory, and a preparer who
# fills in applications and marks them ready for signature but cannot submit them.
SIGNATORY, PREPARER, STAFF = "signatory", "preparer", None
# The outside body the demo advisor speaks for: the local employment forum, asked under every regime.
DEMO_ADVISORY_BODY = "Forum voor Lokaal Werkgelegenheidsbeleid"
EVERY, ONE = False, True  # staff roles for every regime, or for the one regime of the demo call only
DEMO_ACCOUNTS = (
    # e-mail, name, password, staff roles, role in the demo organisation, the roles' regimes (an advisor's
    # are the demo body's)
    ("aanvrager@demo.ldapply.be", "An Aanvrager", "demo-aanvrager", (), SIGNATORY, EVERY),
    ("voorbereider@demo.ldapply.be", "Piet Voorbereider", "demo-voorbereider", (), PREPARER, EVERY),
    ("dossierbehandelaar@demo.ldapply.be", "Dirk Dossierbehandelaar", "demo-dossier", (Role.REVIEWER,), STAFF, EVERY),
    ("beslisser@demo.ldapply.be", "Bea Beslisser", "demo-beslisser", (Role.DECISION_MAKER,), STAFF, EVERY),
    ("beheerder@demo.ldapply.be", "Bart Beheerder", "demo-beheerder", (Role.ADMIN,), STAFF, EVERY),
    ("eenregeling@demo.ldapply.be", "Greet Eenregeling", "demo-eenregeling", (Role.REVIEWER,), STAFF, ONE),
    ("adviseur@demo.ldapply.be", "Kaat Adviseur", "demo-adviseur", (Role.ADVISOR,), STAFF, EVERY),
)
MEMBER_LABELS = {
    SIGNATORY: "applicant, administrator and signatory ({})",
    PREPARER: "applicant, preparer, not a signatory ({})",
}


def seed_demo() -> list[tuple[str, str, str]]:
    """Create the demo organisation and accounts once; return (role, e-mail, password) for each."""
    organisation = _demo_organisation()
    body = _demo_advisory_body()
    one_regime = next(code for code, regime in REGIMES.items() if regime.uses_calls)  # the demo call's
    shown = []
    for email, name, password, roles, member, scope in DEMO_ACCOUNTS:
        regime_code = one_regime if scope is ONE else None
        if accounts.find_user_by_email(email) is None:
            accounts.create_user(
                email=email,
                name=name,
                password=password,
                roles=roles,
                regime_code=regime_code,
                advisory_body=body if Role.ADVISOR in roles else None,
                organisation=organisation if member else None,
                is_admin=member == SIGNATORY,
                is_signatory=member == SIGNATORY,
            )
        role_names = ", ".join(roles) or MEMBER_LABELS[str(member)].format(organisation.name)
        if Role.ADVISOR in roles:
            role_names += f" of the {body.name}"
        elif regime_code:
            role_names += f" ({regime_code} only)"
        shown.append((role_names, email, password))
    db.session.commit()
    _open_demo_calls()
    _register_demo_signatory()
    return shown


def _demo_email(role: Role) -> str:
    return next(email for email, _name, _password, roles, _member, _scope in DEMO_ACCOUNTS if role in roles)


def _demo_advisory_body() -> AdvisoryBody:
    """The advisory body of the demo advisor, made once."""
    body = db.session.scalar(select(AdvisoryBody).where(AdvisoryBody.name == DEMO_ADVISORY_BODY))
    if body is None:
        body = AdvisoryBody(name=DEMO_ADVISORY_BODY, regime_code=None)
        db.session.add(body)
        db.session.flush()
    return body


def _demo_organisation() -> Organisation:
    """The demo organisation, its details filled in where an older seed left them empty."""
    organisation = accounts.find_organisation(DEMO_ORGANISATION["enterprise_number"])
    if organisation is None:
        return accounts.create_organisation(**DEMO_ORGANISATION)
    for field, value in DEMO_ORGANISATION.items():
        if getattr(organisation, field) is None:
            setattr(organisation, field, value)
    return organisation


def _register_demo_signatory() -> None:
    """The demo decision maker may sign; the delegation is a demo text, marked as an assumption."""
    admin = accounts.find_user_by_email(_demo_email(Role.ADMIN))
    decision_maker = accounts.find_user_by_email(_demo_email(Role.DECISION_MAKER))
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
    admin = accounts.find_user_by_email(_demo_email(Role.ADMIN))
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


@click.command("audit-verify")
def audit_verify() -> None:
    """Check the audit trail's SHA-256 chain; exit 1 naming the first changed, deleted or missing entry."""
    checked, broken = audit.verify()
    if broken is not None:
        click.echo(f"audit trail broken at entry {broken.seq}: {broken.reason} ({checked} entries intact before it)")
        raise SystemExit(1)
    click.echo(f"audit trail intact: {checked} entries")


def register(app: Flask) -> None:
    group = AppGroup("ldapply", help="ldapply developer commands.")  # each command runs in an app context

    @group.command("seed")
    def seed() -> None:
        """Create the demo organisation and accounts (development only) and print them."""
        if current_app.config["LDAPPLY_ENV"] == "production":
            raise click.ClickException("Refusing to create demo accounts in production.")
        click.echo("Demo accounts (e-mail / password):")
        for role, email, password in seed_demo():
            click.echo(f"  {role:<62} {email:<38} {password}")

    @group.command("sample-letters")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    def sample_letters(folder: Path) -> None:
        """Render every letter kind of every regime from a sample case to FOLDER/<regime>-<kind>.pdf."""
        for path in samples.write_sample_letters(folder):
            click.echo(str(path))

    group.add_command(audit_verify)
    group.add_command(legal_clock.rebuild_command)

    @group.command("dispatch-letters")
    def dispatch_letters() -> None:
        """Hand pending letters whose first hand-off was lost to the broker again."""
        click.echo(f"dispatched {letters.dispatch_pending()} letters")

    @group.command("mail-outbox")
    @click.option("--limit", default=10, show_default=True, help="How many of the latest mails to list.")
    def mail_outbox(limit: int) -> None:
        """List the latest mails, newest first, with their status and the links they carry."""
        for item in mail.latest(limit):
            click.echo(f"{item.created_at:%Y-%m-%d %H:%M}  {item.status:<8} {item.recipient}  {item.subject}")
            for link in mail.links_in(item.body):
                click.echo(f"    {link}")

    app.cli.add_command(group)
