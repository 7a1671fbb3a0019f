"""Chinese line breaking for the PDF forms (a pure function of text, font and width).

reportlab's wordWrap="CJK" breaks between any two characters, so a date such as 1975.03.12
can end up split over two lines and a line can start with "，" or "）". Here the text is cut
into atoms that must stay on one line, then the atoms are packed greedily:

- a number with its dots or slashes (1975.03.12, 2002.08), a period (2007.05—2010.12,
  2007.05—至今), a Chinese date (2026年12月1日), a 文号's number (〔2006〕41号) and a number with
  its measure word (41号, 3段) are one atom each;
- closing punctuation (，。、：；）》…) is glued to what precedes it, so no line starts with it;
- opening punctuation (（《“…) is glued to what follows it, so no line ends with it;
- every other Chinese character is an atom, and ASCII spaces are break opportunities that
  are dropped at the ends of lines;
- a short bracketed note or title (（最早记载）, 《招工登记表》（1993.07）), a short value
  ending the text after a colon, a 文号 (组通字〔2006〕41号) or a short word between spaces
  (大学本科 法学学士) moves to the next line whole rather than break, when it fits on a line
  of its own.
- a paragraph does not end on a line of one character: the character before it comes along.

An atom wider than the line (only a very narrow column does that) is cut by characters,
still never starting a line with closing punctuation; `fit_lines` shrinks the type first so
that this does not happen.
"""

from __future__ import annotations

import re

from reportlab.pdfbase.pdfmetrics import stringWidth

CLOSING = set("，。、：；！？）》」』】〕〉〗〙”’…—～·%％,.;:!?)]}")
OPENING = set("（《「『【〔〈〖〘“‘([{")
# A tiny tolerance: reportlab measures the same string the same way, but sums of floats drift.
EPSILON = 0.01
# Notes, titles and values short enough to keep on one line: a title with the date after it
# (《招工登记表》（1993.07）), a bracketed note (（最早记载）), a quotation, a short value
# ending the text after a colon (：1975.03.12（最早记载）), a 文号 and a short word between spaces.
# They may nest; the largest that fits on a line is kept whole.
_SHORT_GROUPS = [
    re.compile(r"《[^《》\n]{1,12}》（[^（）\n]{1,10}）"),
    re.compile(r"《[^《》\n]{1,12}》"),
    re.compile(r"（[^（）\n]{1,8}）"),
    re.compile(r"“[^“”\n]{1,8}”"),
    re.compile(r"(?<=：)[^：\n]{1,16}$"),
    re.compile(r"[\u4e00-\u9fff]{2,3}〔\d{4}〕\d+号"),  # a 文号 with its 发文字
    re.compile(r"(?:(?<=[ \t])|^)[^ \t（(]{2,8}(?=[ \t（(]|$)"),  # a short word between spaces
]

_NUM = r"[0-9A-Za-z*＊]+(?:[./:·．][0-9A-Za-z*＊]+)*"
_VISIBLE = re.compile(r"[^\s，。、：；！？）》」』】〕〉”’…—～·%％,.;:!?)\]}（《「『【〔〈“‘(\[{]")
_MOVABLE = re.compile(r"^[\u4e00-\u9fff][，。、；：！？]*$")
_NUMBERISH = re.compile(r"[0-9A-Za-z*＊./:·．—–~～－-]")
_TOKEN = re.compile(
    "|".join(
        [
            r"[〔\[［]\d{4}[〕\]］]\d+号",  # 〔2006〕41号
            r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?",  # 2026年12月1日, 2026年12月, 2026年
            r"\d{1,2}月(?:\d{1,2}日)?",  # 12月1日
            rf"{_NUM}[ \t]*[—–~～－-]{{1,2}}[ \t]*(?:{_NUM}|至今|今)",  # a period: 2007.05—2010.12
            rf"{_NUM}[年月日号段人卷份页条项次岁个届级]?",  # a number, with its measure word
            r"[ \t]+",
            r".",
        ]
    ),
    re.DOTALL,
)


def atoms(text: str) -> list[str]:
    """The text cut into pieces that must not be broken; spaces are atoms of their own."""
    result: list[str] = []
    glue_next = False
    for token in _TOKEN.findall(text):
        if token.isspace():
            if glue_next and result:
                result[-1] += token
            else:
                result.append(token)
            continue
        if result and (glue_next or token[0] in CLOSING):
            if result[-1].isspace() and len(result) > 1:
                # "abc ）": the space cannot be a break, or the next line would start with "）"
                space = result.pop()
                result[-1] += space
            result[-1] += token
        else:
            result.append(token)
        glue_next = token[-1] in OPENING or token[-1] == "·"
    return result


def _cut_by_characters(atom: str, font: str, size: float, width: float) -> list[str]:
    """An atom wider than the line, cut into lines that fit. A cut never comes before closing
    or after opening punctuation, and falls between a number and what follows it rather than
    inside the number when it can."""

    def allowed(i: int) -> bool:
        return atom[i] not in CLOSING and atom[i - 1] not in OPENING

    def inside_number(i: int) -> bool:
        return _NUMBERISH.match(atom[i - 1]) is not None and _NUMBERISH.match(atom[i]) is not None

    pieces: list[str] = []
    while stringWidth(atom, font, size) > width + EPSILON and len(atom) > 1:
        fitting = [i for i in range(1, len(atom)) if stringWidth(atom[:i], font, size) <= width + EPSILON]
        candidates = [i for i in fitting if allowed(i)]
        preferred = [i for i in candidates if not inside_number(i)]
        cut = max(preferred or candidates or fitting or [1])
        pieces.append(atom[:cut])
        atom = atom[cut:]
    return [*pieces, atom]


def cjk_lines(text: str, font: str, size: float, width: float, *, indent: float = 0.0) -> list[str]:
    """The text broken into lines no wider than `width` points (see the module docstring).

    "\n" is a hard break; an empty paragraph gives an empty line. Spaces at the ends of
    lines are dropped. With `indent`, the lines after the first of a paragraph are that much
    narrower (a hanging indent, which the caller draws).
    """
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        lines += _paragraph_lines(paragraph, font, size, width, indent)
    return lines


def _groups(paragraph: str, pieces: list[str]) -> dict[int, list[int]]:
    """Short groups as atom ranges: {first atom: [end atoms]}, ends largest first."""
    starts, offset = [], 0
    for piece in pieces:
        starts.append(offset)
        offset += len(piece)
    groups: dict[int, set[int]] = {}
    for pattern in _SHORT_GROUPS:
        for match in pattern.finditer(paragraph):
            first = max(i for i, start in enumerate(starts) if start <= match.start())
            end = next((i for i, start in enumerate(starts) if start >= match.end()), len(pieces))
            if end - first > 1:
                groups.setdefault(first, set()).add(end)
    return {first: sorted(ends, reverse=True) for first, ends in groups.items()}


def _paragraph_lines(paragraph: str, font: str, size: float, width: float, indent: float) -> list[str]:
    lines: list[list[str]] = []  # the atoms of each line
    spaced: list[bool] = []  # whether the break after that line took a space
    current: list[str] = []
    used = 0.0

    def room() -> float:
        return (width if not lines else width - indent) + EPSILON

    def flush():
        nonlocal current, used
        spaced.append(bool(current) and current[-1].isspace())
        while current and current[-1].isspace():
            current.pop()
        lines.append(current)
        current, used = [], 0.0

    def place(atom: str):
        nonlocal used
        atom_width = stringWidth(atom, font, size)
        if atom.isspace():
            if current:
                current.append(atom)
                used += atom_width
            return
        if current and used + atom_width > room():
            flush()
        while not current and atom_width > room():
            # wider than a whole line: cut it, keeping closing punctuation behind
            head, *rest = _cut_by_characters(atom, font, size, room() - EPSILON)
            if not rest:
                break
            lines.append([head])
            spaced.append(False)
            atom = "".join(rest)
            atom_width = stringWidth(atom, font, size)
        current.append(atom)
        used += atom_width

    pieces = atoms(paragraph)
    groups = _groups(paragraph, pieces)
    for index, atom in enumerate(pieces):
        if current and index in groups:
            fresh = width - indent + EPSILON
            for end in groups[index]:
                group_width = stringWidth("".join(pieces[index:end]), font, size)
                if group_width <= fresh:
                    if used + group_width > room():
                        flush()  # the whole group on the next line rather than cut in two
                    break
        place(atom)
    if current or not lines:
        flush()
    _no_lone_character(lines, spaced, font, size, width - indent)
    return ["".join(line) for line in lines]


def _no_lone_character(lines: list[list[str]], spaced: list[bool], font: str, size: float, width: float) -> None:
    """A last line of one character ("改。") takes the character before it along, when that is
    a plain Han character that fits (never part of a title, a note or a number)."""
    if len(lines) < 2 or spaced[-2] or len(lines[-2]) < 2:
        return
    last, previous = lines[-1], lines[-2]
    if len(_VISIBLE.findall("".join(last))) != 1 or not _MOVABLE.match(previous[-1]) or previous[-2].isspace():
        return
    if stringWidth(previous[-1] + "".join(last), font, size) <= width + EPSILON:
        last.insert(0, previous.pop())


def widest_atom(text: str, font: str, size: float) -> float:
    return max((stringWidth(a, font, size) for a in atoms(text) if not a.isspace()), default=0.0)


def fitting_size(text: str, font: str, size: float, width: float, *, smallest: float = 8.0) -> float:
    """`size`, or smaller (down to `smallest`, in half points) until every atom of the text
    (a long period or number) fits on a line of `width` points."""
    while size > smallest and widest_atom(text, font, size) > width + EPSILON:
        size = max(smallest, size - 0.5)
    return size


def fit_lines(text: str, font: str, size: float, width: float, *, indent: float = 0.0, smallest: float = 8.0) -> tuple[float, list[str]]:
    """(size, lines): the text broken at `size`, or at the smaller size that `fitting_size` finds."""
    size = fitting_size(text, font, size, width - indent, smallest=smallest)
    return size, cjk_lines(text, font, size, width, indent=indent)
