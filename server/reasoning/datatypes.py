"""The OWL 2 RL datatype map: which datatypes the rules know, lexical forms and value spaces.

OWL 2 RL (W3C OWL 2 Profiles, section 4.2) supports exactly the datatypes of
:data:`RL_DATATYPES`; ``rdf:HTML``, ``rdf:langString``, ``xsd:date``, ``xsd:time`` and custom
datatypes are not among them (their literals have no known data value: the datatype rules
ignore them). Value spaces follow the OWL 2 Structural Specification, section 4:

* the numeric types (``owl:real``, ``owl:rational``, ``xsd:decimal``, ``xsd:integer`` and the
  types derived from it) share owl:real's value space: ``"1"^^xsd:integer`` and
  ``"1.0"^^xsd:decimal`` are the same number, a ``xsd:byte`` too; ``xsd:float`` and
  ``xsd:double`` each have their own (identity of floating-point values: ``-0`` and ``+0`` are
  two values, ``NaN`` is one);
* strings: a plain literal is a pair (text, language tag), ``xsd:string`` the pairs without a
  tag, its derived types (``xsd:token``...) the strings that match their constraints;
* ``xsd:boolean``, ``xsd:hexBinary``, ``xsd:base64Binary``, ``xsd:anyURI``,
  ``rdf:XMLLiteral`` and ``xsd:dateTime`` (``xsd:dateTimeStamp``: those with a time zone)
  each have their own values; ``rdfs:Literal`` holds every data value.

:func:`data_value` gives a literal's data value as a hashable key (``None``: ill-typed, or a
datatype outside the map), :func:`datatypes_of` the datatypes whose value space holds it
(rule ``dt-type2``), :func:`lexically_valid` whether its text is a lexical form of its datatype
(``dt-not-type``).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from functools import lru_cache
from xml.dom import minidom

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

#: the datatypes of the OWL 2 RL profile (section 4.2 of OWL 2 Profiles)
INTEGER_RANGES: dict[URIRef, tuple[int | None, int | None]] = {
    XSD.integer: (None, None),
    XSD.nonNegativeInteger: (0, None),
    XSD.nonPositiveInteger: (None, 0),
    XSD.positiveInteger: (1, None),
    XSD.negativeInteger: (None, -1),
    XSD.long: (-(2**63), 2**63 - 1),
    XSD.int: (-(2**31), 2**31 - 1),
    XSD.short: (-(2**15), 2**15 - 1),
    XSD.byte: (-(2**7), 2**7 - 1),
    XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1),
    XSD.unsignedByte: (0, 2**8 - 1),
}
STRING_TYPES = (
    XSD.string,
    XSD.normalizedString,
    XSD.token,
    XSD.language,
    XSD.Name,
    XSD.NCName,
    XSD.NMTOKEN,
)
RL_DATATYPES: frozenset[URIRef] = frozenset(
    {
        RDF.PlainLiteral,
        RDF.XMLLiteral,
        RDFS.Literal,
        OWL.real,
        OWL.rational,
        XSD.decimal,
        *INTEGER_RANGES,
        XSD.float,
        XSD.double,
        *STRING_TYPES,
        XSD.boolean,
        XSD.hexBinary,
        XSD.base64Binary,
        XSD.anyURI,
        XSD.dateTime,
        XSD.dateTimeStamp,
    }
)

_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)")
_RATIONAL = re.compile(r"(-?[0-9]+)/([0-9]*[1-9][0-9]*)")
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
_NAME_START = r":A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"  # noqa: E501
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_NAME = re.compile(f"[{_NAME_START}][{_NAME_CHAR}]*")
_NCNAME = re.compile(f"[{_NAME_START.replace(':', '')}][{_NAME_CHAR.replace(':', '')}]*")
_NMTOKEN = re.compile(f"[{_NAME_CHAR}]+")
_DATETIME = re.compile(
    r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_HEX = re.compile(r"([0-9a-fA-F]{2})*")
_BASE64 = re.compile(r"[A-Za-z0-9+/= ]*")


def _collapse(text: str) -> str:
    """Apply XML Schema's ``collapse`` white-space processing."""
    return " ".join(text.replace("\t", " ").replace("\n", " ").replace("\r", " ").split())


def _string_in(datatype: URIRef, text: str) -> bool:
    """Tell whether the string ``text`` is in the value space of a string datatype."""
    if datatype == XSD.string:
        return True
    if any(c in text for c in "\t\n\r"):
        return False
    if datatype == XSD.normalizedString:
        return True
    if text != _collapse(text):
        return False
    if datatype == XSD.token:
        return True
    pattern = {
        XSD.language: _LANGUAGE,
        XSD.Name: _NAME,
        XSD.NCName: _NCNAME,
        XSD.NMTOKEN: _NMTOKEN,
    }[datatype]
    return pattern.fullmatch(text) is not None


def _float_value(text: str, fmt: str) -> tuple[str, bytes] | None:
    """Return the identity of a float (``fmt`` ``f``) or double (``d``) lexical form."""
    if _FLOAT.fullmatch(text) is None:
        return None
    number = float(text.replace("INF", "inf"))
    try:
        packed = struct.pack(f">{fmt}", number)
    except OverflowError:
        packed = struct.pack(f">{fmt}", math.copysign(math.inf, number))
    if math.isnan(number):
        packed = struct.pack(f">{fmt}", math.nan)
    return ("float" if fmt == "f" else "double", packed)


def _datetime_value(text: str) -> tuple | None:
    """Return the data value of an ``xsd:dateTime`` lexical form (an instant when zoned)."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        extra_day = hour == "24"
        if extra_day and (minute, second, fraction or ".0") != ("00", "00", ".0"):
            return None
        if len(year.lstrip("-")) > 4 and year.lstrip("-").startswith("0"):
            return None
        moment = datetime(int(year), int(month), int(day), 0 if extra_day else int(hour))
        moment += timedelta(minutes=int(minute), seconds=int(second), days=int(extra_day))
        if int(second) > 59:
            return None
    except ValueError:
        return None  # out of range (including years Python cannot hold)
    micro = Fraction(fraction or "0")
    if zone is None:
        return ("dateTime", moment, micro, False)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 14 or minutes > 59 or (hours == 14 and minutes):
            return None
        moment -= sign * timedelta(hours=hours, minutes=minutes)
    return ("dateTime", moment.replace(tzinfo=timezone.utc), micro, True)


def _numeric(datatype: URIRef, text: str) -> Fraction | None:
    """Return the number a lexical form of a numeric (owl:real family) datatype denotes."""
    if datatype == OWL.rational:
        match = _RATIONAL.fullmatch(text)
        return Fraction(int(match.group(1)), int(match.group(2))) if match else None
    if datatype == XSD.decimal:
        return Fraction(text) if _DECIMAL.fullmatch(text) else None
    if datatype in INTEGER_RANGES:
        if _INTEGER.fullmatch(text) is None:
            return None
        number = int(text)
        low, high = INTEGER_RANGES[datatype]
        if (low is not None and number < low) or (high is not None and number > high):
            return None
        return Fraction(number)
    return None  # owl:real has no lexical form


def _xml_valid(text: str) -> bool:
    """Tell whether ``text`` is well-formed XML content."""
    try:
        minidom.parseString(f"<x>{text}</x>")
    except Exception:  # noqa: BLE001 (expat raises several kinds of errors)
        return False
    return True


@lru_cache(maxsize=65536)
def _value(lexical: str, datatype: URIRef | None, language: str | None) -> tuple | None:
    """The data value of a literal given by its parts (see :func:`data_value`)."""
    if language:
        return ("string", lexical, language.lower())
    if datatype is None or datatype == XSD.string:
        return ("string", lexical, "")
    if datatype not in RL_DATATYPES:
        return None
    if datatype in STRING_TYPES:
        text = lexical
        if datatype != XSD.normalizedString:
            text = _collapse(lexical)
        else:
            text = lexical.replace("\t", " ").replace("\n", " ").replace("\r", " ")
        return ("string", text, "") if _string_in(datatype, text) else None
    if datatype == RDF.PlainLiteral:
        text, at, tag = lexical.rpartition("@")
        if not at or (tag and _LANGUAGE.fullmatch(tag) is None):
            return None
        return ("string", text, tag.lower())
    number = _numeric(datatype, lexical.strip())
    if number is not None:
        return ("number", number)
    if datatype in (XSD.float, XSD.double):
        return _float_value(lexical.strip(), "f" if datatype == XSD.float else "d")
    if datatype == XSD.boolean:
        truth = {"true": True, "1": True, "false": False, "0": False}.get(lexical.strip())
        return None if truth is None else ("boolean", truth)
    if datatype == XSD.hexBinary:
        text = lexical.strip()
        return ("hexBinary", binascii.unhexlify(text)) if _HEX.fullmatch(text) else None
    if datatype == XSD.base64Binary:
        if _BASE64.fullmatch(lexical) is None:
            return None
        try:
            return ("base64Binary", base64.b64decode(lexical.replace(" ", ""), validate=True))
        except (binascii.Error, ValueError):
            return None
    if datatype == XSD.anyURI:
        return ("anyURI", _collapse(lexical))
    if datatype in (XSD.dateTime, XSD.dateTimeStamp):
        value = _datetime_value(lexical.strip())
        if value is None or (datatype == XSD.dateTimeStamp and not value[3]):
            return None
        return value
    if datatype == RDF.XMLLiteral:
        return ("XMLLiteral", lexical) if _xml_valid(lexical) else None
    return None  # owl:real, rdfs:Literal: no lexical forms


def data_value(literal: Node) -> tuple | None:
    """Return the data value of ``literal`` as a hashable key; ``None`` when it has none.

    ``None`` for a term that is not a literal, a literal of a datatype outside
    :data:`RL_DATATYPES`, or an ill-typed literal. Two literals have the same data value
    exactly when their keys are equal (rules ``dt-eq``, ``dt-diff``).
    """
    if not isinstance(literal, Literal):
        return None
    return _value(str(literal), literal.datatype, literal.language)


@lru_cache(maxsize=65536)
def _datatypes(value: tuple) -> frozenset[URIRef]:
    kind = value[0]
    found = {RDFS.Literal}
    if kind == "string":
        _, text, language = value
        found.add(RDF.PlainLiteral)
        if not language:
            found.update(d for d in STRING_TYPES if _string_in(d, text))
    elif kind == "number":
        number: Fraction = value[1]
        found.update((OWL.real, OWL.rational))
        denominator = number.denominator
        for factor in (2, 5):
            while denominator % factor == 0:
                denominator //= factor
        if denominator == 1:
            found.add(XSD.decimal)
        if number.denominator == 1:
            for datatype, (low, high) in INTEGER_RANGES.items():
                if (low is None or number >= low) and (high is None or number <= high):
                    found.add(datatype)
    elif kind in ("float", "double"):
        found.add(XSD.float if kind == "float" else XSD.double)
    elif kind in ("boolean", "hexBinary", "base64Binary", "anyURI", "XMLLiteral"):
        found.add(XSD[kind] if kind != "XMLLiteral" else RDF.XMLLiteral)
    elif kind == "dateTime":
        found.add(XSD.dateTime)
        if value[3]:
            found.add(XSD.dateTimeStamp)
    return frozenset(found)


def datatypes_of(literal: Node) -> frozenset[URIRef]:
    """Return the OWL 2 RL datatypes whose value space holds ``literal``'s value (``dt-type2``)."""
    value = data_value(literal)
    return _datatypes(value) if value is not None else frozenset()


def in_value_space(literal: Node, datatype: Node) -> bool:
    """Tell whether ``literal``'s data value is in the value space of ``datatype``.

    False for a literal without a data value (ill-typed, or of a datatype outside the map).
    """
    return datatype in datatypes_of(literal)


def lexically_valid(literal: Node) -> bool:
    """Tell whether a literal of an OWL 2 RL datatype has a valid lexical form (``dt-not-type``);
    true for any other term."""
    if not isinstance(literal, Literal) or literal.language:
        return True
    datatype = literal.datatype
    if datatype is None or datatype not in RL_DATATYPES:
        return True
    return data_value(literal) is not None


__all__ = [
    "RL_DATATYPES",
    "data_value",
    "datatypes_of",
    "in_value_space",
    "lexically_valid",
]
