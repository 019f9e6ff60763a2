"""What a password must be, wherever one is set: not short, not common, not made from the
person's own address or name (issue 19, item 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import i18n
from hub.accounts import services
from hub.accounts.models import User
from hub.accounts.passwords import MAX_LENGTH, strength, verify_password
from hub.refusals import Refused
from tests import factories
from tests.servers import hub_environment, run_hub

ANNA = "anna.devries@example.org"
WEAK = [
    "aaaaaaaaaaaa",  # a repeat
    "Password1234",  # a common password
    "qwertyuiop12",  # a keyboard row
    "short",  # too short
    "anna.devries@example.org",  # the address itself
    "AnnaDeVries1990",  # the name and a year
]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The refusals are read in English here (the catalogs translate them; test_i18n checks that)."""
    token = i18n.current_language.set("en")
    yield
    i18n.current_language.reset(token)


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused_when_an_account_is_created(session: Session, password: str) -> None:
    with pytest.raises(Refused) as refused:
        services.create_user(session, email=ANNA, name="Anna de Vries", password=password)
    assert (refused.value.status, refused.value.field) == (400, "password")
    assert str(refused.value).startswith("Choose a stronger password: at least 12 characters")
    assert session.scalar(select(User).where(User.email == ANNA)) is None


def test_a_password_made_from_the_address_or_name_is_weak_only_for_that_person() -> None:
    # Strong for a stranger, weak for Anna: the address and name reach the estimator.
    for password in ("anna.devries@example.org", "AnnaDeVries1990"):
        assert strength(password) >= 3
        assert strength(password, user_inputs=(ANNA, "Anna de Vries")) < 3


def test_a_strong_password_is_set_and_a_weak_one_never_replaces_it(session: Session) -> None:
    user = factories.user(session, ANNA)
    before = user.password_hash
    assert before and verify_password(before, factories.PASSWORD)
    with pytest.raises(Refused, match="Choose a stronger password"):
        services.set_password(user, "aaaaaaaaaaaa")
    assert user.password_hash == before
    services.set_password(user, "violet tractor under the moon")
    session.commit()
    assert verify_password(user.password_hash, "violet tractor under the moon")


def test_a_password_the_login_form_could_not_take_is_refused(session: Session) -> None:
    user = factories.user(session, ANNA)
    with pytest.raises(Refused, match=f"at most {MAX_LENGTH} characters"):
        services.set_password(user, "violet tractor under the moon " * 40)


def test_the_users_command_refuses_a_weak_password(tmp_path: Path) -> None:
    env = hub_environment(tmp_path)
    result = run_hub("users", "create", ANNA, "--password-stdin", env=env, stdin="aaaaaaaaaaaa\n")
    assert result.returncode == 2
    assert "Choose a stronger password" in result.stderr
    assert "Repeats like" not in result.stderr  # zxcvbn's own feedback is not shown raw
    assert ANNA not in run_hub("users", "list", env=env).stdout
