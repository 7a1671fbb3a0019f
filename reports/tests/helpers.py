# ruff: noqa: S603, S607 -- the tests run known PDF/spreadsheet tools (pdftotext, pdffonts, soffice) from PATH on files they wrote
import os
import re
import subprocess
from pathlib import Path

FOOTER = re.compile(r"第\s*\d+\s*页(\s*共\s*\d+\s*页)?|—\s*\d+\s*—")  # the 认定表's, the summary report's (公文)


def pdf_text(content: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    """pdftotext of a PDF, page footers removed and all whitespace dropped.

    Chinese lines wrap anywhere (even inside a number), so sentences are compared with the
    line breaks taken out.
    """
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = FOOTER.sub("", text)
    return re.sub(r"\s+", "", text)


def pdf_fonts(content: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def xlsx_to_csv(path: Path, sheet: int, tmp_path: Path) -> str:
    """LibreOffice's CSV of one sheet (1-based), UTF-8, cells as shown, formulas as results."""
    profile = tmp_path / "lo-profile"
    outdir = tmp_path / "csv"
    outdir.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(tmp_path / "lo-home")}
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}",
            "--outdir",
            str(outdir),
            str(path),
        ],
        env=env,
        capture_output=True,
        check=True,
        timeout=180,
    )
    produced = sorted(outdir.glob("*.csv"))
    assert produced, "LibreOffice wrote no CSV"
    return produced[0].read_text(encoding="utf-8")
