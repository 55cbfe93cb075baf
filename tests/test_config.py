"""logbook.toml: settings tables read into typed records; every mistake located."""

from logbook.load.config import load_config
from support.books import write_tree


def diagnostics_of(tmp_path, text):
    root = write_tree(tmp_path / "b", {"logbook.toml": text})
    config, diagnostics = load_config(root)
    return config, [(d.code, d.location.line, d.message) for d in diagnostics]


def test_settings_tables_are_read(tmp_path):
    config, found = diagnostics_of(
        tmp_path,
        '[site]\ntitle = "T"\nkeeper = "Me"\n[tone]\nshouting_words = 5\n'
        'insults = ["muppet"]\n[audit]\nstale_days = 3\n[redact]\nemails = true\n'
        'keep_fields = ["from"]\n[windows]\nstore-return = { days = 30, label = "Shop policy" }\n',
    )
    assert found == []
    assert (config.keeper, config.tone.shouting_words, config.tone.insults) == ("Me", 5, ("muppet",))
    assert (config.audit.stale_days, config.audit.response_hours) == (3, 72)
    assert (config.redact.emails, config.redact.keep_fields, config.redact.cards) == (True, ("from",), True)
    assert [(w.name, w.days, w.kind) for w in config.windows] == [("store-return", 30, "deadline")]


def test_settings_mistakes_are_located(tmp_path):
    _, found = diagnostics_of(
        tmp_path,
        '[tone]\nenabled = "yes"\nshoutng_words = 3\n[audit]\nstale_days = 0\n'
        '[redact]\ncards = 1\n[windows]\nbad = { days = "x" }\n',
    )
    assert found == [
        ("config-invalid", 2, "[tone] enabled must be true or false"),
        ("unknown-config-key", 3, "unknown key 'shoutng_words' in [tone]"),
        ("config-invalid", 5, "[audit] stale_days must be a whole number from 1 to 36,525 (days)"),
        ("config-invalid", 7, "[redact] cards must be true or false"),
        (
            "config-invalid",
            9,
            'window \'bad\' must be { days = N, label = "…", kind = "deadline" or "opens" } with N from 1 to 36,525',
        ),
    ]


def test_profiles_are_read_with_the_configuration(tmp_path):
    config, found = diagnostics_of(
        tmp_path,
        "[profiles.bank]\ninternal = true\n[profiles.ombudsman]\n"
        'refs = ["order"]\nredact = true\n[profiles.bad]\ninternal = "no"\ncolour = 1\n',
    )
    assert found == [
        ("config-invalid", 7, "[profiles.bad] internal must be true or false"),
        ("unknown-config-key", 8, "unknown key 'colour' in [profiles.bad]"),
    ]
    assert config.profile("bank").internal is True  # a same-named profile replaces the built-in
    assert config.profile("ombudsman").refs == ("order",) and config.profile("supervisor") is not None
    assert config.profile("nope") is None
