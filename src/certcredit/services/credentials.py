"""Credentials and applications: every change of status is an action here, written to the history with who and
when (``history.record_change``: the credential's or application's fields before and after).

The lifecycle (docs/credentials.md): a member whose audit is complete applies for the exam (``apply``): the
application freezes the audit object and the records it used, with the member's attestations (domain/clm.md
R1–R8); the credential is created as ``applicant``. Staff approve (``eligible``: exam pending) or deny with a
reason (``decide``). Staff record the exam pass (``record_exam_pass``): ``certified``, with the anniversary and
the first cycle's end from the pure core (``engine.credential``). A certified member whose recertification audit
is complete applies for recertification by the cycle's end; later is refused (R25, no grace). Approval moves the
credential into its next cycle. Staff may revoke with a reason, or record CLM (Ret.) status (R25c); ``lapse_overdue``
records the lapse of credentials whose deadline passed.

``credential_values`` is the plain description other parts (Open Badges) build on.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from certcredit.engine import credential as dates
from certcredit.rules.credentials import CredentialRules, credential_rules
from certcredit.services import audits, history
from certcredit.services.access import Forbidden, check_may_see_records_of, is_staff
from certcredit.store.accounts.models import Person
from certcredit.store.credentials.models import Application, Credential
from certcredit.store.history.models import HistoryEntry

FAMILY = "clm"


class Status:
    """A credential's stored status (``Credential.Status``), as plain strings."""

    APPLICANT, ELIGIBLE, CERTIFIED, LAPSED, RETIRED, REVOKED = (
        "applicant", "eligible", "certified", "lapsed", "retired", "revoked",
    )  # fmt: skip


class Kind:
    """An application's kind (``Application.Kind``), as plain strings."""

    EXAM, SPECIALIST, RECERTIFICATION = "exam", "specialist", "recertification"
    values = (EXAM, SPECIALIST, RECERTIFICATION)


SUBMITTED, APPROVED, DENIED = "submitted", "approved", "denied"

#: R3's two tracks, the first split as R4/R5 describe it; a functional specialist applies with the specialist's
#: program (R12) and names their specialty.
TRACKS = {
    "principal_administrator": "Principal administrator (job description 1)",
    "branch_office_manager": "Branch office manager (job description 2)",
    "functional_specialist": "Functional specialist (job descriptions 3–8)",
}
#: R1: in full-time work managing a legal organization now, or within the 24 months before applying.
EMPLOYMENT = {
    "current": "Currently in full-time work managing a legal organization",
    "within_24_months": "In such work within the 24 months before this application",
}
#: R2: three full-time years of exempt-level experience.
MIN_YEARS = 3


class CredentialInvalid(ValueError):
    """A request that cannot be carried out; ``field`` names the input at fault (or ``None`` for the whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ApplicationRefused(CredentialInvalid):
    """An application the rules refuse (an incomplete audit; a recertification after the deadline, R25)."""


def rules(family: str = FAMILY) -> CredentialRules:
    return credential_rules(family)


#: code letters: no 0/O, 1/I/L look-alikes, upper case only (a code read aloud or typed from paper still works)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    """A verification code: 25 letters drawn by ``secrets`` from 31 (about 124 random bits), in groups of five."""
    text = "".join(secrets.choice(CODE_ALPHABET) for _ in range(25))
    return "-".join(text[i : i + 5] for i in range(0, len(text), 5))


# --- reading ----------------------------------------------------------------------------------------------------


def current_credential(person: Person, family: str = FAMILY) -> Credential | None:
    """The person's credential of the family that no newer one replaced, or None."""
    return Credential.objects.filter(person=person, family=family, superseded_at=None).first()


def visible_credentials(viewer: Person) -> QuerySet[Credential]:
    """Staff see every credential; anyone else their own."""
    found = Credential.objects.select_related("person")
    return found if is_staff(viewer) else found.filter(person=viewer)


def credential_of(viewer: Person, credential_id: int) -> Credential:
    """One credential the viewer may see; another's and a missing one look the same (``LookupError``)."""
    found = visible_credentials(viewer).filter(pk=credential_id).first() if 0 < credential_id <= MAX_ID else None
    if found is None:
        raise LookupError(f"no credential {credential_id}")
    return found


def visible_applications(viewer: Person) -> QuerySet[Application]:
    found = Application.objects.select_related("person", "credential", "decided_by")
    return found if is_staff(viewer) else found.filter(person=viewer)


def application_of(viewer: Person, application_id: int) -> Application:
    found = visible_applications(viewer).filter(pk=application_id).first() if 0 < application_id <= MAX_ID else None
    if found is None:
        raise LookupError(f"no application {application_id}")
    return found


def history_of(obj: Credential | Application) -> QuerySet[HistoryEntry]:
    """The object's history, oldest first, with who and when."""
    return HistoryEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("at", "id")


def standing(credential: Credential, today: dt.date | None = None) -> dates.Standing:
    """The state now (valid, lapsed, revoked, retired, superseded, not certified) and the days left."""
    return dates.state_on(
        credential.status,
        credential.valid_until,
        today or timezone.localdate(),
        rules(credential.family),
        superseded=credential.superseded_at is not None,
    )


@dataclass(frozen=True, slots=True)
class NextStep:
    """What the Progress page suggests: apply with ``program`` (``kind``) as of ``as_of``, or wait, or nothing."""

    message: str
    kind: str | None = None
    program: str | None = None
    as_of: dt.date | None = None
    days_left: int | None = None
    programs: tuple[str, ...] = field(default_factory=tuple)


def next_step(person: Person, today: dt.date | None = None) -> NextStep:
    """The step a person's credential calls for: the program to audit, with its as-of date, and why.

    No credential (or a lapsed or revoked one): the exam application as of today. An application open: wait.
    Eligible: the exam. Certified: the recertification audit as of the current cycle's end (the anniversary
    deadline), with the days left. Retired: nothing to do.
    """
    today = today or timezone.localdate()
    book = rules()
    credential = current_credential(person)
    exam = tuple(book.exam_programs)
    if credential is None:
        return NextStep("Complete the exam application's education, then apply.", programs=exam, as_of=today)
    if credential.status in (Status.LAPSED, Status.REVOKED):
        return NextStep(
            f"Your {book.abbreviation} credential is {credential.status}: to hold it again, complete the exam "
            "application's education and apply.",
            programs=exam,
            as_of=today,
        )
    open_application = credential.applications.filter(status=SUBMITTED).first()
    if open_application is not None:
        return NextStep(f"Your {open_application.get_kind_display().lower()} is with staff for a decision.")
    if credential.status == Status.APPLICANT:
        return NextStep("Complete the exam application's education, then apply.", programs=exam, as_of=today)
    if credential.status == Status.ELIGIBLE:
        return NextStep(f"Your application is approved: take the {book.abbreviation} exam.")
    if credential.status == Status.RETIRED:
        return NextStep(f"You hold {book.retired_name} status: no recertification is due.")
    now = standing(credential, today)
    if now.state == dates.LAPSED:
        return NextStep(
            f"The recertification deadline {credential.valid_until} has passed (no grace period); apply for the "
            "exam again.",
            programs=exam,
            as_of=today,
        )
    return NextStep(
        f"Recertify by {credential.valid_until}: {now.days_left} day{'s' if now.days_left != 1 else ''} to the "
        "anniversary deadline.",
        kind=Kind.RECERTIFICATION,
        program=book.recertification_program,
        as_of=credential.valid_until,
        days_left=now.days_left,
        programs=(book.recertification_program,),
    )


# --- changing ---------------------------------------------------------------------------------------------------


def _change(actor: Person | None, obj: Credential | Application, action: str, note: str, **values: Any) -> None:
    """Set ``values`` on ``obj``, save, and write the history entry (before and after) with who and when."""
    before = history.snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    if isinstance(obj, Credential) and "status" in values:
        obj.status_changed_at = timezone.now()
    obj.save()
    history.record_change(actor, action, obj, before, note)


def _check_staff(actor: Person, what: str) -> None:
    if not is_staff(actor):
        raise Forbidden(f"only staff may {what}")


def _kind_program(kind: str, book: CredentialRules) -> str:
    if kind == Kind.EXAM:
        return book.exam_programs[0]
    if kind == Kind.SPECIALIST:
        return book.exam_programs[-1]
    if kind == Kind.RECERTIFICATION:
        return book.recertification_program
    raise CredentialInvalid(f"unknown application kind {kind!r}; use one of {', '.join(Kind.values)}", "kind")


#: the first CLM exam was held in late 1997 (domain/clm.md R29): no exam was passed before
FIRST_EXAM_YEAR = 1997
#: a plain text a person typed: no control characters (PostgreSQL refuses NUL; none belongs in a name or reason)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CODE = re.compile(r"^[A-Za-z0-9-]{1,40}$")
#: the largest id the store can hold; a larger one is "not found", never a database error
MAX_ID = 2**63 - 1


def _text(value: Any, field: str, limit: int) -> str:
    text = str(value if value is not None else "").strip()
    if _CONTROL.search(text):
        raise CredentialInvalid(f"{field} has a control character", field)
    if len(text) > limit:
        raise CredentialInvalid(f"{field} is longer than {limit} characters", field)
    return text


def clean_attestations(kind: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The attestations R1–R8 ask of an exam applicant, or for a recertification only the code of ethics (R25: a
    CLM need not still work in the legal industry); ``CredentialInvalid`` names the field at fault."""
    if given.get("code_of_ethics") is not True:
        raise CredentialInvalid("endorse the Code of Ethics to apply (R7)", "code_of_ethics")
    if kind == Kind.RECERTIFICATION:
        return {"code_of_ethics": True}
    employment = str(given.get("employment") or "")
    if employment not in EMPLOYMENT:
        raise CredentialInvalid(
            f"employment must be one of {', '.join(EMPLOYMENT)} (R1: managing a legal organization now or within "
            "24 months)",
            "employment",
        )
    employer = _text(given.get("employer"), "employer", 200)
    if not employer:
        raise CredentialInvalid(
            "name the legal organization you manage or managed (at most 200 characters)", "employer"
        )
    try:
        years = float(given.get("years"))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise CredentialInvalid(f"years of experience must be a number, not {given.get('years')!r}", "years") from None
    if not MIN_YEARS <= years <= 80:  # NaN fails too
        raise CredentialInvalid(f"R2 asks for at least {MIN_YEARS} full-time years of exempt-level experience", "years")
    track = str(given.get("track") or "")
    if track not in TRACKS:
        raise CredentialInvalid(f"track must be one of {', '.join(TRACKS)} (R3)", "track")
    if (track == "functional_specialist") != (kind == Kind.SPECIALIST):
        raise CredentialInvalid(
            "a functional specialist applies with the specialist's program (R12); the other tracks with the exam "
            "application",
            "track",
        )
    country = _text(given.get("country"), "country", 80)
    return {
        "code_of_ethics": True,
        "employment": employment,
        "employer": employer,
        "years": years,
        "track": track,
        "country": country,  # R8: applicants from any country may apply; kept for the record
    }


def _snapshot_records(shown: audits.Progress) -> list[dict[str, Any]]:
    """The stored records the audit read, as they were, with the credit it applied (frozen in the application)."""
    frozen = []
    for ident, row in shown.records.items():
        credit = shown.credits[ident]
        frozen.append(
            {
                "id": ident,
                "pk": row.pk,
                "date": row.date.isoformat(),
                "title": row.title,
                "minutes": row.minutes,
                "format": row.format,
                "category": credit.category,
                "subject_area": credit.subject_area,
                "topic": credit.topic,
                "credit_from": credit.source,
                "activity": row.activity,
            }
        )
    return frozen


@transaction.atomic
def apply(
    actor: Person,
    person: Person,
    kind: str,
    attestations: Mapping[str, Any],
    specialty: str | None = None,
    today: dt.date | None = None,
) -> Application:
    """Submit an application for ``person`` (by the person, or staff on their behalf).

    Refused (``ApplicationRefused``): an audit that is not complete on the day; an exam application by someone
    already eligible or certified; a recertification by someone not certified, or after the cycle's end (R25);
    a second open application of the same kind.
    """
    check_may_see_records_of(actor, person)
    if actor.pk != person.pk and not is_staff(actor):
        raise Forbidden("only the member or staff may apply")
    today = today or timezone.localdate()
    book = rules()
    program = _kind_program(kind, book)
    clean = clean_attestations(kind, attestations)
    credential = current_credential(person)
    cycle = None
    if kind == Kind.RECERTIFICATION:
        if credential is None or credential.status != Status.CERTIFIED or credential.valid_until is None:
            raise ApplicationRefused(f"only a certified {book.abbreviation} applies for recertification")
        if dates.is_late(today, credential.valid_until, book):
            deadline = dates.recertification_deadline(credential.valid_until, book)
            raise ApplicationRefused(
                f"the recertification deadline was {deadline}: applications after the anniversary deadline are "
                "not accepted (R25, no grace period)"
            )
        as_of, cycle = credential.valid_until, credential.cycle
    else:
        as_of = today
        if credential is not None and credential.status in (Status.ELIGIBLE, Status.CERTIFIED, Status.RETIRED):
            raise ApplicationRefused(f"you already hold a {book.abbreviation} credential ({credential.status})")
    if kind == Kind.SPECIALIST and not specialty:
        raise CredentialInvalid("a functional specialist names their specialty", "specialty")
    try:
        shown = audits.progress(actor, person, program, as_of, specialty if kind == Kind.SPECIALIST else None, today)
    except audits.ProgressInvalid as error:
        raise CredentialInvalid(str(error), error.field) from None
    report = shown.report
    if not report["complete"]:
        raise ApplicationRefused(
            f"the {program} audit as of {as_of} is not complete: {report['hours_needed']:g} more hours needed"
        )
    if credential is None or credential.status in (Status.LAPSED, Status.REVOKED):
        credential = _new_credential(actor, person, book.family, replacing=credential)
    if credential.applications.filter(kind=kind, status=SUBMITTED).exists():
        raise ApplicationRefused(f"a {kind} application of yours is already waiting for a decision")
    report = dict(report)
    report.pop("outlook", None)  # the look ahead belongs to the day, not to the application
    try:
        with transaction.atomic():
            application = _create_application(
                person, credential, kind, program, specialty, as_of, cycle, report, _snapshot_records(shown), clean,
                today,
            )  # fmt: skip
    except IntegrityError:  # the same application submitted twice at once: the unique constraint keeps one
        raise ApplicationRefused(f"a {kind} application of yours is already waiting for a decision") from None
    history.record_change(actor, "application.submit", application, None)
    return application


def _create_application(
    person: Person,
    credential: Credential,
    kind: str,
    program: str,
    specialty: str | None,
    as_of: dt.date,
    cycle: int | None,
    report: dict[str, Any],
    records: list[dict[str, Any]],
    clean: dict[str, Any],
    today: dt.date,
) -> Application:
    return Application.objects.create(
        person=person,
        credential=credential,
        kind=kind,
        program=program,
        specialty=(specialty or "") if kind == Kind.SPECIALIST else "",
        as_of=as_of,
        cycle=cycle,
        audit=report,
        records=records,
        attestations=clean,
        submitted_on=today,
    )


def _new_credential(actor: Person | None, person: Person, family: str, replacing: Credential | None) -> Credential:
    if replacing is not None:
        _change(actor, replacing, "credential.supersede", "replaced by a new application", superseded_at=timezone.now())
    try:
        with transaction.atomic():
            created = Credential.objects.create(person=person, family=family, code=new_code())
    except IntegrityError:
        raise ApplicationRefused("another application created this credential at the same time; try again") from None
    history.record_change(actor, "credential.create", created, None)
    return created


@transaction.atomic
def decide(actor: Person, application: Application, approve: bool, reason: str = "") -> Application:
    """Staff approve or deny a submitted application; a denial needs a reason. Approving an exam application
    makes the credential ``eligible``; approving a recertification moves it into its next cycle."""
    _check_staff(actor, "decide applications")
    application = Application.objects.select_for_update().get(pk=application.pk)
    reason = _text(reason, "reason", 500)
    if application.status != SUBMITTED:
        raise CredentialInvalid(f"this application was already {application.status}")
    if not approve and not reason:
        raise CredentialInvalid("say why the application is denied", "reason")
    credential = Credential.objects.select_for_update().get(pk=application.credential_id)
    book = rules(credential.family)
    if approve and application.kind == Kind.RECERTIFICATION:
        if credential.status != Status.CERTIFIED or credential.valid_until is None:
            raise CredentialInvalid(f"the credential is {credential.status}, not certified")
        if application.cycle != credential.cycle:
            raise CredentialInvalid("this recertification is for a cycle that has already closed")
        if dates.is_late(application.submitted_on, credential.valid_until, book):
            raise ApplicationRefused("submitted after the anniversary deadline (R25)")
    if approve and application.kind != Kind.RECERTIFICATION and credential.status != Status.APPLICANT:
        raise CredentialInvalid(f"the credential is already {credential.status}")
    status = APPROVED if approve else DENIED
    _change(
        actor, application, f"application.{'approve' if approve else 'deny'}", reason,
        status=status, reason=reason, decided_at=timezone.now(), decided_by=actor,
    )  # fmt: skip
    if approve and application.kind == Kind.RECERTIFICATION:
        assert credential.anniversary is not None
        cycle = credential.cycle + 1
        _change(
            actor, credential, "credential.recertify", f"application {application.pk}",
            cycle=cycle, valid_until=dates.cycle_end(credential.anniversary, cycle, book),
            recertified_on=timezone.localdate(),
        )  # fmt: skip
    elif approve:
        _change(actor, credential, "credential.eligible", f"application {application.pk}", status=Status.ELIGIBLE)
    return application


@transaction.atomic
def record_exam_pass(actor: Person, credential: Credential, passed_on: dt.date, today: dt.date | None = None) -> None:
    """Staff record the exam pass: ``certified``, the anniversary nearest ``passed_on`` and the first cycle's end."""
    _check_staff(actor, "record an exam pass")
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if credential.status != Status.ELIGIBLE:
        raise CredentialInvalid(f"only an eligible applicant passes the exam; this credential is {credential.status}")
    if passed_on > (today or timezone.localdate()):
        raise CredentialInvalid(f"the exam-passed date {passed_on} is in the future", "passed_on")
    if passed_on.year < FIRST_EXAM_YEAR:
        raise CredentialInvalid(f"no exam was held before {FIRST_EXAM_YEAR} (R29): {passed_on}", "passed_on")
    book = rules(credential.family)
    day = dates.anniversary(passed_on, book)
    _change(
        actor, credential, "credential.certify", f"exam passed on {passed_on}",
        status=Status.CERTIFIED, exam_passed_on=passed_on, certified_on=passed_on, anniversary=day, cycle=1,
        valid_until=dates.cycle_end(day, 1, book),
    )  # fmt: skip


@transaction.atomic
def award(actor: Person | None, person: Person, family: str, on: dt.date, note: str) -> Credential:
    """Certify ``person`` in a family awarded without an exam (CLRM: an accepted paper), certified on ``on``.

    The calling service decides who may award (for CLRM, a paper reviewer accepting the paper). A family
    without cycles is held for good (no anniversary, no end). A person who already holds a current credential
    of the family keeps it (returned unchanged); a lapsed or revoked one is superseded by the new one.
    """
    book = rules(family)
    if book.exam_programs:
        raise CredentialInvalid(f"the {book.abbreviation} credential is awarded after its exam, not directly")
    current = current_credential(person, family)
    if current is not None and current.status == Status.CERTIFIED:
        return current
    credential = _new_credential(actor, person, family, replacing=current)
    _change(actor, credential, "credential.certify", note[:300], status=Status.CERTIFIED, certified_on=on)
    return credential


@transaction.atomic
def revoke(actor: Person, credential: Credential, reason: str) -> None:
    """Staff revoke a credential, saying why; the verification page then says revoked."""
    _check_staff(actor, "revoke a credential")
    reason = _text(reason, "reason", 300)
    if not reason:
        raise CredentialInvalid("say why the credential is revoked", "reason")
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if credential.status == Status.REVOKED:
        raise CredentialInvalid("this credential is already revoked")
    _change(actor, credential, "credential.revoke", reason, status=Status.REVOKED, reason=reason)


@transaction.atomic
def retire(actor: Person, credential: Credential, today: dt.date | None = None) -> None:
    """Staff record retired status (CLM (Ret.), R25c): a current holder who has recertified at least once."""
    _check_staff(actor, "record retired status")
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    book = rules(credential.family)
    if standing(credential, today).state != dates.VALID:
        raise CredentialInvalid(f"only a current {book.abbreviation} in good standing may retire (R25c)")
    if credential.cycle - 1 < book.recertifications_before_retirement:
        raise CredentialInvalid(f"{book.retired_name} needs at least one recertification first (R25c)")
    _change(actor, credential, "credential.retire", book.retired_name, status=Status.RETIRED)


def lapse_overdue(actor: Person | None = None, today: dt.date | None = None) -> int:
    """Record the lapse of every certified credential whose recertification deadline has passed; the count."""
    today = today or timezone.localdate()
    lapsed = 0
    for credential in Credential.objects.filter(status=Status.CERTIFIED, valid_until__lt=today):
        with transaction.atomic():
            locked = Credential.objects.select_for_update().get(pk=credential.pk)
            if locked.status == Status.CERTIFIED and standing(locked, today).state == dates.LAPSED:
                note = f"not recertified by {locked.valid_until} (R25)"
                _change(actor, locked, "credential.lapse", note, status=Status.LAPSED, reason=note)
                lapsed += 1
    return lapsed


# --- what others may read ---------------------------------------------------------------------------------------

#: history actions a verifier is told of, in their words (who did it and why stay with staff)
PUBLIC_EVENTS = {
    "credential.certify": "certified",
    "credential.recertify": "recertified",
    "credential.lapse": "lapsed",
    "credential.retire": "retired",
    "credential.revoke": "revoked",
    "credential.supersede": "superseded",
}


@dataclass(frozen=True, slots=True)
class Verification:
    """What ``/verify/<code>`` shows: who, what, since when, until when, the state now and the dated events."""

    holder: str
    credential: str
    abbreviation: str
    since: dt.date | None
    valid_until: dt.date | None
    state: str
    days_left: int | None
    events: list[tuple[dt.date, str]]
    code: str


def verification(code: str, today: dt.date | None = None) -> Verification | None:
    """The public facts of the credential with this code, or None (a code never issued, or one that was never
    certified: an applicant's code proves nothing)."""
    if not _CODE.match(code.strip()):
        return None
    credential = Credential.objects.select_related("person").filter(code=code.strip().upper()).first()
    if credential is None or credential.certified_on is None:
        return None
    book = rules(credential.family)
    now = standing(credential, today)
    events = [
        (timezone.localtime(e.at).date(), PUBLIC_EVENTS[e.action])
        for e in history_of(credential)
        if e.action in PUBLIC_EVENTS
    ]
    name = book.retired_name if credential.status == Status.RETIRED else book.name
    return Verification(
        holder=credential.person.name or credential.person.email.split("@")[0],
        credential=name,
        abbreviation=book.abbreviation,
        since=credential.certified_on,
        valid_until=credential.valid_until,
        state=now.state,
        days_left=now.days_left,
        events=events,
        code=credential.code,
    )


def credential_values(credential: Credential, today: dt.date | None = None) -> dict[str, Any]:
    """A credential's plain values, for documents and Open Badges: holder name and e-mail, program family,
    achievement name, issued on, valid until, stored status, state now and the verification code."""
    book = rules(credential.family)
    return {
        "holder_name": credential.person.name or credential.person.email,
        "holder_email": credential.person.email,
        "program": credential.family,
        "achievement_name": book.retired_name if credential.status == Status.RETIRED else book.name,
        "abbreviation": book.abbreviation,
        "issued_on": credential.certified_on,
        "valid_until": credential.valid_until,
        "anniversary": credential.anniversary,
        "cycle": credential.cycle,
        "status": credential.status,
        "state": standing(credential, today).state,
        "verification_code": credential.code,
    }
