"""The faces of the summary report (公文, GB/T 9704-2012), each a setting naming a font file.

Offices own 方正小标宋, 仿宋_GB2312, 黑体 and 楷体_GB2312; the defaults are free Debian faces
that `make sysdeps` installs (STACK.md, "Fonts for 公文"). A setting is a path to a TrueType
file (.ttf) or collection (.ttc); for a collection, `path#1` picks a face by index and
`path#AR PL UKai CN` by family or PostScript name (`path` alone is the first face).

reportlab draws an empty box for a character its font lacks, so the renderer asks `face_for`
which face has each character and falls back to another role's face (the 宋 role first).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFile


@dataclass(frozen=True)
class Role:
    setting: str
    label: str  # the face a 公文 expects in this role
    package: str  # the Debian package of the default


ROLES = {
    "title": Role("REPORT_FONT_TITLE", "小标宋（标题）", "fonts-arphic-gbsn00lp"),
    "body": Role("REPORT_FONT_BODY", "仿宋（正文）", "fonts-arphic-gbsn00lp"),
    "heading": Role("REPORT_FONT_HEADING", "黑体（一级标题）", "fonts-wqy-zenhei"),
    "kai": Role("REPORT_FONT_KAI", "楷体（二级标题）", "fonts-arphic-ukai"),
    "song": Role("REPORT_FONT_SONG", "宋体（页码、缺字补字）", "fonts-arphic-uming"),
}
# Where a character missing from a role's face is looked for, in order.
FALLBACK_ORDER = ("song", "body", "kai", "heading", "title")


def spec(role: str) -> str:
    return getattr(settings, ROLES[role].setting)


def _split(value: str) -> tuple[Path, str]:
    path, _, selector = value.partition("#")
    return Path(path), selector.strip()


def _subfont_index(path: Path, selector: str) -> int:
    if not selector:
        return 0
    if selector.isdigit():
        return int(selector)
    wanted = selector.replace(" ", "").casefold()
    count = getattr(TTFontFile(str(path)), "numSubfonts", 1)
    names = []
    for index in range(count):
        face = TTFontFile(str(path), subfontIndex=index)
        candidates = [face.familyName, face.name]
        names.append(face.familyName.decode("utf-8", "replace"))
        if any(name.decode("utf-8", "replace").replace(" ", "").casefold() == wanted for name in candidates):
            return index
    raise ValueError(f"no face named {selector!r} in it (faces: {', '.join(names)})")


@cache
def _load(value: str, setting: str, package: str) -> tuple[str, TTFont]:
    """Register the face a setting names once per process; its reportlab name and the font."""
    path, selector = _split(value)
    if not path.is_file():
        raise ImproperlyConfigured(
            f"{setting}: no font file at {path}. Install the Debian package {package} (make sysdeps) "
            f"or set {setting} to a TrueType font file (.ttf, .ttc; a collection takes #index or #face name)."
        )
    try:
        index = _subfont_index(path, selector)
        name = "DA" + hashlib.sha1(value.encode()).hexdigest()[:10]  # noqa: S324 (a name, not a secret)
        font = TTFont(name, str(path), subfontIndex=index)
    except (TTFError, ValueError, OSError) as error:
        raise ImproperlyConfigured(f"{setting}={value!r} is not a usable TrueType font: {error}") from error
    pdfmetrics.registerFont(font)
    return name, font


def _role(role: str) -> tuple[str, TTFont]:
    info = ROLES[role]
    return _load(spec(role), info.setting, info.package)


def font(role: str) -> str:
    """The reportlab font name of a role's face (registered on first use)."""
    return _role(role)[0]


def face_name(role: str) -> str:
    """The PostScript name of a role's face, as pdffonts shows it (after the subset tag)."""
    face = _role(role)[1].face
    return (face.name + face.subfontNameX).decode("latin-1")  # a collection's face gets "-index"


def covers(role: str, char: str) -> bool:
    return ord(char) in _role(role)[1].face.charToGlyph


def missing(role: str, text: str) -> str:
    """The characters of text a role's face has no glyph for (whitespace ignored), in order."""
    seen: dict[str, None] = {}
    for char in text:
        if not char.isspace() and not covers(role, char):
            seen[char] = None
    return "".join(seen)


def face_for(role: str, char: str) -> str:
    """The font to draw char with: the role's face, else the first other face that has it."""
    if char.isspace() or covers(role, char):
        return font(role)
    for other in FALLBACK_ORDER:
        if other != role and covers(other, char):
            return font(other)
    return font(role)  # no face has it: the box shows where
