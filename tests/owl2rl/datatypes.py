"""The datatype map of OWL 2 RL, written from the OWL 2 specifications for the oracle.

Which datatypes: exactly the list of OWL 2 Profiles, section 4.2 (OWL 2 RL): rdf:PlainLiteral,
rdf:XMLLiteral, rdfs:Literal, the decimal/integer family, xsd:float, xsd:double, the string
family, xsd:boolean, xsd:hexBinary, xsd:base64Binary, xsd:anyURI, xsd:dateTime and
xsd:dateTimeStamp. Not owl:real nor owl:rational (OWL 2 RL leaves them out), and not xsd:date,
xsd:time, rdf:langString or rdf:HTML (not OWL 2 datatypes at all). A literal whose datatype is
outside this map has no known data value: the dt-* rules say nothing about it.

Value spaces follow the OWL 2 Structural Specification, section 4 (with XML Schema 1.1 for the
lexical forms):

* numbers: the decimal/integer family shares one value space of exact rationals (so
  ``"1"^^xsd:integer``, ``"01"^^xsd:int`` and ``"1.0"^^xsd:decimal`` are one data value);
  xsd:float and xsd:double each have their own, disjoint from it and from each other; values
  are compared by identity, so ``-0`` and ``+0`` differ and ``NaN`` is one value;
* strings: a string without a language tag is one value whatever its datatype in the string
  family (xsd:string, xsd:token, …; a simple literal is an xsd:string); a string with a
  language tag (``"a"@en``) is a value of rdf:PlainLiteral only, the tag compared without case;
* xsd:boolean, xsd:hexBinary, xsd:base64Binary, xsd:anyURI and rdf:XMLLiteral: each its own
  value space;
* xsd:dateTime: a value with a timezone offset is a point on the time line (equal instants
  written in two offsets are one value); a value without one is a separate local value;
  xsd:dateTimeStamp holds the values with an offset.

rdfs:Literal has no lexical form of its own here (its value space is the union of the others),
so ``"x"^^rdfs:Literal`` is read as ill-typed; the fuzzing never writes one.

A value is a plain tuple ``(kind, …)`` so that equal values compare and hash equal. An
ill-typed literal (lexical form outside its datatype's lexical space) has no value at all.
Known simplification: xsd:float values are rounded through a double (differs from direct
rounding only for decimal strings half-way between two floats, which the tests never write).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
import xml.dom.minidom
from fractions import Fraction
from xml.parsers.expat import ExpatError

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

Value = tuple[object, ...]

PLAIN_LITERAL = RDF.PlainLiteral
XML_LITERAL = RDF.XMLLiteral

#: exact integer ranges of the integer family (None: unbounded on that side)
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
#: the string family but rdf:PlainLiteral, with the whiteSpace facet of each
STRING_TYPES: dict[URIRef, str] = {
    XSD.string: "preserve",
    XSD.normalizedString: "replace",
    XSD.token: "collapse",
    XSD.language: "collapse",
    XSD.Name: "collapse",
    XSD.NCName: "collapse",
    XSD.NMTOKEN: "collapse",
}

#: every datatype of OWL 2 RL (OWL 2 Profiles, section 4.2), in the order the profile lists them
RL_DATATYPES: tuple[URIRef, ...] = (
    PLAIN_LITERAL,
    XML_LITERAL,
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
)

# -- lexical patterns (XML Schema 1.1 part 2; XML 1.0 fifth edition for names) -------------------

_NAME_START = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHAR = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_NAME = re.compile(f"[{_NAME_START}][{_NAME_CHAR}]*")
_NMTOKEN = re.compile(f"[{_NAME_CHAR}]+")
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
_XML_CHARS = re.compile("[\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_INTEGER = re.compile(r"[+-]?\d+")
_FLOATING = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN")
_HEX = re.compile(r"([0-9a-fA-F]{2})*")
_DATETIME = re.compile(
    r"(-?)(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d(?:\.\d+)?)(Z|[+-]\d\d:\d\d)?"
)


def _replace(text: str) -> str:
    """XML Schema's whiteSpace ``replace``: every tab, line feed and carriage return to a space."""
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _collapse_spaces(text: str) -> str:
    """XML Schema's whiteSpace ``collapse``: blanks to spaces, runs of spaces to one, trimmed."""
    return re.sub(" +", " ", _replace(text)).strip(" ")


# -- values ---------------------------------------------------------------------------------------


def is_supported(literal: Literal) -> bool:
    """True when the literal's datatype is in the map (a simple or language-tagged literal is)."""
    return literal.datatype is None or literal.datatype in RL_DATATYPES


def value_of(literal: Literal) -> Value | None:
    """The data value of a literal of a supported datatype; None when it is ill-typed.

    :param literal: a literal for which :func:`is_supported` holds
    """
    lexical = str(literal)
    if literal.language is not None:
        return _checked_string(lexical, literal.language)
    datatype = literal.datatype
    if datatype is None:
        return _checked_string(lexical, None)
    if datatype == RDFS.Literal:
        return None  # rdfs:Literal has no lexical form of its own
    if datatype == PLAIN_LITERAL:
        text, _, tag = lexical.rpartition("@")
        if "@" not in lexical or (tag and not _LANGUAGE.fullmatch(tag)):
            return None
        return _checked_string(text, tag or None)
    if datatype in STRING_TYPES:
        return _string_value(lexical, datatype)
    if datatype == XSD.decimal or datatype in INTEGER_RANGES:
        return _number_value(_collapse_spaces(lexical), datatype)
    if datatype in (XSD.float, XSD.double):
        return _floating_value(_collapse_spaces(lexical), datatype)
    if datatype == XSD.boolean:
        return _boolean_value(_collapse_spaces(lexical))
    if datatype == XSD.hexBinary:
        text = _collapse_spaces(lexical)
        return ("hexBinary", bytes.fromhex(text)) if _HEX.fullmatch(text) else None
    if datatype == XSD.base64Binary:
        return _base64_value(lexical)
    if datatype == XSD.anyURI:
        return ("anyURI", _collapse_spaces(lexical))
    if datatype in (XSD.dateTime, XSD.dateTimeStamp):
        value = _datetime_value(_collapse_spaces(lexical))
        if value is not None and datatype == XSD.dateTimeStamp and value[0] != "instant":
            return None
        return value
    if datatype == XML_LITERAL:
        return _xml_value(lexical)
    raise ValueError(f"not a datatype of OWL 2 RL: {datatype}")


def in_value_space(value: Value, datatype: URIRef) -> bool:
    """True when ``value`` is in the value space of ``datatype`` (one of :data:`RL_DATATYPES`)."""
    kind = value[0]
    if datatype == RDFS.Literal:
        return True
    if datatype == PLAIN_LITERAL:
        return kind in ("string", "lang")
    if datatype in STRING_TYPES:
        return kind == "string" and _string_fits(str(value[1]), datatype)
    if datatype == XSD.decimal:
        return kind == "number" and _finite_decimal(value[1])  # type: ignore[arg-type]
    if datatype in INTEGER_RANGES:
        number = value[1]
        if kind != "number" or not isinstance(number, Fraction) or number.denominator != 1:
            return False
        low, high = INTEGER_RANGES[datatype]
        return (low is None or number >= low) and (high is None or number <= high)
    kind_of_type = {
        XSD.float: "float",
        XSD.double: "double",
        XSD.boolean: "boolean",
        XSD.hexBinary: "hexBinary",
        XSD.base64Binary: "base64Binary",
        XSD.anyURI: "anyURI",
        XML_LITERAL: "XMLLiteral",
        XSD.dateTimeStamp: "instant",
    }
    if datatype == XSD.dateTime:
        return kind in ("instant", "local")
    return kind_of_type.get(datatype) == kind


def _checked_string(text: str, tag: str | None) -> Value | None:
    if not _XML_CHARS.fullmatch(text):
        return None
    return ("string", text) if tag is None else ("lang", text, tag.lower())


def _string_value(lexical: str, datatype: URIRef) -> Value | None:
    space = STRING_TYPES[datatype]
    text = lexical if space == "preserve" else _replace(lexical)
    if space == "collapse":
        text = _collapse_spaces(text)
    if not _XML_CHARS.fullmatch(text) or not _string_fits(text, datatype):
        return None
    return ("string", text)


def _string_fits(text: str, datatype: URIRef) -> bool:
    """True when the string ``text`` is in the value space of a type of the string family."""
    if not _XML_CHARS.fullmatch(text):
        return False
    if datatype == XSD.string:
        return True
    if any(c in text for c in "\t\n\r"):
        return False
    if datatype == XSD.normalizedString:
        return True
    if text != text.strip(" ") or "  " in text:
        return False
    patterns = {
        XSD.token: None,
        XSD.language: _LANGUAGE,
        XSD.NMTOKEN: _NMTOKEN,
        XSD.Name: _NAME,
        XSD.NCName: _NAME,
    }
    pattern = patterns[datatype]
    if pattern is not None and not pattern.fullmatch(text):
        return False
    return datatype != XSD.NCName or ":" not in text


def _finite_decimal(number: Fraction) -> bool:
    """True when the rational has a finite decimal expansion (denominator of 2s and 5s only)."""
    denominator = number.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _number_value(text: str, datatype: URIRef) -> Value | None:
    if datatype == XSD.decimal:
        return ("number", Fraction(text)) if _DECIMAL.fullmatch(text) else None
    if not _INTEGER.fullmatch(text):
        return None
    value: Value = ("number", Fraction(int(text)))
    return value if in_value_space(value, datatype) else None


def _floating_value(text: str, datatype: URIRef) -> Value | None:
    if not _FLOATING.fullmatch(text):
        return None
    kind = "double" if datatype == XSD.double else "float"
    number = float(text.replace("INF", "inf").replace("NaN", "nan"))
    if math.isnan(number):
        return (kind, "NaN")
    if kind == "float":
        try:
            packed = struct.pack(">f", number)
        except OverflowError:
            packed = struct.pack(">f", math.copysign(math.inf, number))
        return (kind, packed)
    return (kind, struct.pack(">d", number))  # the bits: -0 and +0 stay apart


def _boolean_value(text: str) -> Value | None:
    return {"true": ("boolean", True), "1": ("boolean", True)}.get(text) or {
        "false": ("boolean", False),
        "0": ("boolean", False),
    }.get(text)


def _base64_value(lexical: str) -> Value | None:
    text = "".join(lexical.split())
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    # the last characters must carry no stray bits (XML Schema's B04 and B16 productions)
    return ("base64Binary", data) if base64.b64encode(data).decode() == text else None


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a date of the proleptic Gregorian calendar (year 0 exists)."""
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _datetime_value(text: str) -> Value | None:
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
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return None
    if minute > 59 or second >= 60 or hour > 24 or (hour == 24 and (minute or second)):
        return None
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    if zone is None:
        return ("local", seconds)
    if zone != "Z":
        zone_hours, zone_minutes = int(zone[1:3]), int(zone[4:6])
        if zone_minutes > 59 or zone_hours > 14 or (zone_hours == 14 and zone_minutes):
            return None
        offset = (zone_hours * 60 + zone_minutes) * 60
        seconds -= offset if zone[0] == "+" else -offset
    return ("instant", seconds)


def _xml_value(lexical: str) -> Value | None:
    try:
        xml.dom.minidom.parseString(f"<r>{lexical}</r>")
    except ExpatError:
        return None
    return ("XMLLiteral", lexical)
