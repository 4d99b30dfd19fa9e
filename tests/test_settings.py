"""Settings come from pelicanconf.py, the one file a founder configures."""

import pytest

from goodwill.settings import SettingsError, load


def test_goodwill_names_are_read_and_paths_resolve_beside_the_file(tmp_path):
    conf = tmp_path / "pelicanconf.py"
    conf.write_text(
        'PATH = "site-content"\n'
        'GOODWILL_STAFF = ["Ada@Tidy.example", "tidy.example"]\n'
        'GOODWILL_PSEUDONYM_STYLE = "letter"\n'
        "GOODWILL_SOMETHING_FOR_THE_PLUGIN = 3\n"
    )
    settings = load(conf)
    assert settings.staff == {"ada@tidy.example": None, "tidy.example": None}
    assert settings.pseudonym_style == "letter"
    assert settings.content == str(tmp_path / "site-content")
    assert settings.inbox == str(tmp_path / "inbox")


def test_a_value_of_the_wrong_shape_is_named(tmp_path):
    conf = tmp_path / "pelicanconf.py"
    conf.write_text('GOODWILL_PRODUCTS = "Tidy Invoice"\n')
    with pytest.raises(SettingsError, match="GOODWILL_PRODUCTS should be a list, not a string"):
        load(conf)


def test_an_error_in_the_file_names_the_file(tmp_path):
    conf = tmp_path / "pelicanconf.py"
    conf.write_text("GOODWILL_STAFF = {\n")
    with pytest.raises(SettingsError, match=r"pelicanconf\.py: could not be read"):
        load(conf)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('GOODWILL_PSEUDONYM_STYLE = "nick"', "is not one of first-name, letter, initials"),
        ('GOODWILL_PLEDGE_RULES = {"x": 5}', r"GOODWILL_PLEDGE_RULES\['x'\] should be a dict"),
        (
            'GOODWILL_PLEDGE_RULES = {"x": {"measure": "first_reply"}}',
            "needs a positive 'hours' or 'business_days'",
        ),
        ('GOODWILL_CSV_COLUMNS = {"thread": 3}', r"GOODWILL_CSV_COLUMNS\['thread'\] = 3"),
        ("GOODWILL_MAX_FILE_MB = 0", "should be at least 1"),
        ("GOODWILL_MAX_FILE_MB = True", "should be a whole number, not True or False"),
    ],
)
def test_a_wrong_value_is_refused_once_naming_the_file(tmp_path, line, message):
    conf = tmp_path / "pelicanconf.py"
    conf.write_text(line + "\n")
    with pytest.raises(SettingsError, match=r"pelicanconf\.py: .*" + message):
        load(conf)
