"""Members of an organisation on a date (``/id/<org>.html?at=YYYY-MM-DD``): member, not a
member, or unknown, as the sources force.

The members are those of the organisation's ``org:Membership`` records (whatever their status)
and the organisations that are ``org:memberOf`` it without a record (the sources date none of
those). Each gets the outcome of :func:`imtkg.reasoning.membership_status.outcome_on`: a start
known to the day, the month or the year decides it outside that day, month or year; a start
given only in words ("this year" of an undated article), no start, or an announced record
leaves it unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from imtkg.query.interface import QueryEngine
from imtkg.reasoning.membership_status import (
    IN_FORCE,
    MEMBER,
    NOT_A_MEMBER,
    UNKNOWN,
    outcome_on,
)
from imtkg.web.i18n import add_messages
from imtkg.web.pages.describe import iri_ref, run_select

#: the query parameter of the date
AT_PARAMETER = "at"

add_messages(
    {
        "Members on": "Membres au",
        "Member": "Membre",
        "Membership record": "Fiche d'adhésion",
        "Status": "Statut",
        "Start": "Début",
        "On this date": "À cette date",
        MEMBER: "membre",
        NOT_A_MEMBER: "non membre",
        UNKNOWN: "inconnu",
        "no record": "aucune fiche",
        "not stated": "non précisé",
        "stated as": "formulé",
        "Member: the start, known to the day, month or year, lies before the date, and the record is in force. Not a member: the start lies after the date. Unknown: the date falls in the start's month or year, the sources give no calendar start, or the membership is only announced.": "Membre : le début, connu au jour, au mois ou à l'année, précède la date, et la fiche est effective. Non membre : le début suit la date. Inconnu : la date tombe dans le mois ou l'année du début, les sources ne donnent pas de date de début, ou l'adhésion n'est qu'annoncée.",  # noqa: E501
    }
)


class BadDate(ValueError):
    """The ``at`` parameter is not a calendar date ``YYYY-MM-DD``."""


def parse_at(value: str) -> date:
    """Read the ``at`` parameter: a date ``YYYY-MM-DD``.

    :raises BadDate: with a message naming the parameter, for anything else.
    """
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadDate(
            f"parameter {AT_PARAMETER}: {value[:40]!r} is not a date; "
            f"give it as YYYY-MM-DD, e.g. ?{AT_PARAMETER}=2022-01-01"
        ) from None


@dataclass(frozen=True)
class MemberOnDate:
    """One member of an organisation and whether it is a member on the date.

    :param member: the member's IRI.
    :param record: its membership record, or ``None`` for a membership stated without one.
    :param status: the record's status (an IRI of ``c:membership-status``), if any.
    :param start: the start as a calendar value (``2021``), or ``None``.
    :param stated: the start as the source words it, when it gives no calendar value.
    :param outcome: :data:`MEMBER`, :data:`NOT_A_MEMBER` or :data:`UNKNOWN`.
    """

    member: str
    record: str | None
    status: str | None
    start: str | None
    stated: str | None
    outcome: str


def members_on(engine: QueryEngine, organization: str, on: date) -> list[MemberOnDate]:
    """Return the members of ``organization`` with their outcome on ``on``, by member IRI."""
    try:
        ref = iri_ref(organization)
    except ValueError:
        return []
    rows = run_select(
        engine,
        f"""SELECT DISTINCT ?member ?record ?status ?date ?month ?year ?stated WHERE {{
  {{
    ?record a org:Membership ; org:organization {ref} ; org:member ?member .
    OPTIONAL {{ ?record imt:membershipStatus ?status }}
    OPTIONAL {{
      ?record org:memberDuring/time:hasBeginning ?beginning .
      OPTIONAL {{ ?beginning time:inXSDDate ?date }}
      OPTIONAL {{ ?beginning time:inXSDgYearMonth ?month }}
      OPTIONAL {{ ?beginning time:inXSDgYear ?year }}
      OPTIONAL {{ ?beginning imt:statedDate ?stated }}
    }}
  }} UNION {{
    ?member org:memberOf {ref} ; a org:Organization .
    FILTER NOT EXISTS {{ ?any org:member ?member ; org:organization {ref} }}
  }}
}} ORDER BY ?member ?record""",
    )
    found = []
    for row in rows:
        calendar_start = next(
            (row[k].value for k in ("date", "month", "year") if row.get(k) is not None), None
        )
        status = row["status"].value if row.get("status") is not None else None
        record = row["record"].value if row.get("record") is not None else None
        stated = row["stated"].value if row.get("stated") is not None else None
        in_force = record is not None and status == str(IN_FORCE)
        outcome = outcome_on(on, calendar_start, in_force) if record else UNKNOWN
        found.append(
            MemberOnDate(row["member"].value, record, status, calendar_start, stated, outcome)
        )
    return found
