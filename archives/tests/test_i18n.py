"""English follows the Chinese source strings through Django's i18n (locale/en).

The msgids are the Chinese UI text; Chinese stays the default. Choosing English (the browser's
Accept-Language, or the switcher posting to set_language) shows every page's own text in English;
only stored data (names, units, campaign titles) and the switcher's "简体中文" stay Chinese.
The catalogue is complete (no empty or fuzzy entries, and no string of the source missing from it:
makemessages runs on a copy of the project) and the committed .mo holds exactly the .po's entries,
so the product never needs gettext tools at run time.
"""

import ast
import gettext
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u3400-\u9fff]")
# Punctuation that belongs to Chinese text (curly quotes included: the Chinese fonts first in the
# page's font stack draw them full-width).
FULL_WIDTH = re.compile(r"[，。：；、（）《》“”！？【】]")
ROLE_FIXTURES = ["auditor", "chief", "leader", "archivist", "admin_user"]
CHINESE_NAV = [
    "工作台",
    "修改密码",
    "退出登录",
    "干部人事档案专项审核",
    "我的审核",
    "审核批次",
    "统计报告",
    "干部档案",
    "登记簿",
    "系统管理",
    "审核人员",
    "科长",
    "分管领导",
    "管档人员",
]


def visible_text(response, user=None) -> str:
    """The page without scripts, the user's own (stored, Chinese) name and the switcher's autonym."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    if user is not None:
        for name in {user.get_full_name(), user.username}:
            if name:
                html = html.replace(name, "")
    return html.replace("简体中文", "")


def navbar(response) -> str:
    match = re.search(r'<nav class="navbar.*?</nav>', response.content.decode(), flags=re.S)
    assert match, "the page has the main navbar"
    return match.group(0)


# --- pages -----------------------------------------------------------------------------------


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert "登录" in html and "干部人事档案专项审核管理系统" in html
    assert "Log in" not in html


def test_login_page_is_english_with_accept_language(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    text = visible_text(response)
    assert '<html lang="en">' in text
    assert "Log in" in text
    assert "Special Audit of Cadre Personnel Dossiers" in text
    assert "Username" in text and "Password" in text
    assert not CJK.search(text), sorted(set(CJK.findall(text)))


@pytest.mark.parametrize("who", ROLE_FIXTURES)
def test_each_roles_home_page_is_english(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = visible_text(response, user)
    assert "Workbench" in text and "Log out" in text
    leftover = sorted({m.group(0) for m in re.finditer(r"[\u3400-\u9fff]+", text)})
    assert not leftover, leftover
    nav = visible_text_of(navbar(response), user)
    for label in CHINESE_NAV:
        assert label not in nav


def visible_text_of(html: str, user) -> str:
    for name in {user.get_full_name(), user.username}:
        html = html.replace(name, "")
    return html.replace("简体中文", "")


@pytest.mark.parametrize(
    ("who", "english_nav"),
    [
        ("auditor", ["My audits", "Overdue materials", "(Auditor)"]),
        ("chief", ["Campaigns", "Cases to check", "Determinations", "Reports", "(Section chief)"]),
        ("leader", ["Campaigns", "Cases to spot-check", "Determinations", "Reports", "(Leader in charge)"]),
        ("archivist", ["Cadre dossiers", "Excel import", "Registers", "(Archivist)"]),
        ("admin_user", ["Administration", "(Administrator)"]),
    ],
)
def test_nav_labels_and_role_names_follow_the_language(client, request, who, english_nav):
    user = request.getfixturevalue(who)
    client.force_login(user)
    nav = navbar(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en"))
    for label in english_nav:
        assert label in nav
    # Short labels keep the English bar on one line; the product's full name stays the brand's
    # tooltip (and its text on wide screens).
    assert 'title="Special Audit of Cadre Personnel Dossiers"' in nav and ">Dossier Audit<" in nav
    # Punctuation beside English words is English too: "郑科长 (Section chief)", not "（Section chief）".
    assert not FULL_WIDTH.search(visible_text_of(nav, user)), FULL_WIDTH.findall(nav)
    chinese = navbar(client.get(reverse("home")))
    assert "工作台" in chinese and "Workbench" not in chinese


def test_the_switcher_changes_the_language_and_back(client, chief):
    client.force_login(chief)
    assert "工作台" in client.get(reverse("home")).content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert "Workbench" in html and "Campaigns" in html
    assert "工作台" not in html and "审核批次" not in html
    # The switcher offers the way back, named in its own language.
    assert 'value="zh-hans"' in html and "简体中文" in html

    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    html = client.get(reverse("home")).content.decode()
    assert "工作台" in html and "Workbench" not in html


def test_pagination_follows_the_language(client, archivist):
    from archives.tests.factories import CadreFactory

    for _ in range(51):
        CadreFactory()
    client.force_login(archivist)
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("archives:cadre_list")).content.decode()
    assert "Page 1 of 2, 51 item(s)" in html and "Next" in html
    assert "下一页" not in html and "第 1 / 2 页" not in html


def test_flash_messages_follow_the_language(client, chief, auditor, other_auditor):
    from audits.tests.factories import CampaignFactory

    campaign = CampaignFactory()
    client.force_login(chief)
    html = client.post(reverse("audits:campaign_assign", args=[campaign.pk]), follow=True).content.decode()
    assert "没有可以分配的案卷" in html

    client.post(reverse("set_language"), {"language": "en"})
    html = client.post(reverse("audits:campaign_assign", args=[campaign.pk]), follow=True).content.decode()
    assert "There are no cases to assign" in html and "没有可以分配的案卷" not in html


# --- punctuation beside translated text ---------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "审核人员：张三、李四（2人）"), ("en", "Auditors: 张三, 李四 (2 people)")])
def test_punct_gives_the_languages_own_punctuation(language, expected):
    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load punctuation %}{{ label }}{% punct "：" %}张三{% punct "、" %}李四{% punct "（" %}{{ note }}{% punct "）" %}')
    label, note = {"zh-hans": ("审核人员", "2人"), "en": ("Auditors", "2 people")}[language]
    with translation.override(language):
        assert template.render(Context({"label": label, "note": note})) == expected


def test_the_campaign_page_and_the_dashboard_punctuate_in_english(client, chief, auditor):
    import datetime as dt

    from audits.tests.factories import CampaignFactory

    campaign = CampaignFactory(deadline=dt.date(2027, 3, 2))
    campaign.auditors.add(auditor)
    client.force_login(chief)
    page = client.get(reverse("audits:campaign_detail", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = visible_text(page, chief)
    assert "Deadline: 2 Mar 2027" in html
    assert "截止日期：2027年3月2日" in client.get(reverse("audits:campaign_detail", args=[campaign.pk])).content.decode()
    dashboard = visible_text(client.get(reverse("reports:dashboard", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en"), chief)
    for text in (html, dashboard):
        text = text.replace(campaign.name, "").replace(auditor.get_full_name(), "")
        assert not FULL_WIDTH.search(text), sorted(set(FULL_WIDTH.findall(text)))


def test_punct_refuses_a_mark_it_does_not_know():
    from django.template import Context, Template

    with pytest.raises(ValueError, match="no English form"):
        Template('{% load punctuation %}{% punct "~" %}').render(Context())


# --- dates ---------------------------------------------------------------------------------


def test_templates_name_their_date_formats_instead_of_spelling_them():
    """A date spelled as |date:"Y-m-d" stays ISO while its neighbours follow the language
    ("2027年3月2日" next to "2026-12-02"): templates use DATE_FORMAT or DATETIME_FORMAT
    (dossier_audit/formats), which each language defines."""
    root = Path(settings.BASE_DIR) / "templates"
    spelled = re.compile(r'\|(?:date|time):(?:"(?![A-Z_]+_FORMAT")[^"]*"|\'(?![A-Z_]+_FORMAT\')[^\']*\')')
    offenders = [f"{path.relative_to(root)}: {m.group(0)}" for path in sorted(root.rglob("*.html")) for m in spelled.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, offenders


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def test_dates_on_a_row_share_the_languages_format(client, chief):
    """The campaign list shows a deadline (a date) next to the campaign's creation (a moment)."""
    import datetime as dt

    from django.utils import timezone

    from audits.tests.factories import CampaignFactory

    CampaignFactory(deadline=dt.date(2027, 3, 2))
    today = timezone.localdate()
    client.force_login(chief)

    chinese = client.get(reverse("audits:campaign_list")).content.decode()
    assert "2027年3月2日" in chinese and f"{today.year}年{today.month}月{today.day}日" in chinese
    assert "2027-03-02" not in chinese and today.isoformat() not in chinese

    english = client.get(reverse("audits:campaign_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 Mar 2027" in english and f"{today.day} {MONTHS[today.month - 1]} {today.year}" in english
    assert "2027年3月2日" not in english and "2027-03-02" not in english and today.isoformat() not in english


# --- catalogue -------------------------------------------------------------------------------


def _unquote(chunks: list[str]) -> str:
    return "".join(ast.literal_eval('"' + c + '"') for c in chunks)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (or msgstr[n]) and flags."""
    entries, entry, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
            if match:
                key, index, chunk = match.groups()
                field = ("msgstr", int(index or 0)) if key.startswith("msgstr") else key
            else:
                chunk = re.match(r'^"(.*)"$', line).group(1)
            if isinstance(field, tuple):
                entry["msgstr"].setdefault(field[1], []).append(chunk)
            else:
                entry.setdefault(field, []).append(chunk)
    for entry in entries:
        entry["msgid"] = _unquote(entry["msgid"])
        if "msgctxt" in entry:
            entry["msgctxt"] = _unquote(entry["msgctxt"])
        if "msgid_plural" in entry:
            entry["msgid_plural"] = _unquote(entry["msgid_plural"])
        entry["msgstr"] = {i: _unquote(chunks) for i, chunks in entry["msgstr"].items()}
    return entries


def mo_key(entry: dict) -> str:
    """The entry's key in a compiled catalogue: gettext joins a context to its msgid with EOT."""
    return f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]


@pytest.fixture(scope="module")
def po_entries():
    entries = parse_po(LOCALE_DIR / "django.po")
    return [e for e in entries if e["msgid"] and not e.get("obsolete")]


def test_the_catalogue_is_big_enough_to_be_the_real_one(po_entries):
    assert len(po_entries) > 500


def test_every_entry_is_translated_and_none_is_fuzzy(po_entries):
    header = parse_po(LOCALE_DIR / "django.po")[0]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: en" in header["msgstr"][0]
    untranslated = [e["msgid"] for e in po_entries if not all(e["msgstr"].values()) or len(e["msgstr"]) < (2 if "msgid_plural" in e else 1)]
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


QUOTES_CHINESE = {
    "日期写作 1975.03 或 1975.03.12；学历写作 大学本科 等",
    "建议按干部名册、档案材料目录、干部经历的顺序导入：材料目录和经历中的身份证号须已在干部名册中（或在同一文件的“干部名册”工作表中）。",
}


def test_translations_are_english_and_keep_their_placeholders(po_entries):
    placeholder = re.compile(r"%\([a-z_]+\)s|%%|\{[a-z_]+\}")
    for entry in po_entries:
        for msgstr in entry["msgstr"].values():
            assert sorted(placeholder.findall(entry["msgid"])) == sorted(placeholder.findall(msgstr)) or "msgid_plural" in entry, entry["msgid"]
            # Chinese may stay only where the user must type or find it verbatim (a worksheet
            # name, a value of the education list), next to its English gloss.
            if CJK.search(msgstr):
                assert entry["msgid"] in QUOTES_CHINESE, (entry["msgid"], msgstr)


def test_english_has_no_chinese_punctuation(po_entries):
    """ "Deadline：", "（Auditor）", "“zip bomb”": English text takes English punctuation."""
    wrong = [(e["msgid"], text) for e in po_entries for text in e["msgstr"].values() if FULL_WIDTH.search(text)]
    assert not wrong, wrong


def test_the_compiled_catalogue_matches_the_po(po_entries):
    """The committed .mo is not stale: it holds exactly the .po's entries and translations."""
    with open(LOCALE_DIR / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = {key: value for key, value in compiled._catalog.items() if key != ""}
    expected = {}
    for entry in po_entries:
        if "msgid_plural" in entry:
            for index, text in entry["msgstr"].items():
                expected[(mo_key(entry), index)] = text
        else:
            expected[mo_key(entry)] = entry["msgstr"][0]
    assert set(catalog) == set(expected), {"missing from .mo": set(expected) - set(catalog), "only in .mo": set(catalog) - set(expected)}
    assert catalog == expected


def entry_key(entry: dict) -> tuple:
    return (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))


@pytest.mark.slow
def test_every_string_of_the_source_is_in_the_catalogue(tmp_path, po_entries):
    """makemessages on a copy of the project: a {% translate %} or _() added without its entry
    in locale/en would show Chinese on an English page, and only this notices it. The copy keeps
    makemessages away from the committed catalogue (it rewrites the .po it finds)."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: `make sysdeps` installs the Debian package gettext")
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(base, copy, ignore=shutil.ignore_patterns(".*", "__pycache__", "*.pyc", "static", "staticfiles", "media", "var", "*.sqlite3*", "*.mo"))
    (copy / "locale" / "en" / "LC_MESSAGES" / "django.po").unlink()
    committed = hashlib.sha256((LOCALE_DIR / "django.po").read_bytes()).hexdigest()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    env["DJANGO_SETTINGS_MODULE"] = "dossier_audit.settings"  # the copy's, first on its sys.path
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "en", "--no-obsolete"], cwd=copy, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256((LOCALE_DIR / "django.po").read_bytes()).hexdigest() == committed, "makemessages touched the committed catalogue"

    fresh = {entry_key(e) for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po") if e["msgid"]}
    assert len(fresh) > 500, "makemessages found the project's strings"
    missing = sorted(fresh - {entry_key(e) for e in po_entries}, key=str)
    listed = "\n".join(f"  {msgid!r}" + (f" (context {ctxt!r})" if ctxt else "") + (f" / {plural!r}" if plural else "") for ctxt, msgid, plural in missing)
    assert not missing, f"{len(missing)} string(s) of the source missing from locale/en/LC_MESSAGES/django.po:\n{listed}"
