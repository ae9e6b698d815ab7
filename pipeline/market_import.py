"""Market data import: distribution utilities (VNB) and the municipalities they serve, from one CSV layout.

The layout, for the people who prepare the files, is described in ``pipeline/MARKET_DATA.md``:

* UTF-8, with or without byte order mark; ``;`` or ``,`` as delimiter, taken from the header line.
* A header line naming the columns, in any order; unknown columns are ignored. Required columns::

      vnb_short_name;vnb_name;vnb_number;vnb_canton;smart_meter_share;competitor;
      bfs_number;municipality;municipality_canton;population;installed_pv_kwp;roof_potential_mwh

  optional columns: ``vnb_street``, ``vnb_house_number``, ``vnb_postcode``, ``vnb_town``.
* One row per (utility, municipality) pair. A utility's own values repeat on each of its rows and must agree,
  as must a municipality's values when several utilities serve it.

Keys: a municipality by its BFS number, a utility by its short name, or by its VNB number when the short name
is new (the short name is then renamed). A re-import updates values and adds links, never duplicates; an empty
cell leaves the stored value as it is; links are never removed; the pipeline (stage, owner, notes, next action)
is never touched. Everything is checked first: any error and nothing is written, every error is reported with
its line and column. Afterwards every utility whose inputs were imported is rescored.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import IO

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.actors import done_by
from openleg.errors import DomainError
from pipeline import services
from pipeline.market_cells import (
    CellError,
    amount_cell,
    bfs_number_cell,
    canton_cell,
    count_cell,
    pattern_cell,
    share_cell,
    text_cell,
)
from pipeline.models import Municipality, Utility
from pipeline.stages import Door

logger = logging.getLogger(__name__)

HEADER_LINE = 1
SOURCE_MAX_LENGTH = Municipality._meta.get_field("market_data_source").max_length


class MarketImportError(DomainError):
    """The file was refused; ``errors`` lists every problem found, nothing was written."""

    code = "market_import_invalid"

    def __init__(self, errors: list[str]) -> None:
        header = _("Die Marktdaten wurden nicht importiert, es wurde nichts gespeichert (%(count)s Fehler):") % {
            "count": len(errors)
        }
        super().__init__("\n".join([header, *errors]))
        self.errors = errors


@dataclass(frozen=True)
class ImportSummary:
    source: str
    rows: int
    utilities_created: int
    utilities_updated: int
    utilities_unchanged: int
    municipalities_created: int
    municipalities_updated: int
    municipalities_unchanged: int
    links_added: int
    rescored: int
    dry_run: bool

    def as_dict(self) -> dict:
        return asdict(self)


# -- the layout ----------------------------------------------------------------------------------------------

UTILITY = "utility"
MUNICIPALITY = "municipality"


@dataclass(frozen=True)
class Column:
    entity: str
    field: str
    parse: Callable[[str], object]
    value_required: bool = False
    optional: bool = False  # the header may leave the column out


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def _utility_text(name: str, *, value_required: bool = False, optional: bool = False) -> Column:
    return Column(UTILITY, name, text_cell(_max_length(Utility, name)), value_required, optional)


COLUMNS: dict[str, Column] = {
    "vnb_short_name": _utility_text("short_name", value_required=True),
    "vnb_name": _utility_text("name", value_required=True),
    "vnb_number": Column(
        UTILITY, "vnb_number", pattern_cell(r"\d{6}", gettext_lazy("«%(value)s» ist keine VNB-Nummer (sechs Ziffern)."))
    ),
    "vnb_canton": Column(UTILITY, "canton", canton_cell, value_required=True),
    "smart_meter_share": Column(UTILITY, "smart_meter_share", share_cell),
    "competitor": _utility_text("competitor"),
    "bfs_number": Column(MUNICIPALITY, "bfs_number", bfs_number_cell, value_required=True),
    "municipality": Column(MUNICIPALITY, "name", text_cell(_max_length(Municipality, "name")), value_required=True),
    "municipality_canton": Column(MUNICIPALITY, "canton", canton_cell, value_required=True),
    "population": Column(MUNICIPALITY, "population", count_cell),
    "installed_pv_kwp": Column(MUNICIPALITY, "installed_pv_kwp", amount_cell),
    "roof_potential_mwh": Column(MUNICIPALITY, "roof_potential_mwh", amount_cell),
    "vnb_street": _utility_text("street", optional=True),
    "vnb_house_number": _utility_text("house_number", optional=True),
    "vnb_postcode": Column(
        UTILITY,
        "postcode",
        pattern_cell(r"[1-9]\d{3}", gettext_lazy("«%(value)s» ist keine Schweizer Postleitzahl (vier Ziffern).")),
        optional=True,
    ),
    "vnb_town": _utility_text("town", optional=True),
}


def _at(line: int, column: str, problem: str) -> tuple[int, str]:
    return line, _("Zeile %(line)s, Spalte «%(column)s»: %(problem)s") % {
        "line": line,
        "column": column,
        "problem": problem,
    }


# -- reading the rows ----------------------------------------------------------------------------------------

Records = list[tuple[int, Mapping[str, str]]]


def _read_file(file: bytes | IO[bytes]) -> tuple[int, list[str], Records]:
    data = file if isinstance(file, bytes) else file.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = _("Die Datei ist nicht in UTF-8 kodiert (Byte %(position)s).") % {"position": error.start + 1}
        raise MarketImportError([message]) from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = [(reader.line_num, cells) for cells in reader if any(cell.strip() for cell in cells)]
    except csv.Error as error:
        message = _("Zeile %(line)s: keine lesbare CSV-Zeile (%(detail)s).") % {
            "line": reader.line_num,
            "detail": error,
        }
        raise MarketImportError([message]) from None
    if not lines:
        return HEADER_LINE, [], []
    (header_line, header), *rows = lines
    header = [name.strip().lower() for name in header]
    return header_line, header, [(line, dict(zip(header, cells, strict=False))) for line, cells in rows]


def _read_rows(rows: Iterable[Mapping[str, object]]) -> tuple[int, list[str], Records]:
    """Rows already split into columns (as csv.DictReader gives them); line numbers count the header as line 1."""
    records = [
        (line, {name: "" if value is None else str(value) for name, value in row.items()})
        for line, row in enumerate(rows, start=HEADER_LINE + 1)
    ]
    return HEADER_LINE, list(records[0][1]) if records else [], records


# -- checking the rows: everything the file says, before anything is written ---------------------------------


@dataclass
class _Entry:
    """One utility or municipality as the file describes it: its values and the line each came from."""

    line: int
    values: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def fields(self) -> dict[str, object]:
        return {COLUMNS[name].field: value for name, value in self.values.items()}


@dataclass
class _Plan:
    rows: int = 0
    utilities: dict[str, _Entry] = field(default_factory=dict)
    municipalities: dict[int, _Entry] = field(default_factory=dict)
    links: set[tuple[str, int]] = field(default_factory=set)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [message for _line, message in sorted(self.errors, key=lambda error: error[0])]


def _plan(header_line: int, header: list[str], records: Records) -> _Plan:
    missing = [name for name, column in COLUMNS.items() if not column.optional and name not in header]
    if header and missing:
        columns = ", ".join(f"«{name}»" for name in missing)
        message = _("Zeile %(line)s: Es fehlen die Spalten %(columns)s.") % {"line": header_line, "columns": columns}
        raise MarketImportError([message])
    if not records:
        raise MarketImportError([_("Die Datei enthält keine Datenzeilen.")])
    plan = _Plan(rows=len(records))
    for line, cells in records:
        parsed = _parse_row(line, cells, plan.errors)
        short_name, bfs_number = parsed.get("vnb_short_name"), parsed.get("bfs_number")
        if short_name is not None:
            _merge(plan.utilities.setdefault(short_name, _Entry(line)), parsed, UTILITY, line, plan.errors)
        if bfs_number is not None:
            _merge(plan.municipalities.setdefault(bfs_number, _Entry(line)), parsed, MUNICIPALITY, line, plan.errors)
        if short_name is not None and bfs_number is not None:
            plan.links.add((short_name, bfs_number))
    _check_vnb_numbers_unique(plan)
    return plan


def _parse_row(line: int, cells: Mapping[str, str], errors: list) -> dict[str, object]:
    parsed = {}
    for name, column in COLUMNS.items():
        raw = (cells.get(name) or "").strip()
        if not raw:
            if column.value_required:
                errors.append(_at(line, name, _("Der Wert fehlt.")))
            continue
        try:
            parsed[name] = column.parse(raw)
        except CellError as error:
            errors.append(_at(line, name, str(error)))
    return parsed


def _merge(entry: _Entry, parsed: dict[str, object], entity: str, line: int, errors: list) -> None:
    """A utility's or municipality's values repeat on several rows: they must agree."""
    for name, value in parsed.items():
        if COLUMNS[name].entity != entity:
            continue
        if name not in entry.values:
            entry.values[name], entry.lines[name] = value, line
        elif entry.values[name] != value:
            problem = _("«%(value)s» widerspricht Zeile %(first)s («%(other)s»).") % {
                "value": value,
                "first": entry.lines[name],
                "other": entry.values[name],
            }
            errors.append(_at(line, name, problem))


def _check_vnb_numbers_unique(plan: _Plan) -> None:
    holders: dict[str, str] = {}
    for short_name, entry in plan.utilities.items():
        number = entry.values.get("vnb_number")
        if number is None:
            continue
        holder = holders.setdefault(number, short_name)
        if holder != short_name:
            problem = _("Die VNB-Nummer %(value)s steht schon bei «%(other)s».") % {"value": number, "other": holder}
            plan.errors.append(_at(entry.lines["vnb_number"], "vnb_number", problem))


def _resolve_utilities(plan: _Plan) -> dict[str, Utility | None]:
    """The stored utility for each short name of the file: by short name, else by VNB number (a renaming)."""
    numbers = [entry.values["vnb_number"] for entry in plan.utilities.values() if "vnb_number" in entry.values]
    by_short_name = Utility.objects.in_bulk(list(plan.utilities), field_name="short_name")
    by_number = Utility.objects.in_bulk(numbers, field_name="vnb_number")
    resolved: dict[str, Utility | None] = {}
    claimed: dict[int, str] = {}
    for short_name, entry in plan.utilities.items():
        number = entry.values.get("vnb_number")
        holder = by_number.get(number) if number else None
        utility = by_short_name.get(short_name) or holder
        if holder is not None and holder.pk != utility.pk:
            problem = _("Die VNB-Nummer %(value)s gehört bereits zu «%(other)s» (%(short_name)s).") % {
                "value": number,
                "other": holder.name,
                "short_name": holder.short_name,
            }
            plan.errors.append(_at(entry.lines["vnb_number"], "vnb_number", problem))
        if utility is not None and claimed.setdefault(utility.pk, short_name) != short_name:
            problem = _("«%(value)s» und «%(other)s» bezeichnen denselben Netzbetreiber.") % {
                "value": short_name,
                "other": claimed[utility.pk],
            }
            plan.errors.append(_at(entry.line, "vnb_short_name", problem))
        resolved[short_name] = utility
    return resolved


# -- writing -------------------------------------------------------------------------------------------------

Link = Utility.municipalities.through
OUTCOMES = ("created", "updated", "unchanged")


def _upsert(model: type[models.Model], instance: models.Model | None, values: dict) -> tuple[models.Model, str]:
    if instance is None:
        return model.objects.create(**values), "created"
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance.save(update_fields=changed)
    return instance, "updated" if changed else "unchanged"


def _upsert_all(model, entries: dict, stored: dict, extra: dict) -> tuple[dict, dict[str, list[int]]]:
    """Create or update every entry; the stored ids by key, and the ids by outcome."""
    ids, outcomes = {}, {outcome: [] for outcome in OUTCOMES}
    for key, entry in entries.items():
        instance, outcome = _upsert(model, stored.get(key), {**entry.fields(), **extra})
        ids[key] = instance.pk
        outcomes[outcome].append(instance.pk)
    return ids, outcomes


def _add_links(wanted: set[tuple[int, int]]) -> int:
    utility_ids, municipality_ids = {pair[0] for pair in wanted}, {pair[1] for pair in wanted}
    existing = set(
        Link.objects.filter(utility_id__in=utility_ids, municipality_id__in=municipality_ids).values_list(
            "utility_id", "municipality_id"
        )
    )
    new = sorted(wanted - existing)
    Link.objects.bulk_create([Link(utility_id=utility, municipality_id=municipality) for utility, municipality in new])
    return len(new)


def _rescore(utility_ids: set[int], changed_municipalities: list[int]) -> int:
    # A changed municipality changes the score of every utility serving it, also of those not in this file.
    serving = Link.objects.filter(municipality_id__in=changed_municipalities).values_list("utility_id", flat=True)
    ids = utility_ids | set(serving)
    services.utilities_rescore(Utility.objects.filter(pk__in=ids))
    return len(ids)


def _checked_source(source: str) -> str:
    source = source.strip()
    if not source:
        raise MarketImportError([_("Die Quelle der Marktdaten fehlt.")])
    if len(source) > SOURCE_MAX_LENGTH:
        message = _("Die Quelle ist länger als %(limit)s Zeichen.") % {"limit": SOURCE_MAX_LENGTH}
        raise MarketImportError([message])
    return source


def market_data_import(
    *,
    rows: Iterable[Mapping[str, object]] | None = None,
    file: bytes | IO[bytes] | None = None,
    source: str,
    actor,
    door: Door | str,
    demo: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Import ``file`` (CSV bytes or a binary file) or ``rows`` (mappings column → value) whole or not at all.

    ``demo`` marks every utility of the import as demo data; ``dry_run`` checks and counts, then rolls back.
    Raises MarketImportError with every problem found.
    """
    if (rows is None) == (file is None):
        raise TypeError("market_data_import takes either rows or file")
    door = Door(door)
    source = _checked_source(source)
    plan = _plan(*(_read_file(file) if file is not None else _read_rows(rows)))
    with transaction.atomic():
        resolved = _resolve_utilities(plan)
        if plan.errors:
            raise MarketImportError(plan.messages())
        utility_ids, utilities = _upsert_all(Utility, plan.utilities, resolved, {"is_demo": True} if demo else {})
        stored = Municipality.objects.in_bulk(list(plan.municipalities), field_name="bfs_number")
        municipality_ids, municipalities = _upsert_all(
            Municipality, plan.municipalities, stored, {"market_data_source": source}
        )
        links_added = _add_links({(utility_ids[short], municipality_ids[bfs]) for short, bfs in plan.links})
        if dry_run:
            rescored = 0
            transaction.set_rollback(True)
        else:
            rescored = _rescore(set(utility_ids.values()), municipalities["updated"])
    summary = ImportSummary(
        source=source,
        rows=plan.rows,
        **{f"utilities_{outcome}": len(utilities[outcome]) for outcome in OUTCOMES},
        **{f"municipalities_{outcome}": len(municipalities[outcome]) for outcome in OUTCOMES},
        links_added=links_added,
        rescored=rescored,
        dry_run=dry_run,
    )
    logger.info("%s", _import_sentence(summary, actor, door))
    return summary


def _import_sentence(summary: ImportSummary, actor, door: Door) -> str:
    """What the import did, who did it and through which door, as one German sentence for the log."""
    who = _("Marktdaten «%(source)s» importiert %(who)s") % {
        "source": summary.source,
        "who": done_by(actor, door.label),
    }
    counts = {outcome: _outcome_counts(summary, outcome) for outcome in ("utilities", "municipalities")}
    sentence = _(
        "%(who)s: %(rows)s; Netzbetreiber %(utilities)s; Gemeinden %(municipalities)s; %(links)s; "
        "%(rescored)s Netzbetreiber neu bewertet."
    ) % {
        "who": who,
        "rows": ngettext("%(count)d Zeile", "%(count)d Zeilen", summary.rows) % {"count": summary.rows},
        **counts,
        "links": ngettext("%(count)d Verknüpfung neu", "%(count)d Verknüpfungen neu", summary.links_added)
        % {"count": summary.links_added},
        "rescored": summary.rescored,
    }
    return _("Probelauf, nichts gespeichert: %(sentence)s") % {"sentence": sentence} if summary.dry_run else sentence


def _outcome_counts(summary: ImportSummary, entity: str) -> str:
    return _("%(created)d neu, %(updated)d geändert, %(unchanged)d unverändert") % {
        outcome: getattr(summary, f"{entity}_{outcome}") for outcome in OUTCOMES
    }
