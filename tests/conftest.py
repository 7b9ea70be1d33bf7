import pytest


@pytest.fixture(autouse=True)
def _test_storages(settings, tmp_path):
    """Uploads go to a temporary folder; static files resolve without collectstatic."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # A deliberately slow password hash protects real accounts; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the register generation that keys cached pages
    (cooperation.register_cache) is rolled back with each test's data, the cache is not."""
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:  # the readers' too (cooperation.readers)
        caches[alias].clear()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")


@pytest.fixture
def admin_client_logged(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture(autouse=True)
def _unthrottled_api(settings):
    """The suite (and schemathesis, and the live servers) send more requests than any rate
    a deployment sets: no limits, except where a test sets one
    (tests/api/test_contract_http.py)."""
    settings.UNIBRIDGE_API_RATES = {"anon": None, "user": None}
