#!/usr/bin/env python3
"""The reference for trdetr.clip.ClipTokenizer: openai/CLIP's own tokenizer, imported by path from a clone.

Writes the test fixtures of src/test/resources/clip/ (see docs/clip.md, "Tokenizer"), or tokenizes standard input
like `trdetr tokenize` does, so that any text can be compared:

    git clone <openai/CLIP> /tmp/openai-clip; git clone <rspeer/python-ftfy> /tmp/ftfy
    /usr/bin/python3 tools/clip_tokenizer_reference.py --clip-repo /tmp/openai-clip --ftfy-repo /tmp/ftfy
    echo "a text" | /usr/bin/python3 tools/clip_tokenizer_reference.py --clip-repo /tmp/openai-clip --stdin

Needs the `regex` package (Debian: python3-regex) and, for ftfy, its dependency wcwidth (python3-wcwidth). ftfy
itself is not packaged by Debian: --ftfy-repo puts a clone on sys.path; without it ftfy.fix_text is stubbed by the
identity (what that changes: docs/clip.md). Fixture writing needs the real ftfy, as it records both.

Nothing of CLIP is copied here: its simple_tokenizer.py is loaded from the clone given. clip.tokenize (clip/clip.py)
needs torch, so its few lines of framing are restated in `frame` below: start token, the ids, end token, and with
truncate=True a list longer than the context is cut to it and its last id made the end token.

The corpus fixture holds digests of the ids, never the annotation texts or ids themselves (the annotation files must
not be copied into the project).
"""
import argparse
import gzip
import hashlib
import html
import importlib.util
import json
import os
import random
import subprocess
import sys
import types
import unicodedata

CONTEXT = 77
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_FILES = ["highlight_train_release.jsonl", "highlight_val_release.jsonl", "highlight_test_release.jsonl",
              "tvsum/tvsum_train.jsonl", "tvsum/tvsum_val.jsonl",
              "charades/charades_sta_train_tvr_format.jsonl", "charades/charades_sta_val_tvr_format.jsonl"]


def load_simple_tokenizer(clip_repo, ftfy_module, name):
    """openai/CLIP's clip/simple_tokenizer.py as a module, importing `ftfy_module` as its ftfy."""
    saved = sys.modules.get("ftfy")
    sys.modules["ftfy"] = ftfy_module
    try:
        path = os.path.join(clip_repo, "clip", "simple_tokenizer.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            sys.modules.pop("ftfy", None)
        else:
            sys.modules["ftfy"] = saved
    tokenizer = module.SimpleTokenizer(os.path.join(clip_repo, "clip", "bpe_simple_vocab_16e6.txt.gz"))
    tokenizer.reference_module = module
    return tokenizer


def real_ftfy(ftfy_repo):
    sys.path.insert(0, ftfy_repo)
    import ftfy
    return ftfy


def stub_ftfy():
    return types.SimpleNamespace(fix_text=lambda text: text, __version__="stub (identity)")


def frame(tokenizer, text):
    """clip.tokenize(text, truncate=True) without the padding: start, ids, end; cut to the context, end token last."""
    sot, eot = tokenizer.encoder["<|startoftext|>"], tokenizer.encoder["<|endoftext|>"]
    ids = [sot] + tokenizer.encode(text) + [eot]
    if len(ids) > CONTEXT:
        ids = ids[:CONTEXT]
        ids[-1] = eot
    return ids


def words(tokenizer, text):
    """The words the reference byte-pair encodes: its own cleaning and split pattern, as in SimpleTokenizer.encode."""
    module = tokenizer.reference_module
    return module.re.findall(tokenizer.pat, module.whitespace_clean(module.basic_clean(text)).lower())


def id_string(ids):
    return " ".join(str(i) for i in ids)


def git_head(repo):
    try:
        return subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def queries(path):
    """The "query" field of every non-blank line of an annotation jsonl."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                record = json.loads(line)
                if not isinstance(record.get("query"), str):
                    sys.exit(f"{path} line {n}: no string field 'query'")
                out.append(record["query"])
    return out


# ---------------------------------------------------------------- the corpus digest

def write_corpus_digest(out, data_dir, real, stub, header):
    """Per file: query count and sha256 of all id lines; per query the first 4 hex digits of sha256 of its ids."""
    lines = list(header)
    lines.append("# per query: the first 4 hex digits of sha256(ids as decimal, space-separated), 32 queries a line;")
    lines.append("# per file: sha256 of the queries' id strings joined by \\n. Ids: start, text, end, cut to 77.")
    differing = 0
    for rel in DATA_FILES:
        texts = queries(os.path.join(data_dir, rel))
        id_lines = [id_string(frame(real, t)) for t in texts]
        for t, ids in zip(texts, id_lines):
            if id_string(frame(stub, t)) != ids:
                differing += 1
                print(f"  ftfy changes the ids of a query of {rel}", file=sys.stderr)
        whole = hashlib.sha256("\n".join(id_lines).encode("utf-8")).hexdigest()
        lines.append(f"file {rel} {len(texts)} {whole}")
        short = [hashlib.sha256(s.encode("utf-8")).hexdigest()[:4] for s in id_lines]
        lines.extend("".join(short[i:i + 32]) for i in range(0, len(short), 32))
        longest = max(len(s.split()) for s in id_lines)
        print(f"{rel}: {len(texts)} queries, longest {longest} ids", file=sys.stderr)
    print(f"corpus: {differing} queries whose ids differ between the real ftfy and the identity stub", file=sys.stderr)
    with open(os.path.join(out, "corpus_digest.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- our own tricky strings

TRICKY = [
    "", " ", "   \t\n  ", "a", "A", "I", "hello world", "Hello, World!", "HELLO   WORLD",
    "it's", "IT'S", "don't", "we're here", "they've gone", "I'm", "you'll", "he'd", "it'ſ", "'s", "''s", "x's's",
    "rock'n'roll", "'ll'LL'Ll", "quote 'single' and \"double\"",
    "0", "42", "3.14159", "1,000,000", "2024-06-01", "12:30pm", "x2", "abc123def", "١٢٣ ٤٥٦", "Ⅻ ① ½ ²",
    "!!!", "?!?!", "...", "—", "a--b", "(parentheses) [brackets] {braces}", "#hashtag @mention", "$5.99 / 100%",
    "e-mail: someone@example.com", "https://example.org/a?b=c&d=e", "<|startoftext|>", "<|endoftext|>",
    "a<|endoftext|>b", "!<|endoftext|>", "<|StartOfText|> caps", "<|ſtartoftext|>", "<|endoftext", "<>|",
    "tab\tand\nnewline", "many     spaces", "\u00a0nbsp\u00a0inside\u00a0", "ideographic\u3000space",
    "\u2003em\u2002en\u2009thin", "\u001cfile\u001dseparators\u001e\u001f", "zero\u200bwidth", "soft\u00adhyphen",
    "naïve café résumé", "NAÏVE CAFÉ", "Ångström", "straße", "STRASSE", "İstanbul", "ΟΔΥΣΣΕΥΣ", "ὈΔΥΣΣΕΎΣ",
    "Σ", "ΑΣ", "ΑΣ.", "ΑΣ'Α", "Москва", "中文字符", "日本語のテキスト", "한국어 텍스트", "עברית", "العربية",
    "हिन्दी", "ไทย", "e\u0301", "a\u0345b", "α\u0345", "ﬁnal ﬂow", "Ĳssel", "ǅ", "ＦＵＬＬ　ＷＩＤＴＨ", "ｶﾀｶﾅ",
    "“curly” ‘quotes’", "don’t", "it‛s", "ʼtis", "„low“", "line\u2028sep\u2029para", "cr\rlf\r\n", "nel\u0085",
    "c1\u0080\u0081\u009f", "\x1b[31mred\x1b[0m", "bell\x07", "bom\ufeffhere", "\ufffc", "\U0001d173music",
    "emoji 😀👍🏽", "family 👨‍👩‍👧", "flag 🇯🇵", "🏴󠁧󠁢󠁷󠁬󠁳󠁿", "astral 𝒜𝓁𝓅𝒽𝒶", "𝟘𝟙𝟚", "\U00020000",
    "&amp;", "&amp;amp;", "&lt;b&gt;", "AT&T", "&copy; 2024", "&copy 2024", "&notin; &notit;", "&EACUTE;",
    "P&EACUTE;REZ", "&szlig; &SZLIG;", "x < y &amp; z", "&#39;", "&#x27;", "&#0;", "&#128;", "&#x110000;", "&#xD800;",
    "&#59;", "&#1;", "&#65", "&#x41", "&nbsp;", "&NotEqualTilde;", "&fjlig;", "&ampx", "&amp;lt;",
    "mojibake cafÃ©", "BrontÃ«", "â€œquotedâ€\x9d", "Ã", "sÃ³",
    "supercalifragilisticexpialidocious", "antidisestablishmentarianism", "pneumonoultramicroscopicsilicovolcano",
    " ".join(["word"] * 100), " ".join(str(i) for i in range(60)), "x" * 300, "!" * 200,
    "a " * 75, "a " * 76, "tokens " * 38, "émigré " * 40,
]


def write_tricky(out, real, stub, no_encoding_fix, header):
    """Our own strings with the reference's words and ids: with the real ftfy, with the stub (only where that
    differs), and without ftfy's fix_encoding (only where that differs)."""
    with open(os.path.join(out, "tricky_tokens.jsonl"), "w", encoding="utf-8") as f:
        for line in header:
            f.write(json.dumps({"comment": line[2:]}) + "\n")
        for text in TRICKY:
            record = {"text": text, "words": words(real, text), "ids": frame(real, text)}
            for suffix, tokenizer in (("_no_ftfy", stub), ("_ftfy_without_fix_encoding", no_encoding_fix)):
                for key, value in (("words", words(tokenizer, text)), ("ids", frame(tokenizer, text))):
                    if value != record[key]:
                        record[key + suffix] = value
            f.write(json.dumps(record, ensure_ascii=True) + "\n")
    print(f"tricky_tokens.jsonl: {len(TRICKY)} strings", file=sys.stderr)


# ---------------------------------------------------------------- html.unescape and ftfy's own entity decoding

def html_cases():
    names = list(html.entities.html5)
    cases = []
    for name in names:
        cases.append("&" + name)
        if not name.endswith(";"):
            cases.append("&" + name + "z;")         # the longest legacy prefix
        else:
            cases.append("&" + name.upper())        # ftfy's all-caps forms
    numbers = [0, 1, 8, 9, 10, 11, 12, 13, 14, 31, 32, 38, 59, 65, 126, 127, 128, 129, 133, 141, 143, 144, 157, 159,
               160, 255, 0x2019, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFDCF, 0xFDD0, 0xFDEF, 0xFDF0,
               0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x1FFFE, 0x1FFFF, 0x1F600, 0x10FFFD, 0x10FFFE, 0x10FFFF, 0x110000,
               2 ** 31, 2 ** 32 + 65, 10 ** 30]
    for n in numbers:
        for form in ("&#%d;", "&#%d", "&#x%x;", "&#X%X", "&#x%X;", "&#%07d;", "&#x%06x;"):
            cases.append(form % n + "z")
    cases += ["", "&", "&&", "&;", "&#;", "&#x;", "&#", "&#x", "&#xg;", "&# 65;", "& amp;", "&amp", "&ampamp;",
              "&amp;amp;", "&AMP;", "&Amp;", "&lt", "&LT", "&LTx", "&ltx;", "&notin", "&notin;", "&notit;",
              "&" + "a" * 33 + ";", "&" + "a" * 31 + "amp;", "&ampé", "&é;", "&\r;", "&a\tb;", "&a\fb;", "&a<b;",
              "&a#b;", "&amp&lt;", "&&amp;", "&#38;amp;", "&#0038;#0038;", "a&b&c", "&aacute", "&Aacute",
              "&aacuteé", "&frac12", "&frac12;", "&FRAC12;", "&SZLIG;", "&NTILDE;", "&nTILDE;", "&#x1F600;",
              "&#128512;", "&#55357;&#56832;", "&#xD83D;&#xDE00;", "&" + "é" * 32 + ";", "&𝒜mp;",
              "<b>&eacute;</b>", "<&EACUTE;", "&EACUTE;\n<", "&EACUTE;<\n&EACUTE;", "x\n&EACUTE;\n<\n&EACUTE;"]
    rng = random.Random(16)
    alphabet = "&#xX;amplt0159fFAé \n<"
    for _ in range(1500):
        cases.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))))
    return cases


def write_html(out, ftfy):
    from ftfy import fixes
    with open(os.path.join(out, "html_unescape.jsonl"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"comment": "[text, html.unescape(text), ftfy.fixes.unescape_html(text), "
                                       "ftfy.fix_text(text) without fix_encoding], 0 for a value equal to the one "
                                       "before it; Python " + sys.version.split()[0] + ", ftfy " + ftfy.__version__})
                + "\n")
        for text in html_cases():
            row = [text, html.unescape(text), fixes.unescape_html(text), ftfy.fix_text(text, fix_encoding=False)]
            row = row[:1] + [0 if row[i] == row[i - 1] else row[i] for i in range(1, 4)]
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- per code point tables

def write_unicode(out, ftfy):
    import regex
    split_class = regex.compile(r"(\s)|([\p{L}])|([\p{N}])|([^\s\p{L}\p{N}])", regex.IGNORECASE)
    unassigned = regex.compile(r"\p{Cn}")

    def runs(key):
        lines, start, prev = [], 0, None
        for cp in list(range(0xD800)) + list(range(0xE000, 0x110000)):
            k = key(cp)
            if k != prev:
                if prev is not None:
                    lines.append(f"{start:x} {cp - 1:x} {prev}")
                start, prev = cp, k
        lines.append(f"{start:x} 10ffff {prev}")
        return [line for line in lines if not line.endswith(" -")]

    def split_key(cp):
        c = chr(cp)
        if unassigned.match(c):
            return "U"
        m = split_class.match(c)
        return "XSLNP"[m.lastindex if m else 0]

    lines = ["# per code point tables of the reference (tools/clip_tokenizer_reference.py); code points in hex",
             f"# Python {sys.version.split()[0]}, unicodedata {unicodedata.unidata_version}, regex "
             f"{regex.__version__}, ftfy {ftfy.__version__}",
             "[split] ranges: which alternative of the split pattern (IGNORECASE) takes the code point:",
             "# S \\s, L [\\p{L}], N [\\p{N}], P [^\\s\\p{L}\\p{N}], X none; U unassigned in regex's Unicode (P)"]
    lines += runs(split_key)
    lines.append("[unassigned] ranges unassigned (Cn) in unicodedata, which str.lower, strip and ftfy use")
    lines += [line[:-2] for line in runs(lambda cp: "y" if unicodedata.category(chr(cp)) == "Cn" else "-")]
    lines.append("[isspace] code points with str.isspace()")
    lines.append(" ".join(f"{cp:x}" for cp in range(0x110000) if chr(cp).isspace()))
    lines.append("[lower] code point, then str.lower() of it where that differs")
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        low = chr(cp).lower()
        if low != chr(cp):
            lines.append(f"{cp:x} " + " ".join(f"{ord(c):x}" for c in low))
    lines.append("[ftfy] code point, then ftfy.fix_text() of it where that differs (empty: removed)")
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        fixed = ftfy.fix_text(chr(cp))
        if fixed != chr(cp):
            lines.append(f"{cp:x} " + " ".join(f"{ord(c):x}" for c in fixed))
    with open(os.path.join(out, "unicode_tables.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clip-repo", required=True, help="a clone of openai/CLIP")
    ap.add_argument("--ftfy-repo", help="a clone of rspeer/python-ftfy (else ftfy.fix_text is the identity)")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "fixtures", "official", "data"),
                    help="the official annotation folder (default ../shared/fixtures/official/data)")
    ap.add_argument("--out", default=os.path.join(ROOT, "src", "test", "resources", "clip"))
    ap.add_argument("--stdin", action="store_true",
                    help="print the ids of each line of standard input instead, as `trdetr tokenize` does")
    args = ap.parse_args()

    ftfy = real_ftfy(args.ftfy_repo) if args.ftfy_repo else None
    if args.stdin:
        if ftfy is None:
            print("note: ftfy stubbed by the identity (--ftfy-repo not given)", file=sys.stderr)
        tokenizer = load_simple_tokenizer(args.clip_repo, ftfy or stub_ftfy(), "clip_simple_tokenizer")
        lines = sys.stdin.buffer.read().decode("utf-8").split("\n")     # as `trdetr tokenize` reads them
        if lines[-1] == "":
            lines.pop()
        for line in lines:
            print(id_string(frame(tokenizer, line[:-1] if line.endswith("\r") else line)))
        return
    if ftfy is None:
        sys.exit("writing the fixtures needs the real ftfy: --ftfy-repo")
    real = load_simple_tokenizer(args.clip_repo, ftfy, "clip_simple_tokenizer_ftfy")
    stub = load_simple_tokenizer(args.clip_repo, stub_ftfy(), "clip_simple_tokenizer_stub")
    no_encoding_fix = load_simple_tokenizer(
        args.clip_repo, types.SimpleNamespace(fix_text=lambda t: ftfy.fix_text(t, fix_encoding=False)),
        "clip_simple_tokenizer_partial")
    with gzip.open(os.path.join(args.clip_repo, "clip", "bpe_simple_vocab_16e6.txt.gz")) as f:
        vocab_sha = hashlib.sha256(f.read()).hexdigest()[:16]
    header = [f"# reference: openai/CLIP {git_head(args.clip_repo)} clip/simple_tokenizer.py (merges sha256 "
              f"{vocab_sha}...), ftfy {ftfy.__version__} ({git_head(args.ftfy_repo)}), Python "
              f"{sys.version.split()[0]}, written by tools/clip_tokenizer_reference.py"]
    os.makedirs(args.out, exist_ok=True)
    write_tricky(args.out, real, stub, no_encoding_fix, header)
    write_html(args.out, ftfy)
    write_unicode(args.out, ftfy)
    if os.path.isdir(args.data):
        write_corpus_digest(args.out, args.data, real, stub, header)
    else:
        print(f"{args.data} absent: corpus_digest.txt not written", file=sys.stderr)


if __name__ == "__main__":
    main()
