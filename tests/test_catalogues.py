"""The interface catalogues are complete, current and compiled (issue 15).

Every language of settings.LANGUAGES but English has a catalogue in locale/ with no
untranslated and no fuzzy entry, whose msgids are exactly those makemessages finds in the
code and templates today, that msgfmt --check accepts, and whose committed .mo holds what
the .po says (the .mo files are committed so that `make run` works on a fresh clone)."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGS = [code for code, _name in settings.LANGUAGES if code != "en"]
PLURAL_FORMS = {"ru": 3, "kk": 2, "az": 2}


def _po(lang: str, root: Path = LOCALE) -> polib.POFile:
    return polib.pofile(str(root / lang / "LC_MESSAGES" / "django.po"))


def _keys(po: polib.POFile) -> set[tuple[str, str, str]]:
    return {(e.msgctxt or "", e.msgid, e.msgid_plural) for e in po if not e.obsolete}


def test_every_interface_language_has_a_catalogue():
    assert LANGS == ["ru", "kk", "az"]
    for lang in LANGS:
        assert (LOCALE / lang / "LC_MESSAGES" / "django.po").is_file(), lang


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(lang):
    po = _po(lang)
    assert not po.metadata_is_fuzzy, f"{lang}: the header is fuzzy"
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy: {fuzzy[:10]}"
    nplurals = PLURAL_FORMS[lang]
    assert f"nplurals={nplurals};" in po.metadata["Plural-Forms"].replace(" ", "")
    for entry in po:
        if entry.msgid_plural and not entry.obsolete:
            forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
            assert all(forms), f"{lang}: a plural form of {entry.msgid!r} is empty"
            assert len(entry.msgstr_plural) == nplurals, f"{lang}: {entry.msgid!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_compiles_and_the_committed_mo_is_current(lang, tmp_path):
    po_path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo_path = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(mo_path), str(po_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(mo_path)}
    committed_path = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    committed = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(committed_path)
    }
    assert committed == compiled, (
        f"locale/{lang}/LC_MESSAGES/django.mo is older than its .po: run "
        f"`msgfmt --check -o locale/{lang}/LC_MESSAGES/django.mo "
        f"locale/{lang}/LC_MESSAGES/django.po` (or manage.py compilemessages)"
    )


def test_makemessages_finds_no_new_or_stale_msgid(tmp_path, monkeypatch, settings):
    """makemessages run on a copy of locale/ changes no msgid: every string marked for
    translation in the code and templates is in every catalogue, and nothing else is."""
    # A tree of links to the project's sources beside a copy of locale/: makemessages
    # writes into the copy and never into the project's own catalogues.
    root = Path(settings.BASE_DIR)
    tree = tmp_path / "tree"
    tree.mkdir()
    for entry in root.iterdir():
        if entry.name in {"locale", "staticfiles", "media", "tmp"} or entry.name.startswith("."):
            continue
        (tree / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    shutil.copytree(LOCALE, tree / "locale")
    monkeypatch.chdir(tree)
    settings.LOCALE_PATHS = [str(tree / "locale")]
    call_command("makemessages", locale=LANGS, symlinks=True, verbosity=0)
    for lang in LANGS:
        current, fresh = _keys(_po(lang)), _keys(_po(lang, tree / "locale"))
        missing = sorted(fresh - current)
        stale = sorted(current - fresh)
        assert not missing, f"{lang}: run makemessages; {len(missing)} new: {missing[:10]}"
        assert not stale, f"{lang}: run makemessages; {len(stale)} no longer used: {stale[:10]}"
