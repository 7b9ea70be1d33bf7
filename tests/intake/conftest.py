import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from cooperation.roles import ANALYST, MINISTRY_EDITOR, UNIVERSITY_EDITOR
from tests.factories import InstitutionFactory, InstitutionNameFactory
from universities.choices import InstitutionNameKind


def news_dir() -> Path:
    """The five published articles: ``../shared/news`` beside the repository (as CI has
    them), or where ``UNIBRIDGE_NEWS_DIR`` says (a worktree elsewhere)."""
    return Path(
        os.environ.get("UNIBRIDGE_NEWS_DIR") or Path(settings.BASE_DIR).parent / "shared" / "news"
    )


def article(number: str) -> str:
    path = next(news_dir().glob(f"{number}_*.txt"))
    return path.read_text(encoding="utf-8")


@pytest.fixture
def register(db):
    ada = InstitutionFactory(name="ADA University", country="AZ", city="Baku")
    InstitutionNameFactory(institution=ada, name="ADA", kind=InstitutionNameKind.ACRONYM)
    atyrau = InstitutionFactory(name="Khalel Dosmukhamedov Atyrau University", city="Atyrau")
    InstitutionNameFactory(
        institution=atyrau,
        name="Атырауский государственный университет им. Х.Досмухамедова",
        kind=InstitutionNameKind.FORMER,
    )
    kaznu = InstitutionFactory(name="Al-Farabi Kazakh National University")
    InstitutionFactory(name="Baku State University", country="AZ", city="Baku")
    return {"ada": ada, "atyrau": atyrau, "kaznu": kaznu}


def make_user(username: str, role: str | None):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def ministry(db):
    return make_user("ministry", MINISTRY_EDITOR)


@pytest.fixture
def analyst(db):
    return make_user("analyst", ANALYST)


@pytest.fixture
def university_editor(db):
    return make_user("uni", UNIVERSITY_EDITOR)
