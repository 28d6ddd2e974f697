"""examples/closed_vs_open.ipynb runs top to bottom (Debian's nbclient and
ipykernel), at its quick size, so that it cannot rot: every cell without an
error, the comparison's table and both charts produced."""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

SOURCE = Path(os.environ.get("LINKSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def test_notebook_runs_top_to_bottom(monkeypatch):
    monkeypatch.setenv("LINKSIM_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("LINKSIM_SOURCE_DIR", str(SOURCE))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws
    path = SOURCE / "examples" / "closed_vs_open.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    texts = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                    for o in outputs)
    assert "diff_mean" in texts and "gmv" in texts
    assert "did you mean" in texts  # the typo cell shows linksim's message
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the difference over time and the fee sweep
