from pathlib import Path

from ingot.settings import Settings


def test_settings_read_only_the_given_environment():
    settings = Settings.from_env(
        {"INGOT_DATABASE_URL": "postgresql://h/db", "INGOT_HOME": "/srv/ingot", "INGOT_RAW_RETENTION_DAYS": "30"}
    )
    assert settings.database_url == "postgresql://h/db"
    assert settings.home == Path("/srv/ingot")
    assert settings.embedded_data_dir == Path("/srv/ingot/pgdata")
    assert settings.raw_retention_days == 30


def test_an_empty_database_url_means_the_embedded_server():
    settings = Settings.from_env({"INGOT_DATABASE_URL": ""})
    assert settings.database_url is None
    assert settings.contact_url in settings.user_agent


def test_a_setting_that_does_not_parse_names_the_variable_the_value_and_what_is_expected():
    import pytest

    from ingot.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"INGOT_RAW_RETENTION_DAYS='abc' .*whole number of days") as error:
        Settings.from_env({"INGOT_RAW_RETENTION_DAYS": "abc"})
    assert error.value.exit_code == 2
    with pytest.raises(ConfigurationError, match=r"INGOT_NEWS_TIMEZONE='UTC\+8' .*IANA time zone"):
        Settings.from_env({"INGOT_NEWS_TIMEZONE": "UTC+8"})
    assert Settings.from_env({"INGOT_RAW_RETENTION_DAYS": " 30 "}).raw_retention_days == 30
    assert Settings.from_env({"INGOT_RAW_RETENTION_DAYS": ""}).raw_retention_days == 90
