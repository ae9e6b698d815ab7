"""German (de-CH) texts for everything the importer reports, from stable codes and their values.

The parsers are pure Python and say what and where in English with machine codes; this module
turns a code and its parameters into the sentence a utility employee reads, through Django's
translation machinery.
"""

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from metering.parsers.base import Problem
from openleg.storage import STORAGE_FULL

TEXTS = {
    "unknown_format": _("Das Dateiformat wurde nicht erkannt: %(reason)s"),  # the reason ends with its full stop
    "empty_file": _("Die Datei ist leer."),
    "xml_syntax": _("Die XML-Datei ist fehlerhaft (%(place)s): %(what)s."),
    "compressed_file": _("Die Datei ist komprimiert (%(kind)s), bitte entpacken und die entpackte Datei einlesen."),
    "spreadsheet_file": _(
        "Die Datei ist eine Excel-Arbeitsmappe; bitte in Excel als CSV (Trennzeichen-getrennt) speichern und diese "
        "Datei einlesen."
    ),
    "doctype_forbidden": _(
        "Die XML-Datei enthält eine DOCTYPE- oder ENTITY-Deklaration. SDAT-CH-Dateien haben keine; "
        "die Datei wird aus Sicherheitsgründen nicht gelesen."
    ),
    "storage_full": STORAGE_FULL,
    "file_too_large": _("Die Datei ist %(size)s gross; angenommen werden höchstens %(limit)s."),
    "parser_failure": _(
        "Die Datei konnte nicht gelesen werden (interner Fehler, protokolliert). Es wurde nichts gespeichert."
    ),
    "field_too_long": _(
        'Ein Feld ist länger als %(limit)s Zeichen; vermutlich ist ein Anführungszeichen (") nicht geschlossen.'
    ),
    "mostly_gaps": _(
        "Nur %(count)s Werte über %(days)s Tage (%(start)s bis %(end)s); die grösste Lücke umfasst %(gap)s "
        "Viertelstunden. Vermutlich ist ein Datum falsch: eine Datei, die fast nur aus Lücken besteht, wird nicht "
        "gelesen."
    ),
    "missing_column": _("Die Spalte «%(column)s» fehlt."),
    "unmapped_column": _("Die Spaltenzuordnung nennt keine Spalte für %(role)s."),
    "no_slot_columns": _("Die Kopfzeile enthält keine Viertelstundenspalten (00:15 … 24:00)."),
    "bad_number": _("«%(value)s» ist keine gültige Zahl."),
    "bad_timestamp": _("Der Zeitpunkt «%(value)s» ist ungültig: %(detail)s"),
    "negative_value": _("Negativer Wert %(value)s: Energiewerte dürfen nicht negativ sein."),
    "duplicate_slot": _(
        "Die Viertelstunde ab %(slot)s (Ortszeit %(local)s) kommt in der Datei mehrfach vor; zuerst bei %(first)s."
    ),
    "bad_row": _("Die Zeile hat %(found)s statt %(expected)s Felder."),
    "bad_sequence": _("Die Position «%(value)s» liegt nicht zwischen 1 und %(expected)s."),
    "bad_creation": _(
        "Der Erstellungszeitpunkt «%(value)s» im Element %(element)s ist ungültig: erwartet wird ein Zeitpunkt "
        "mit Zeitzone, z. B. 2026-07-05T10:00:00Z. Er entscheidet, welche Lieferung einer Viertelstunde gilt."
    ),
    "missing_element": _("Das Element %(element)s fehlt."),
    "unknown_direction": _("«%(value)s» ist weder Bezug noch Einspeisung."),
    "unknown_condition": _("Unbekannter Qualitätscode %(value)s; die Werte werden als Ersatzwerte gespeichert."),
    "unsupported_product": _("Produkt %(value)s wird nicht gelesen (erwartet: Total, LEG-Anteil, Netz-Anteil)."),
    "exchange_point_skipped": _("Ein Austauschmesspunkt (Netzübergabe) wird übersprungen."),
    "no_observations": _("Ein Datenblock enthält keine Werte."),
    "estimated": _("%(count)s von %(total)s Werten sind Ersatzwerte und werden so gespeichert."),
    "wrong_day_length": _("Der Tag %(day)s hat %(found)s statt %(expected)s Viertelstunden."),
    "incomplete_day": _("Der Tag %(day)s ist unvollständig (%(found)s von %(expected)s Viertelstunden)."),
    "gap": _("Lücke: %(count)s Viertelstunden ab %(slot)s fehlen."),
    "split_mismatch": _(
        "Total %(total)s ≠ LEG-Anteil %(leg)s + Netz-Anteil %(grid)s in der Viertelstunde %(slot)s "
        "(Abweichung über 1 Wh)."
    ),
    "bad_metering_point_id": _("«%(value)s» ist keine gültige Messpunkt-ID (CH + 6 Ziffern + 25 Zeichen)."),
    "bad_metering_point_column": _(
        "Die Spalte «%(column)s» enthält %(count)s ungültige Messpunkt-IDs, zuerst «%(value)s» in Zeile %(line)s; "
        "erwartet wird CH + 6 Ziffern + 25 Zeichen."
    ),
    "unsupported_resolution": _("Auflösung %(value)s wird nicht unterstützt: erwartet werden 15 Minuten."),
    "unsupported_unit": _("Einheit %(value)s wird nicht unterstützt: erwartet wird kWh (oder kW)."),
    "metering_point_required": _(
        "Diese Datei enthält keine Messpunkt-ID: bitte den Messpunkt angeben (--metering-point)."
    ),
    "provisional": _(
        "%(count)s von %(total)s Werten sind provisorisch (Condition 21) und werden als provisorisch gespeichert."
    ),
    "unknown_metering_point": _(
        "Der Messpunkt %(metering_point)s ist nicht erfasst. Mitarbeitende können ihn anlegen."
    ),
    "foreign_metering_point": _(
        "Der Messpunkt %(metering_point)s ist in Ihrem Netzgebiet nicht erfasst; Messdaten anderer Messpunkte "
        "werden nicht übernommen."
    ),
    "foreign_community": _(
        "Die Gemeinschaft %(reference)s ist in Ihrem Netzgebiet nicht erfasst; Summenzeitreihen anderer "
        "Gemeinschaften werden nicht übernommen."
    ),
    "not_in_community": _(
        "Der Messpunkt %(metering_point)s gehört vom %(first)s bis %(last)s zu keiner Gemeinschaft; "
        "die Werte werden gespeichert, aber nicht abgerechnet."
    ),
    "unconfirmed_mapping": _(
        "Für dieses CSV-Format ist noch keine Spaltenzuordnung bestätigt. Mitarbeitende bestätigen die "
        "vorgeschlagene Zuordnung einmal in der Vorschau; danach gilt sie für jede Datei dieses Formats."
    ),
    "superseded_older": _(
        "Die Lieferung %(delivery)s ist älter als die gespeicherte %(stored)s: %(count)s Werte wurden nicht übernommen."
    ),
    "superseded_measured": _(
        "Die Lieferung %(delivery)s ist gleich alt wie die gespeicherte %(stored)s mit gemessenen Werten: "
        "%(count)s provisorische oder Ersatzwerte wurden nicht übernommen."
    ),
    "plausibility_capacity": _(
        "Messpunkt %(metering_point)s, %(direction)s am %(day)s: mehr Energie, als die Anschlussleistung zulässt "
        "(Viertelstunden: %(count)s, höchster Wert %(largest)s kWh, Grenze %(limit)s kWh)."
    ),
    "plausibility_night": _(
        "Messpunkt %(metering_point)s, %(direction)s am %(day)s: Einspeisung bei Nacht "
        "(Viertelstunden: %(count)s, höchster Wert %(largest)s kWh, Grenze %(limit)s kWh)."
    ),
    "plausibility_spike": _(
        "Messpunkt %(metering_point)s, %(direction)s am %(day)s: ein Vielfaches des üblichen Werts "
        "(Viertelstunden: %(count)s, höchster Wert %(largest)s kWh, Grenze %(limit)s kWh)."
    ),
    "more_of_kind": _("%(count)s weitere Fälle dieser Art werden nicht einzeln aufgeführt."),
    "already_imported": _("Diese Datei wurde bereits mit Import #%(import_id)s übernommen; nichts geändert."),
    "already_superseded": _(
        "Diese Datei wurde bereits mit Import #%(import_id)s eingelesen und war überholt; nichts geändert."
    ),
}


# The column a mapping leaves out, by the role the parser names (metering.parsers.table_reader.unmapped).
COLUMN_ROLES = {
    "timestamp": _("den Zeitpunkt (timestamp_column, oder date_column und time_column)"),
    "date": _("das Datum (date_column)"),
    "time": _("die Uhrzeit (time_column)"),
    "values": _("Bezug oder Einspeisung (consumption_columns oder production_columns)"),
}

# What is wrong with a broken XML file, by the reason metering.parsers.sdat_xml.xml_error gives libxml2's code.
XML_REASONS = {
    "unfinished": _(
        "sie endet, bevor das Element «%(element)s» (ab Zeile %(since_line)s) geschlossen ist; vermutlich ist sie "
        "unvollständig übertragen worden"
    ),
    "unfinished_same_line": _(
        "sie endet, bevor das Element «%(element)s» geschlossen ist; vermutlich ist sie unvollständig übertragen worden"
    ),
    "mismatch": _("das End-Tag «%(closing)s» passt nicht zum Start-Tag «%(element)s» aus Zeile %(since_line)s"),
    "mismatch_same_line": _("das End-Tag «%(closing)s» passt nicht zum Start-Tag «%(element)s»"),
    "unclosed_tag": _("ein Tag ist nicht mit «>» abgeschlossen"),
    "attribute": _("ein Attribut ist ungültig geschrieben"),
    "extra_content": _("nach dem Ende des Dokuments folgt weiterer Inhalt"),
    "empty": _("sie enthält kein Element"),
    "invalid_character": _("sie enthält ein Zeichen, das in XML nicht vorkommen darf"),
    "entity": _("sie verwendet eine nicht deklarierte Entität (&…;)"),
    "namespace": _("das Namensraum-Präfix «%(element)s» ist nicht deklariert"),
    "encoding": _("die angegebene Zeichenkodierung ist unbekannt oder passt nicht zum Inhalt"),
    "too_deep": _("die Elemente sind zu tief verschachtelt"),
    "malformed": _("der Aufbau ist an dieser Stelle ungültig"),
}


def _xml_place_and_reason(params: Mapping[str, str]) -> dict[str, str]:
    line, column = params.get("line", ""), params.get("column", "")
    place = _("Zeile %(line)s, Spalte %(column)s") if column and column != "0" else _("Zeile %(line)s")
    key = params.get("reason", "")
    if params.get("since_line") == line:  # the line is said once
        key = f"{key}_same_line"
    reason = XML_REASONS.get(key) or XML_REASONS.get(params.get("reason", ""), XML_REASONS["malformed"])
    return {"place": str(place) % {"line": line, "column": column}, "what": str(reason) % defaultdict(str, params)}


# Why detection failed, as the parsers say it (metering.parsers.detect, .table) and in German.
_REASONS = (
    (re.compile(r"the file is empty"), lambda m: _("die Datei ist leer")),
    (re.compile(r"the file is not text.*"), lambda m: _("die Datei ist kein Text (weder UTF-8 noch Windows-1252)")),
    (
        re.compile(r"neither SDAT XML nor a delimited table"),
        lambda m: _("weder SDAT-CH-XML noch eine Tabelle mit Trennzeichen"),
    ),
    (
        re.compile(r"broken XML \(line (\d+)\): .*", re.DOTALL),
        lambda m: _("fehlerhaftes XML (Zeile %(line)s)") % {"line": m[1]},
    ),
    (
        re.compile(r"(\S+) holds register readings \(meter totals\), not interval data"),
        lambda m: _("«%(element)s» enthält Zählerstände, keine Viertelstundenwerte") % {"element": m[1]},
    ),
    (
        re.compile(r"XML root (\S+) is not in the SDAT namespace (\S+)"),
        lambda m: _("das Wurzelelement «%(element)s» gehört nicht zum SDAT-Namensraum (%(namespace)s)")
        % {"element": m[1], "namespace": m[2]},
    ),
    (
        re.compile(r"XML root (\S+) is no supported SDAT-CH document (.*)"),
        lambda m: _("«%(element)s» ist kein unterstütztes SDAT-CH-Dokument %(supported)s")
        % {"element": m[1], "supported": m[2]},
    ),
    (
        re.compile(r"the mapping names the encoding '(.*)', which cannot decode text"),
        lambda m: _("die Spaltenzuordnung nennt die Zeichenkodierung «%(encoding)s», die keinen Text lesen kann")
        % {"encoding": m[1]},
    ),
    (
        re.compile(r"no parser for the format '(.*)'"),
        lambda m: _("für das Format «%(format)s» gibt es kein Programm") % {"format": m[1]},
    ),
)


def _in_german(table, text: str) -> str | None:
    """``text`` as the first pattern of ``table`` that matches all of it says it, or None."""
    for pattern, said in table:
        match = pattern.fullmatch(text)
        if match:
            return str(said(match))
    return None


def _reason(params: Mapping[str, str]) -> dict[str, str]:
    reason = params.get("reason", "")
    german = _in_german(_REASONS, reason)
    return {"reason": f"{german}." if german else reason}


# Parameters a text needs that are said in German from the parser's stable keys.
_SAID = {
    "unknown_format": _reason,
    "xml_syntax": _xml_place_and_reason,
    "unmapped_column": lambda params: {"role": str(COLUMN_ROLES.get(params.get("role", ""), params.get("role", "")))},
}


# Where a parser found something, as it says it (stable, for machines) and as a clerk reads it.
_PLACES = (
    (re.compile(r"XML line (\d+)"), lambda m: _("XML-Zeile %(line)s") % {"line": m[1]}),
    (
        re.compile(r"line (\d+), column '(.*)'", re.DOTALL),
        lambda m: _("Zeile %(line)s, Spalte «%(column)s»") % {"line": m[1], "column": m[2]},
    ),
    (re.compile(r"line (\d+)"), lambda m: _("Zeile %(line)s") % {"line": m[1]}),
    (re.compile(r"column '(.*)'", re.DOTALL), lambda m: _("Spalte «%(column)s»") % {"column": m[1]}),
    (re.compile(r"file"), lambda m: str(_("Datei"))),
    (re.compile(r"mapping"), lambda m: str(_("Spaltenzuordnung"))),
)


def place(location: str) -> str:
    """``location`` in German ("line 2, column 'Zeit'" → "Zeile 2, Spalte «Zeit»"); a file name stays as it is."""
    return _in_german(_PLACES, location) or location


@dataclass(frozen=True)
class Finding:
    code: str
    location: str
    params: Mapping[str, str] = field(default_factory=dict)
    fallback: str = ""

    @property
    def place(self) -> str:
        return place(self.location)

    @property
    def message(self) -> str:
        text = TEXTS.get(self.code)
        if text is None:
            return self.fallback or self.code
        params = {key: str(value) for key, value in self.params.items()}
        if "first" in params:
            params["first"] = place(params["first"])
        if self.code in _SAID:
            params.update(_SAID[self.code](params))
        return str(text) % defaultdict(str, params)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "location": self.location, "message": self.message, "params": dict(self.params)}


OVERFLOW_LOCATION = "further locations"  # metering.parsers.base.Issues: past its cap a kind is only counted


def finding_from_problem(problem: Problem) -> Finding:
    if problem.location == OVERFLOW_LOCATION:
        return Finding("more_of_kind", problem.code, dict(problem.params), problem.message)
    return Finding(problem.code, problem.location, dict(problem.params), problem.message)
