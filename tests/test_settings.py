from __future__ import annotations

from pathlib import Path

import pytest

from hub.settings import Settings, SettingsError, setting_fields


def test_defaults_need_no_configuration() -> None:
    settings = Settings.load(environ={})
    assert settings.database_url == "sqlite:///var/hub.sqlite3"
    assert settings.default_language == "nl"
    assert not settings.https


def test_environment_overrides_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('[hub]\nbase_url = "https://hub.example"\ndebug = true\ndb_pool_size = 4\n')
    settings = Settings.load(environ={"HUB_CONFIG_FILE": str(config), "HUB_DB_POOL_SIZE": "7"})
    assert settings.base_url == "https://hub.example"
    assert settings.https
    assert settings.debug is True
    assert settings.db_pool_size == 7


def test_allowed_hosts_from_a_comma_separated_list() -> None:
    settings = Settings.load(environ={"HUB_ALLOWED_HOSTS": "hub.example, 127.0.0.1"})
    assert settings.allowed_hosts == ("hub.example", "127.0.0.1")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"HUB_DEFAULT_LANGUAGE": "fr"}, "HUB_DEFAULT_LANGUAGE must be 'nl' or 'en'"),
        ({"HUB_DB_POOL_SIZE": "many"}, "HUB_DB_POOL_SIZE has an invalid value"),
        ({"HUB_DEBUG": "perhaps"}, "HUB_DEBUG has an invalid value"),
        ({"HUB_DATABASE_URL": "mysql://x"}, "HUB_DATABASE_URL must be"),
        ({"HUB_BASE_URL": "hub.example"}, "HUB_BASE_URL must start with"),
        ({"HUB_CONFIG_FILE": "/nonexistent/hub.toml"}, "does not exist"),
        ({"HUB_LOG_FORMAT": "xml"}, "HUB_LOG_FORMAT must be 'text' or 'json'"),
        ({"HUB_METRICS_PORT": "70000"}, "HUB_METRICS_PORT must be a port number"),
        ({"HUB_METRICS_PORT": "nine"}, "HUB_METRICS_PORT has an invalid value"),
        ({"HUB_SHUTDOWN_TIMEOUT_SECONDS": "0"}, "HUB_SHUTDOWN_TIMEOUT_SECONDS must be between 1 and 600"),
    ],
)
def test_bad_settings_say_what_is_wrong(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.load(environ=environ)


def test_operations_settings_and_the_metrics_token_stays_out_of_reprs() -> None:
    settings = Settings.load(
        environ={
            "HUB_LOG_FORMAT": "json",
            "HUB_METRICS_PORT": "9102",
            "HUB_METRICS_TOKEN": "do-not-print",
            "HUB_SHUTDOWN_TIMEOUT_SECONDS": "30",
        }
    )
    assert (settings.log_format, settings.metrics_port, settings.shutdown_timeout_seconds) == (
        "json",
        9102,
        30,
    )
    assert settings.metrics_token == "do-not-print" and "do-not-print" not in repr(settings)
    defaults = Settings.load(environ={})
    assert (defaults.log_format, defaults.metrics_port, defaults.metrics_token) == ("text", 0, "")


def test_unknown_keys_in_the_config_file_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('[hub]\ndatabse_url = "sqlite://"\n')
    with pytest.raises(SettingsError, match="unknown setting"):
        Settings.load(environ={"HUB_CONFIG_FILE": str(config)})


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings.load(environ={}, data_dir=tmp_path)
    first = settings.with_secret_key().secret_key
    assert len(first) > 40
    assert settings.with_secret_key().secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    given = "a-given-key-of-at-least-32-characters"
    assert Settings.load(environ={"HUB_SECRET_KEY": given}).with_secret_key().secret_key == given


def test_every_setting_is_documented() -> None:
    documented = (Path(__file__).parent.parent / "config" / "hub.example.toml").read_text()

    for field in setting_fields():
        assert f"HUB_{field.name.upper()}" in documented, field.name


DISCOVERY = "https://login.example/.well-known/openid-configuration"


def test_oidc_providers_from_json_with_the_secret_in_its_own_variable() -> None:
    settings = Settings.load(
        environ={
            "HUB_OIDC_PROVIDERS": (
                f'[{{"name": "vl-login", "title": "Vlaanderen", "server_metadata_url": "{DISCOVERY}",'
                ' "client_id": "hub"}]'
            ),
            "HUB_OIDC_VL_LOGIN_CLIENT_SECRET": "s3cret",
        }
    )
    (provider,) = settings.oidc_providers
    assert (provider.name, provider.title, provider.client_id) == ("vl-login", "Vlaanderen", "hub")
    assert provider.client_secret == "s3cret"
    assert provider.scope == "openid email profile"
    assert "s3cret" not in repr(settings)


def test_oidc_providers_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        "[hub]\n[[hub.oidc_providers]]\n"
        f'name = "nl"\nserver_metadata_url = "{DISCOVERY}"\nclient_id = "hub"\nscope = "openid email"\n'
    )
    settings = Settings.load(
        environ={"HUB_CONFIG_FILE": str(config), "HUB_OIDC_NL_CLIENT_SECRET": "from-env"}
    )
    (provider,) = settings.oidc_providers
    assert (provider.title, provider.scope, provider.client_secret) == ("nl", "openid email", "from-env")
    assert Settings.load(environ={}).oidc_providers == ()


def _provider(**changes: str) -> str:
    import json

    entry = {"name": "x", "server_metadata_url": DISCOVERY, "client_id": "hub", "client_secret": "s"}
    return json.dumps([{**entry, **changes}])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[{", "HUB_OIDC_PROVIDERS is not valid JSON"),
        ('{"name": "x"}', "must be a list of providers"),
        (_provider(name="Not A Slug"), "the name must be a slug"),
        (_provider(client_id=""), "provider x needs client_id"),
        (_provider(client_secret=""), "has no client secret: set HUB_OIDC_X_CLIENT_SECRET"),
        (_provider(server_metadata_url="http://login.example/"), "server_metadata_url must be an https://"),
        (_provider(scope="email"), "the scope must include openid"),
        (_provider(secret="s"), "unknown key"),
        (_provider()[:-1] + ", " + _provider()[1:], "the name 'x' is used twice"),
    ],
)
def test_bad_oidc_providers_say_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.load(environ={"HUB_OIDC_PROVIDERS": value})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HUB_FETCH_ALLOWED_NETWORKS", "10.0.0.0/8,intranet", "'intranet' is not a network"),
        ("HUB_FETCH_TIMEOUT_SECONDS", "0", "between 1 and 300"),
        ("HUB_SMTP_PORT", "abc", "HUB_SMTP_PORT has an invalid value"),
    ],
)
def test_fetch_and_mail_settings_are_checked(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.load(environ={variable: value})


def test_allowed_networks_are_a_list() -> None:
    settings = Settings.load(environ={"HUB_FETCH_ALLOWED_NETWORKS": "10.20.0.0/16, 127.0.0.1/32"})
    assert settings.fetch_allowed_networks == ("10.20.0.0/16", "127.0.0.1/32")
    assert settings.maildir == settings.data_dir / "maildir"


# --- the secret key (issue 19, item 3) ------------------------------------------------------------

MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


@pytest.mark.parametrize("key", ["sec-test", "x" * 31])
def test_a_short_secret_key_is_refused_with_how_to_make_one(key: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.load(environ={"HUB_SECRET_KEY": key})
    message = str(refused.value)
    assert message.startswith(f"HUB_SECRET_KEY is too short ({len(key)} characters)")
    assert MAKE_ONE in message and key not in message
    config = tmp_path / "hub.toml"
    config.write_text(f'[hub]\nsecret_key = "{key}"\n')
    with pytest.raises(SettingsError, match="HUB_SECRET_KEY is too short"):
        Settings.load(environ={"HUB_CONFIG_FILE": str(config)})


def test_a_key_of_32_characters_and_the_generated_default_are_accepted(tmp_path: Path) -> None:
    assert Settings.load(environ={"HUB_SECRET_KEY": "k" * 32}).secret_key == "k" * 32
    assert len(Settings.load(environ={}, data_dir=tmp_path).with_secret_key().secret_key) >= 32


def test_a_short_key_written_into_the_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("sec-test\n")
    with pytest.raises(SettingsError, match=r"secret_key is too short \(8 characters\)"):
        Settings.load(environ={}, data_dir=tmp_path).with_secret_key()


def test_the_hub_does_not_start_with_a_short_secret_key(tmp_path: Path) -> None:
    from tests.servers import free_port, hub_environment, run_hub

    env = hub_environment(tmp_path, HUB_SECRET_KEY="sec-test")
    for command in (["serve", "--port", str(free_port())], ["migrate"]):
        result = run_hub(*command, env=env, timeout=60)  # before the check, serve served on
        assert result.returncode == 2, result.stderr
        assert "HUB_SECRET_KEY is too short" in result.stderr and MAKE_ONE in result.stderr


def test_the_base_url_follows_the_served_address_unless_given() -> None:
    derived = Settings.load(environ={}).served_at("0.0.0.0", 8101)
    assert derived.base_url == "http://127.0.0.1:8101"
    given = Settings.load(environ={"HUB_BASE_URL": "https://hub.example.org"})
    assert given.served_at("0.0.0.0", 8101).base_url == "https://hub.example.org"
    assert not given.unreachable_base_url("0.0.0.0", 8101)  # behind a proxy: nothing to say
    local = Settings.load(environ={"HUB_BASE_URL": "http://127.0.0.1:8000"})
    assert local.unreachable_base_url("127.0.0.1", 8101) and not local.unreachable_base_url("127.0.0.1", 8000)
    assert not derived.unreachable_base_url("0.0.0.0", 8101)
