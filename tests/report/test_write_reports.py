"""write_reports: the registry, unknown formats, and atomic writes of exactly the requested files."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.report import FORMATS, Reporter, write_reports
from auditor.results import EvaluationResult


def test_registry_has_the_nine_formats_with_distinct_files() -> None:
    assert list(FORMATS) == [
        "json",
        "html",
        "junit",
        "sarif",
        "csv",
        "markdown",
        "asff",
        "ocsf",
        "frameworks-csv",
        "migration-json",
        "migration-csv",
        "migration-html",
    ]
    assert len({r.filename for r in FORMATS.values()}) == 12
    assert all(name == r.name for name, r in FORMATS.items())


def test_writes_each_requested_format_once(rich_result: EvaluationResult, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "new"
    paths = write_reports(rich_result, ["json", "markdown", "json"], out)
    assert paths == [out / "report.json", out / "report.md"]
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md"]  # no temporary files left
    assert (out / "report.json").read_bytes() == FORMATS["json"].render(rich_result)


def test_unknown_format_is_input_error_and_writes_nothing(
    rich_result: EvaluationResult, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="unknown format 'pdf'"):
        write_reports(rich_result, ["json", "pdf"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failing_renderer_writes_nothing(
    rich_result: EvaluationResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_reports(rich_result, ["json"], out)
    before = (out / "report.json").read_bytes()

    def broken(result: EvaluationResult) -> bytes:
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(FORMATS, "html", Reporter("html", "report.html", "text/html", broken))
    rich_result.generated_at = "2030-01-01T00:00:00Z"
    with pytest.raises(RuntimeError, match="renderer bug"):
        write_reports(rich_result, ["json", "html"], out)
    assert (out / "report.json").read_bytes() == before  # json was rendered but not written
    assert not (out / "report.html").exists()


def test_the_registry_is_the_one_list_of_formats() -> None:
    """Nothing else lists the formats: the config schema, the CLI help, the config example, the run
    folder and the evidence bundle all derive from FORMATS, and no module spells a list of them."""
    import ast

    import auditor
    from auditor import config
    from auditor.report import evidence

    items = config.published_schema()["$defs"]["Config"]["properties"]["formats"]["items"]
    assert items["enum"] == list(FORMATS)
    assert set(evidence.REPORT_FILES) == {r.filename for r in FORMATS.values()}
    assert ", ".join(FORMATS) in config.EXAMPLE
    names = set(FORMATS)
    root = Path(auditor.__file__).parent
    for path in root.rglob("*.py"):
        if path == root / "report" / "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.List | ast.Tuple | ast.Set):
                spelled = {
                    e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
                }
                assert len(spelled & names) < 3, (
                    f"{path}:{node.lineno} lists formats by hand: {spelled & names}"
                )
        assert "json, html, junit" not in text, f"{path} spells the format list in a string"
