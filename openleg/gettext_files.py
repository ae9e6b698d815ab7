"""Read and write gettext catalogues (.po text, compiled .mo) without GNU gettext's tools.

A catalogue is a dict in the compiled form: the key is ``msgid``, ``msgctxt + "\\x04" + msgid`` with a context,
and ``msgid + "\\x00" + msgid_plural`` for plurals; the value is ``msgstr`` or the plural forms joined by
``"\\x00"``. The empty key holds the header. Writing the same catalogue twice gives the same bytes.
"""

import ast
import re
import struct

CONTEXT = "\x04"
PLURAL = "\x00"
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


def read_mo(data: bytes) -> dict[str, str]:
    """The entries of a compiled catalogue, as stored (fuzzy entries were left out when it was compiled)."""
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    _magic, _version, count, ids_at, strs_at = struct.unpack(order + "5I", data[:20])
    entries = {}
    for index in range(count):
        id_length, id_offset = struct.unpack(order + "2I", data[ids_at + 8 * index : ids_at + 8 * index + 8])
        str_length, str_offset = struct.unpack(order + "2I", data[strs_at + 8 * index : strs_at + 8 * index + 8])
        key = data[id_offset : id_offset + id_length].decode()
        entries[key] = data[str_offset : str_offset + str_length].decode()
    return entries


def write_mo(entries: dict[str, str]) -> bytes:
    """The compiled catalogue, keys sorted as gettext expects (no hash table: gettext searches binary)."""
    keys = sorted(entries, key=lambda key: key.encode())
    ids = [key.encode() for key in keys]
    strs = [entries[key].encode() for key in keys]
    ids_at = 28
    strs_at = ids_at + 8 * len(keys)
    data_at = strs_at + 8 * len(keys)
    table_ids, table_strs, blob = [], [], b""
    for raw in ids:
        table_ids.append((len(raw), data_at + len(blob)))
        blob += raw + b"\0"
    for raw in strs:
        table_strs.append((len(raw), data_at + len(blob)))
        blob += raw + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), ids_at, strs_at, 0, data_at)
    tables = b"".join(struct.pack("<2I", *pair) for pair in table_ids + table_strs)
    return header + tables + blob


def read_po(text: str) -> dict[str, str]:
    """The entries of a .po file that gettext would compile: obsolete (``#~``) and fuzzy entries are skipped."""
    entries: dict[str, str] = {}
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.strip().splitlines()]
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if not line or line.startswith("#"):
                continue
            match = _KEYWORD.match(line)
            if match:
                current = match[1]
                fields[current] = ast.literal_eval(match[2])
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
            else:
                raise ValueError(f"unreadable line in a .po file: {line!r}")
        if "msgid" not in fields:
            continue
        key = fields["msgid"]
        if "msgid_plural" in fields:
            key += PLURAL + fields["msgid_plural"]
            forms = sorted((name for name in fields if name.startswith("msgstr[")), key=lambda n: int(n[7:-1]))
            value = PLURAL.join(fields[name] for name in forms)
        else:
            value = fields.get("msgstr", "")
        if "msgctxt" in fields:
            key = fields["msgctxt"] + CONTEXT + key
        entries[key] = value
    return entries


def write_po(entries: dict[str, str], *, comments: dict[str, str] | None = None) -> str:
    """The .po text of a catalogue, the header first and then the keys in order; ``comments`` may give a
    translator comment (``#.``) per key."""
    comments = comments or {}
    blocks = []
    for key in sorted(entries, key=lambda key: (key != "", key)):
        lines = [f"#. {comments[key]}"] if key in comments else []
        context, _, rest = key.rpartition(CONTEXT)
        if context:
            lines.append(f"msgctxt {_quote(context)}")
        msgid, _, plural = rest.partition(PLURAL)
        lines.append(f"msgid {_quote(msgid)}")
        if plural:
            lines.append(f"msgid_plural {_quote(plural)}")
            for index, form in enumerate(entries[key].split(PLURAL)):
                lines.append(f"msgstr[{index}] {_quote(form)}")
        else:
            lines.append(f"msgstr {_quote(entries[key])}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    parts = escaped.split("\n")
    if len(parts) == 1:
        return f'"{escaped}"'
    # Multi-line strings as gettext writes them: an empty first line, then one line per "\n".
    lines = [part + "\\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{line}"' for line in lines)
