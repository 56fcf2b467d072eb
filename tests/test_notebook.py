"""notebooks/explore.ipynb runs top to bottom on a clean kernel and shows what it promises."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"


def test_notebook_explore_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("PEELGRAPH_STORE", str(tmp_path / "store"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    text = "\n".join(
        str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", "")) + str(out.get("data", {}).get("text/html", ""))
        for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert "Derbyshire Constabulary, PEEL 2021/22" in text
    assert "Requires improvement" in text
    assert "Preventing crime and anti-social behaviour: Adequate" in text
    assert "Neighbourhood policing vacancies" in text
    assert "iframe" in text
    assert (tmp_path / "store").is_dir()
