"""Write the tabula set: real table-heavy PDFs nobody here wrote, from tabula-java's test
files (a pharma payments disclosure, an Argentine roll-call vote, campaign-donor and school
contribution lists, a ruled table with section rows, Ghana transport contract awards, a
Brazilian crop table with no outer frame, seed-trial results with a garbled text layer, a
factory audit grid, a Sydney contract disclosure form, NYPD CompStat, an Oklahoma licence
listing, a Maryland offense table, Argentine fishery exports, a page turned 90 degrees
(US budget summary), a BBC expenses sheet, an Austrian cinema programme, a scanned Texas
election report with an OCR text layer, EU survey tables with row spans, IRS, NSF and EPA
tables).

    .venv/bin/python eval/make_tabula.py /work/.mirror /work/evaldata/tabula
    .venv/bin/docparse eval /work/evaldata/tabula          # reads checks.jsonl

eval/tabula_docs.jsonl names each document (repo, commit, path, sha256, kind, the pages
used, at most 2); MIRRORS_ROOT holds the bare git mirrors as OWNER+NAME/repo, from which
each file is read at its commit and checked against the sha256. OUT gets NAME.pdf (the
listed pages only, as published) and checks.jsonl (a copy of eval/tabula_checks.jsonl:
mostly table checks, with present, order and heading checks, written by hand from each
page's rendered image, tabula's expected CSV where there is one, and the text layer;
pages are those of NAME.pdf; nothing is tuned to docparse).

Left out: pages already in other sets (12s0324.pdf and us-007.pdf page 1 are in
make_camelot.py's set, us-020.pdf is in make_icdar.py's), the icdar2013-dataset folder
(make_icdar.py), scripts other than Latin (arabic, mednine, indictb1h_14 in Hebrew,
twotables in Japanese), the password-protected file, pages with no table (labor.pdf's
article, npe_issue_206.pdf's diagram) and the tiny synthetic grids (AnimalSounds,
MultiColumn).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_extra, beside this file

from make_extra import build  # the same builder: pinned PDFs, their pages, the checks

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    build(HERE / "tabula_docs.jsonl", HERE / "tabula_checks.jsonl", __doc__ or "")
