import pytest

from zhuqi.core import uscc

# Real published codes (GB 32100-2015 examples used in the issue).
REAL = ["914403001922038216", "91440300708461136T"]


@pytest.mark.parametrize("code", REAL)
def test_real_published_codes_pass(code):
    assert uscc.problem(code) is None
    assert uscc.check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL)
@pytest.mark.parametrize("position", range(18))
def test_any_single_changed_character_is_refused(code, position):
    for replacement in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if replacement == code[position]:
            continue
        changed = code[:position] + replacement + code[position + 1 :]
        # The weights are all coprime to 31, so a single substitution always changes the check.
        assert uscc.problem(changed) is not None, changed


def test_messages_say_what_is_wrong():
    assert uscc.problem("914403001922038217").code == "uscc_check_digit"
    assert "6" in str(uscc.problem("914403001922038217").message)
    assert uscc.problem("91440300192203821").code == "uscc_length"
    assert uscc.problem("9144030019220382I6").code == "uscc_charset"  # I is not in the GB 32100 set


def test_lowercase_and_spaces_are_normalised():
    assert uscc.is_valid(" 91440300708461136t ")


def test_made_codes_are_valid_and_carry_a_valid_organisation_code():
    code = uscc.make("441900", "MA4W1234")
    assert uscc.is_valid(code)
    assert code[8:16] == "MA4W1234"
    assert code[16] == uscc.org_check_character("MA4W1234")
    # GB 11714 on a real code: 19220382 → 1, as in 914403001922038216.
    assert uscc.org_check_character("19220382") == "1"
