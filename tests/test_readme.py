"""The README's reference table is generated from the code, so it cannot drift."""

from assistant.config import Settings, settings_table, with_settings_table

from .helpers import ROOT


def test_the_settings_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_settings_table(readme) == readme, "the README's settings table is stale: run `make readme`"


def test_the_table_lists_every_setting_with_a_meaning():
    table = settings_table()
    for name, field in Settings.model_fields.items():
        assert f"`ASSISTANT_{name.upper()}`" in table
        assert field.description, f"Settings.{name} has no description for the README"
