"""Data protection at rest: no plaintext ID number, card number or real name in any raw row,
and `fenpay rotate-key` re-encrypting every encrypted field while reads keep working."""

from __future__ import annotations

import base64
import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tortoise import Tortoise, connections

from app import crypto, runtime
from app.masking import mask_card
from app.ops.key_rotation import encrypted_columns, remaining, rotate, rotate_batches
from models import BankCard, User
from tests.factories import make_user, next_id_number, token_for

# Tests here may run first: the database must be up before the per-test clean-up.
pytestmark = pytest.mark.usefixtures("platform")

ROOT = Path(__file__).resolve().parents[2]
CARD_NUMBER = "6222021234567890128"
REAL_NAME = "欧阳明月"

VIEWER = "{ viewer { realName idNumber bankCards { id } } }"


async def _bind_card(user: User, number: str = CARD_NUMBER, holder: str = REAL_NAME) -> BankCard:
    """Card binding as the card service stores it: ciphertexts, a blind index and a mask."""
    return await BankCard.create(
        user=user,
        bank_name="中国工商银行",
        number_enc=crypto.encrypt(number),
        number_index=crypto.blind_index(number, "card_number"),
        masked_number=mask_card(number),
        last4=number[-4:],
        holder_name_enc=crypto.encrypt(holder),
        reserved_phone=user.phone,
    )


async def _all_text_cells() -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-null cell of every table, as stored."""
    conn = connections.get("default")
    cells = []
    for model in set(Tortoise.apps["models"].values()):
        table = model._meta.db_table
        for row in await conn.execute_query_dict(f'SELECT * FROM "{table}"'):
            for column, value in row.items():
                if value is not None:
                    cells.append((table, column, str(value)))
    return cells


async def _encrypted_values() -> list[str]:
    values = []
    for column in encrypted_columns():
        values += [
            v
            for v in await column.model.filter(**{f"{column.column}__not_isnull": True}).values_list(
                column.column, flat=True
            )
        ]
    return values


@contextmanager
def _keys(current: bytes, *old: bytes) -> Iterator[None]:
    """Run with other encryption keys configured, as a redeployed process would."""
    rt = runtime.get()
    saved = rt.settings
    rt.settings = dataclasses.replace(saved, encryption_key=current, old_encryption_keys=tuple(old))
    try:
        yield
    finally:
        rt.settings = saved


def _new_key() -> bytes:
    return os.urandom(32)


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


async def test_no_plaintext_personal_data_in_raw_rows():
    id_number = next_id_number("19850612")
    user = await make_user(real_name=REAL_NAME, id_number=id_number)
    await _bind_card(user)
    cells = await _all_text_cells()
    secrets = {"ID number": id_number, "card number": CARD_NUMBER, "real name": REAL_NAME}
    leaks = [(t, c, what) for t, c, v in cells for what, s in secrets.items() if s in v]
    assert leaks == []
    # The data is there, encrypted: it decrypts back, and the stored forms are ciphertexts.
    stored_user = await User.get(id=user.id)
    card = await BankCard.get(user_id=user.id)
    assert crypto.decrypt(stored_user.id_number_enc) == id_number
    assert crypto.decrypt(stored_user.real_name_enc) == REAL_NAME
    assert crypto.decrypt(card.number_enc) == CARD_NUMBER
    assert crypto.decrypt(card.holder_name_enc) == REAL_NAME
    assert card.masked_number == "622202*********0128"
    columns = {c.name for c in encrypted_columns()}
    assert {"users.real_name_enc", "users.id_number_enc", "bank_cards.number_enc", "bank_cards.holder_name_enc"} <= columns


async def test_rotation_in_batches_keeps_reads_working(gql):
    old_key = runtime.settings().encryption_key
    users = [await make_user(real_name=REAL_NAME) for _ in range(3)]
    await _bind_card(users[0])
    new_key = _new_key()
    expected = {u.id: (await gql.ok(VIEWER, token=token_for(u)))["viewer"] for u in users}
    assert expected[users[0].id]["realName"] == "欧***"
    total = len(await _encrypted_values())
    assert total == 8 and await remaining(new_key) == 8

    # Step 1 of the procedure: processes read with both keys while the rotation runs.
    with _keys(old_key, new_key):
        batches = rotate_batches(new_key, batch_size=1)
        await anext(batches)
        left = await remaining(new_key)
        assert 0 < left < total  # half-way: some values under each key
        for user in users:
            assert (await gql.ok(VIEWER, token=token_for(user)))["viewer"] == expected[user.id]
        report = [running async for running in batches][-1]
    assert sum(report.rewritten.values()) == total and report.ok
    assert await remaining(new_key) == 0
    assert all(v.startswith(f"v1:{crypto.key_id(new_key)}:") for v in await _encrypted_values())

    # Step 3: the old key is gone and everything still reads.
    with _keys(new_key):
        for user in users:
            assert (await gql.ok(VIEWER, token=token_for(user)))["viewer"] == expected[user.id]
        again = await rotate(new_key)
        assert sum(again.rewritten.values()) == 0 and sum(again.already_current.values()) == total
    # Without the new key nothing decrypts any more: the values really were rewritten.
    with _keys(old_key), pytest.raises(ValueError):
        crypto.decrypt((await User.get(id=users[1].id)).real_name_enc)


async def test_values_under_an_unknown_key_are_reported_not_destroyed():
    user = await make_user()
    foreign = crypto.encrypt("李四", key=_new_key())
    await User.filter(id=user.id).update(real_name_enc=foreign)
    report = await rotate(_new_key())
    assert report.unreadable == {"users.real_name_enc": 1}
    assert not report.ok
    assert (await User.get(id=user.id)).real_name_enc == foreign


async def test_rotate_key_command(test_env):
    user = await make_user(real_name=REAL_NAME)
    await _bind_card(user)
    old_key = runtime.settings().encryption_key
    new_key = _new_key()
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "rotate-key", f"--new-key={_b64(new_key)}", "--batch-size", "1"],
        cwd=ROOT, env={**os.environ, **test_env}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "users.id_number_enc: rewritten 1" in result.stdout
    assert "bank_cards.number_enc: rewritten 1" in result.stdout
    assert "0 left under other keys" in result.stdout
    with _keys(new_key, old_key):
        card = await BankCard.get(user_id=user.id)
        assert crypto.decrypt(card.number_enc) == CARD_NUMBER
        assert not crypto.needs_rotation(card.holder_name_enc)


async def test_rotate_key_command_rejects_a_bad_key(test_env):
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "rotate-key", "--new-key", "c2hvcnQ"],
        cwd=ROOT, env={**os.environ, **test_env}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "32 bytes" in result.stderr
