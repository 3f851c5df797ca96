"""The King James Bible from Debian's `bible-kjv-text` package, split into training and held-out text.

The text is read with the `bible` program of package `bible-kjv` (the data file /usr/lib/bible.data of
`bible-kjv-text` is compressed in its own format): `bible -f Gen1:1-Rev22:21` prints all 31,102 verses,
one per line, as "Ge1:1 In the beginning God created the heaven and the earth."

Split, by book (whole books, so no held-out verse is seen in training):
- training: Genesis 1:1 through Jude 1:25, 30,698 verses;
- held out: Revelation 1:1 through 22:21, the last book, 404 verses.

Text form: one verse per line, the reference ("Ge1:1 ") removed and runs of spaces made single (Josh 7:2
and Rev 19:3 have a double space, one verse a trailing space; the tokenizer would collapse them anyway),
nothing else changed. The tokenizer
normalises a newline to a space, so a file of verses reads as running prose: "... the earth. And the
earth was ...". The text is pure ASCII.

Usage: /usr/bin/python3 tools/train/kjv_data.py OUT_DIR   (writes train.txt and heldout.txt)
"""

import os
import re
import subprocess
import sys

VERSE_RE = re.compile(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$")
HELDOUT_BOOK = "Rev"
TOTAL_VERSES = 31102


def read_verses():
    """[(book, chapter, verse, text)] for the whole Bible, in canonical order."""
    out = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], check=True, capture_output=True).stdout
    lines = out.decode("ascii").splitlines()
    verses = []
    for line in lines:
        m = VERSE_RE.match(line)
        if not m:
            raise ValueError(f"unexpected line from bible: {line!r}")
        book, ch, vs = m.group(1), int(m.group(2)), int(m.group(3))
        text = " ".join(m.group(4).split())  # 2 verses have a double space, 1 a trailing space
        if not text:
            raise ValueError(f"empty verse {book}{ch}:{vs}")
        verses.append((book, ch, vs, text))
    if len(verses) != TOTAL_VERSES:
        raise ValueError(f"expected {TOTAL_VERSES} verses, got {len(verses)}")
    return verses


def split(verses):
    """(train, heldout) lists of verses: held out is the whole book of Revelation."""
    first = next(i for i, v in enumerate(verses) if v[0] == HELDOUT_BOOK)
    train, heldout = verses[:first], verses[first:]
    assert all(v[0] == HELDOUT_BOOK for v in heldout)
    assert train[-1][:3] == ("Jude", 1, 25) and heldout[0][:3] == ("Rev", 1, 1) and heldout[-1][:3] == ("Rev", 22, 21)
    return train, heldout


def write_text(path, verses):
    """One verse per line, final newline; ASCII."""
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for v in verses:
            f.write(v[3] + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    train, heldout = split(read_verses())
    write_text(os.path.join(sys.argv[1], "train.txt"), train)
    write_text(os.path.join(sys.argv[1], "heldout.txt"), heldout)
    print(f"train: {len(train)} verses; held out: {len(heldout)} verses")


if __name__ == "__main__":
    main()
