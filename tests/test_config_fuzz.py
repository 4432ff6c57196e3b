"""Random and mutated TOML config files: ``read_config`` returns a Config or raises the
project's ConfigError with a message, never another exception and never a hang."""

from hypothesis import strategies as st

from nntui.config import FILE_KEYS, Config, ConfigError, config_toml, read_config

from .fuzzing import budgets, fuzz_bytes, mutations

KEYS = st.sampled_from([*FILE_KEYS, "data", "target", "drop_missing", "epochs", "junk", "lr"])
SCALARS = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda x: {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(x), repr(x))
    ),
    st.sampled_from(["true", "false", '"full"', '"tanh"', '"relu"', '"iris"', '"adam"', '""',
                     "1979-05-27", "07:32:00", "[8, 4]", "[]", '["x"]', "[1.5]", "{a = 1}",
                     '"1e309"', '"🙂"', "[[1]]", "0x10", "1_000", "'lit'"]),
    st.text(max_size=6).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)  # fmt: skip


@st.composite
def toml_texts(draw) -> bytes:
    lines = [f"{draw(KEYS)} = {draw(SCALARS)}" for _ in range(draw(st.integers(0, 8)))]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["[table]", "#"])))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def check_outcome(path) -> None:
    try:
        config, extras = read_config(path)
    except ConfigError as err:
        assert str(err) and err.field
        return
    assert isinstance(config, Config) and set(extras) <= {"epochs"}
    assert read_config_text(config_toml(config, extras), path) == (config, extras)


def read_config_text(text: str, path):
    """What a config that was read writes back, read again: the round trip holds."""
    path.write_text(text, encoding="utf-8")
    return read_config(path)


GOOD = config_toml(Config(hidden=(8, 4), batch_size=32, optimizer="adam"), {"epochs": 50})


@budgets(1000)
def test_structured_random_toml(tmp_path, budget):
    fuzz_bytes(toml_texts(), check_outcome, tmp_path / "fuzz.toml", budget)


@budgets(500)
def test_arbitrary_bytes(tmp_path, budget):
    fuzz_bytes(st.binary(max_size=300), check_outcome, tmp_path / "fuzz.toml", budget)


@budgets(800)
def test_mutated_valid_toml(tmp_path, budget):
    mutated = mutations(GOOD.encode(), b'=[]{}",.\n#-0e\x00\xff')
    fuzz_bytes(mutated, check_outcome, tmp_path / "fuzz.toml", budget)


def test_deeply_nested_toml_is_refused_with_a_message(tmp_path):
    path = tmp_path / "deep.toml"
    for text in ("layers = " + "[" * 100_000, "lr = " + "{a = " * 5_000):
        path.write_text(text)
        try:
            read_config(path)
        except ConfigError as err:
            assert "TOML" in str(err)
        else:
            raise AssertionError("a nested config was accepted")
