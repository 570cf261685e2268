"""The OWL 2 RL datatype map: which datatypes the rules know, lexical forms and value spaces.

OWL 2 RL (W3C OWL 2 Profiles, section 4.2) supports exactly the datatypes of
:data:`RL_DATATYPES`; ``owl:real`` and ``owl:rational`` (left out of the profile), ``rdf:HTML``,
``rdf:langString``, ``xsd:date``, ``xsd:time`` and custom datatypes are not among them (their
literals have no known data value: the datatype rules ignore them). Value spaces follow the OWL 2
Structural Specification, section 4, lexical forms XML Schema 1.1:

* the numeric types (``xsd:decimal``, ``xsd:integer`` and the types derived from it) share
  owl:real's value space: ``"1"^^xsd:integer`` and ``"1.0"^^xsd:decimal`` are the same number,
  a ``xsd:byte`` too; ``xsd:float`` and ``xsd:double`` each have their own (identity of
  floating-point values: ``-0`` and ``+0`` are two values, ``NaN`` is one);
* strings: a plain literal is a pair (text, language tag), ``xsd:string`` the pairs without a
  tag, its derived types (``xsd:token``...) the strings that match their constraints (after
  their white-space processing); characters outside XML's make a literal ill-typed;
* ``xsd:boolean``, ``xsd:hexBinary``, ``xsd:base64Binary``, ``xsd:anyURI``,
  ``rdf:XMLLiteral`` and ``xsd:dateTime`` (``xsd:dateTimeStamp``: those with a time zone)
  each have their own values (``xsd:dateTime``: an instant when zoned, a local value otherwise,
  on the proleptic Gregorian calendar); ``rdfs:Literal`` holds every data value and has no
  lexical form of its own.

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
from fractions import Fraction
from functools import lru_cache
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
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
_FLOAT = re.compile(r"[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|INF)|NaN")
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
_NAME_START = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHAR = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_NAME = re.compile(f"[{_NAME_START}][{_NAME_CHAR}]*")
_NMTOKEN = re.compile(f"[{_NAME_CHAR}]+")
#: the characters XML does not allow (a small set: quicker to search than XML's allowed ranges)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DATETIME = re.compile(
    r"(-?)([0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\.[0-9]+)?)"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_HEX = re.compile(r"([0-9a-fA-F]{2})*")
#: white-space processing of the string types (XML Schema's whiteSpace facet)
_WHITESPACE = {
    XSD.string: "preserve",
    XSD.normalizedString: "replace",
    XSD.token: "collapse",
    XSD.language: "collapse",
    XSD.Name: "collapse",
    XSD.NCName: "collapse",
    XSD.NMTOKEN: "collapse",
}


def _replace(text: str) -> str:
    """Apply XML Schema's ``replace`` white-space processing."""
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _collapse(text: str) -> str:
    """Apply XML Schema's ``collapse`` white-space processing."""
    return re.sub(" +", " ", _replace(text)).strip(" ")


def _string_in(datatype: URIRef, text: str) -> bool:
    """Tell whether the string ``text`` is in the value space of a string datatype."""
    if _NOT_XML.search(text) is not None:
        return False
    if datatype == XSD.string:
        return True
    if any(c in text for c in "\t\n\r"):
        return False
    if datatype == XSD.normalizedString:
        return True
    if text != text.strip(" ") or "  " in text:
        return False
    if datatype == XSD.token:
        return True
    if datatype == XSD.NCName:
        return ":" not in text and _NAME.fullmatch(text) is not None
    pattern = {XSD.language: _LANGUAGE, XSD.Name: _NAME, XSD.NMTOKEN: _NMTOKEN}[datatype]
    return pattern.fullmatch(text) is not None


def _float_value(text: str, kind: str) -> tuple | None:
    """Return the identity of a float (``kind`` ``float``) or double lexical form."""
    if _FLOAT.fullmatch(text) is None:
        return None
    number = float(text.replace("INF", "inf"))
    if math.isnan(number):
        return (kind, "NaN")
    if kind == "double":
        return (kind, struct.pack(">d", number))
    try:
        return (kind, struct.pack(">f", number))
    except OverflowError:
        return (kind, struct.pack(">f", math.copysign(math.inf, number)))


def _civil_days(year: int, month: int, day: int) -> int:
    """Return the days from 1970-01-01 to a date of the proleptic Gregorian calendar."""
    before_march = month <= 2
    year -= before_march
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (9 if before_march else -3)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _datetime_value(text: str) -> tuple | None:
    """Return the data value of an ``xsd:dateTime`` lexical form: ``("instant", seconds)`` on
    the time line when it has a time zone, ``("local", seconds)`` otherwise."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return None
    sign, year_text, month_text, day_text, hour_text, minute_text, second_text, zone = (
        match.groups()
    )
    if len(year_text) > 4 and year_text.startswith("0"):
        return None
    year = -int(year_text) if sign else int(year_text)
    month, day = int(month_text), int(day_text)
    hour, minute, second = int(hour_text), int(minute_text), Fraction(second_text)
    if not 1 <= month <= 12 or not 1 <= day <= _month_days(year, month):
        return None
    if minute > 59 or second >= 60 or hour > 24 or (hour == 24 and (minute or second)):
        return None
    moment = _civil_days(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    if zone is None:
        return ("local", moment)
    if zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 14 or minutes > 59 or (hours == 14 and minutes):
            return None
        offset = (hours * 60 + minutes) * 60
        moment += -offset if zone[0] == "+" else offset
    return ("instant", moment)


def _numeric(datatype: URIRef, text: str) -> Fraction | None:
    """Return the number a lexical form of ``xsd:decimal`` or an integer type denotes."""
    if datatype == XSD.decimal:
        return Fraction(text) if _DECIMAL.fullmatch(text) else None
    if _INTEGER.fullmatch(text) is None:
        return None
    number = int(text)
    low, high = INTEGER_RANGES[datatype]
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return Fraction(number)


def _base64_value(lexical: str) -> tuple | None:
    """Return the octets of a canonical-bits ``xsd:base64Binary`` lexical form."""
    text = "".join(lexical.split())
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return ("base64Binary", data) if base64.b64encode(data).decode() == text else None


def _xml_valid(text: str) -> bool:
    """Tell whether ``text`` is well-formed XML content."""
    try:
        minidom.parseString(f"<x>{text}</x>")
    except ExpatError:
        return False
    return True


def _plain(text: str, language: str | None) -> tuple | None:
    """The value of a string with an optional language tag (compared without case)."""
    if _NOT_XML.search(text) is not None:
        return None
    return ("string", text) if not language else ("lang", text, language.lower())


@lru_cache(maxsize=65536)
def _value(lexical: str, datatype: URIRef | None, language: str | None) -> tuple | None:
    """The data value of a literal given by its parts (see :func:`data_value`)."""
    if language:
        return _plain(lexical, language)
    if datatype is None:
        return _plain(lexical, None)
    if datatype not in RL_DATATYPES or datatype == RDFS.Literal:
        return None
    if datatype in _WHITESPACE:
        space = _WHITESPACE[datatype]
        text = lexical if space == "preserve" else _replace(lexical)
        if space == "collapse":
            text = _collapse(text)
        return ("string", text) if _string_in(datatype, text) else None
    if datatype == RDF.PlainLiteral:
        text, at, tag = lexical.rpartition("@")
        if not at or (tag and _LANGUAGE.fullmatch(tag) is None):
            return None
        return _plain(text, tag or None)
    text = _collapse(lexical)
    if datatype == XSD.decimal or datatype in INTEGER_RANGES:
        number = _numeric(datatype, text)
        return None if number is None else ("number", number)
    if datatype in (XSD.float, XSD.double):
        return _float_value(text, "float" if datatype == XSD.float else "double")
    if datatype == XSD.boolean:
        truth = {"true": True, "1": True, "false": False, "0": False}.get(text)
        return None if truth is None else ("boolean", truth)
    if datatype == XSD.hexBinary:
        return ("hexBinary", bytes.fromhex(text)) if _HEX.fullmatch(text) else None
    if datatype == XSD.base64Binary:
        return _base64_value(lexical)
    if datatype == XSD.anyURI:
        return ("anyURI", text)
    if datatype in (XSD.dateTime, XSD.dateTimeStamp):
        value = _datetime_value(text)
        if value is None or (datatype == XSD.dateTimeStamp and value[0] != "instant"):
            return None
        return value
    return ("XMLLiteral", lexical) if _xml_valid(lexical) else None


def string_value(text: str, language: str | None) -> tuple | None:
    """Return the data value of a simple (``language`` None) or language-tagged literal: the
    fast path of :func:`data_value` for the most common literals."""
    if _NOT_XML.search(text) is not None:
        return None
    return ("string", text) if not language else ("lang", text, language.lower())


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
        found.add(RDF.PlainLiteral)
        found.update(d for d in STRING_TYPES if _string_in(d, value[1]))
    elif kind == "lang":
        found.add(RDF.PlainLiteral)
    elif kind == "number":
        number: Fraction = value[1]
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
    elif kind in ("float", "double", "boolean", "hexBinary", "base64Binary", "anyURI"):
        found.add(XSD[kind])
    elif kind == "XMLLiteral":
        found.add(RDF.XMLLiteral)
    elif kind in ("local", "instant"):
        found.add(XSD.dateTime)
        if kind == "instant":
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


def is_supported(literal: Node) -> bool:
    """Tell whether ``literal`` is a literal the datatype map reads: a simple or language-tagged
    literal, or one of an OWL 2 RL datatype (``dt-not-type`` checks only those)."""
    return isinstance(literal, Literal) and (
        literal.datatype is None or literal.datatype in RL_DATATYPES
    )


def lexically_valid(literal: Node) -> bool:
    """Tell whether a literal the map reads has a data value (its text is a lexical form of its
    datatype); true for any other term."""
    return not is_supported(literal) or data_value(literal) is not None


__all__ = [
    "RL_DATATYPES",
    "data_value",
    "datatypes_of",
    "in_value_space",
    "is_supported",
    "string_value",
    "lexically_valid",
]
