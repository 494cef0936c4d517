#!/usr/bin/env python3
"""Secret-detection coverage yardstick (issue 13): a corpus built from the peers' own rule
examples, and the numbers Palisade, betterleaks and Kingfisher get on it.

The peers' rule sources are read at run time from git mirrors (bare git directories, as the
`fetch` tool leaves them under /work/.mirror/); nothing of theirs is kept in this repository, and
the corpus is written outside it (default /tmp/secret-corpus/).

    build    extract every peer rule's examples and negative examples, one small file each, and
             write each secret value isolated from them in seven file layouts
    measure  run the three scanners on the corpus and print, per example set, layout and
             negative set, the files each one flags; write Palisade's misses per peer rule

Usage:
    scripts/secret-corpus.py build   [--out DIR] [--gitleaks GITDIR] [--betterleaks GITDIR]
                                     [--kingfisher GITDIR] [--noseyparker GITDIR] [--seed N]
    scripts/secret-corpus.py measure [--out DIR] [--palisade BIN] [--betterleaks-bin BIN]
                                     [--kingfisher-bin BIN] [--only TOOL,...]
    scripts/secret-corpus.py all     (build, then measure; takes the options of both)

Environment (each overridden by its option): SECRET_CORPUS (--out), GITLEAKS_MIRROR,
BETTERLEAKS_MIRROR, KINGFISHER_MIRROR, NOSEYPARKER_MIRROR (git dirs; default: the
`<owner>+<name>/repo` folders under $MIRRORS, itself default /work/.mirror), PALISADE (default
target/release/cargo-palisade), BETTERLEAKS and KINGFISHER (default: found on PATH).

Python 3.9+, standard library only. No network: the peers are read from local mirrors and the
scanners run with validation off.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

try:  # the regular-expression parser; `sre_parse` before Python 3.11
    import re._parser as sre_parse  # type: ignore[import-not-found]
    import re._constants as sre_c  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]
    import sre_constants as sre_c  # type: ignore[no-redef]


# ---------------------------------------------------------------------------------------------
# Reading the mirrors
# ---------------------------------------------------------------------------------------------

PEER_REPOS = {
    "gitleaks": "gitleaks+gitleaks",
    "betterleaks": "betterleaks+betterleaks",
    "kingfisher": "mongodb+kingfisher",
    "noseyparker": "praetorian-inc+noseyparker",
}


class Mirror:
    """A bare git directory read with `git show` / `git ls-tree` at HEAD."""

    def __init__(self, gitdir: Path):
        self.gitdir = gitdir

    def _git(self, *args: str) -> str:
        """Runs git on the mirror; returns its output."""
        out = subprocess.run(
            ["git", f"--git-dir={self.gitdir}", *args],
            check=True, capture_output=True,
        )
        return out.stdout.decode("utf-8", "replace")

    def head(self) -> str:
        """The commit HEAD names, and its date."""
        return self._git("log", "-1", "--format=%H %cs").strip()

    def files(self, folder: str, suffixes: tuple[str, ...]) -> list[str]:
        """Paths under `folder` (recursively) whose names end with one of `suffixes`."""
        try:
            names = self._git("ls-tree", "-r", "--name-only", "HEAD",
                              *(["--", folder] if folder else [])).splitlines()
        except subprocess.CalledProcessError:
            return []
        return sorted(n for n in names if n.endswith(suffixes))

    def read(self, path: str) -> str:
        """The text of one file at HEAD."""
        return self._git("show", f"HEAD:{path}")


# ---------------------------------------------------------------------------------------------
# A Go subset: enough to run gitleaks-style rule constructors and their test-value helpers
# ---------------------------------------------------------------------------------------------
#
# A gitleaks rule is a Go function that builds a config.Rule and calls utils.Validate(r, tps, fps)
# with its true and false positives. The lists are built with string literals, concatenation,
# append, fmt.Sprintf, small helpers of the `utils` package (interpreted from the mirror too),
# loops over maps, and secrets.NewSecret(regex), which draws a random string matching a regex.
# The interpreter below runs those function bodies; whatever it cannot evaluate becomes an
# Unknown value, which is counted and dropped instead of guessed.

GO_KEYWORDS = {
    "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
    "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
    "return", "select", "struct", "switch", "type", "var",
}
GO_OPS = sorted(
    "... := && || == != <= >= << >> &^ += -= *= /= ++ -- <- + - * / % & | ^ < > = ! ( ) [ ] "
    "{ } , ; . : ~".split(),
    key=len, reverse=True,
)
GO_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", "'": "'", '"': '"'}


@dataclass
class Tok:
    """One Go token: kind is ident, str, num, char or op."""
    kind: str
    val: object
    line: int


class GoSyntaxError(Exception):
    """The Go source uses syntax outside the subset."""


def go_unquote(body: str) -> str:
    """The value of an interpreted Go string literal's body (between the quotes)."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e in GO_ESCAPES:
            out.append(GO_ESCAPES[e])
            i += 2
        elif e == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif e == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif e == "U":
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        elif e in "01234567":
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise GoSyntaxError(f"unknown escape \\{e}")
    return "".join(out)


def go_tokens(src: str) -> list[Tok]:
    """Tokenizes Go source, inserting the semicolons Go's grammar implies at line ends."""
    toks: list[Tok] = []
    i, n, line = 0, len(src), 1

    def newline() -> None:
        if not toks:
            return
        t = toks[-1]
        if (t.kind in ("str", "num", "char")
                or (t.kind == "ident" and (t.val not in GO_KEYWORDS
                                           or t.val in ("break", "continue", "return", "fallthrough")))
                or (t.kind == "op" and t.val in (")", "]", "}", "++", "--"))):
            toks.append(Tok("op", ";", line))

    while i < n:
        c = src[i]
        if c == "\n":
            newline()
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j
            if "\n" in src[i:j]:
                newline()
                line += src.count("\n", i, j)
            i = j + 2
        elif c == "`":
            j = src.find("`", i + 1)
            if j < 0:
                raise GoSyntaxError("unterminated raw string")
            toks.append(Tok("str", src[i + 1:j].replace("\r", ""), line))
            line += src.count("\n", i, j)
            i = j + 1
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            toks.append(Tok("str", go_unquote(src[i + 1:j]), line))
            i = j + 1
        elif c == "'":
            j = i + 1
            while j < n and src[j] != "'":
                j += 2 if src[j] == "\\" else 1
            toks.append(Tok("char", go_unquote(src[i + 1:j]), line))
            i = j + 1
        elif c.isalpha() or c == "_":
            m = re.compile(r"\w+").match(src, i)
            toks.append(Tok("ident", m.group(), line))
            i = m.end()
        elif c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            m = re.compile(r"0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+(?:[eE][-+]?\d+)?").match(src, i)
            text = m.group().replace("_", "")
            val = int(text, 16) if text[:2] in ("0x", "0X") else (
                float(text) if ("." in text or "e" in text.lower()) else int(text))
            toks.append(Tok("num", val, line))
            i = m.end()
        else:
            for op in GO_OPS:
                if src.startswith(op, i):
                    toks.append(Tok("op", op, line))
                    i += len(op)
                    break
            else:
                raise GoSyntaxError(f"unexpected character {c!r} on line {line}")
    newline()
    return toks


@dataclass
class GoFunc:
    """A top-level function: its parameter names, result type and body statements."""
    name: str
    params: list[str]
    result: str
    body: list
    aliases: dict
    variadic: bool = False


class GoParser:
    """Recursive-descent parser for the subset; expressions and statements become tuples."""

    def __init__(self, toks: list[Tok]):
        self.toks, self.pos = toks, 0
        self.no_composite = 0  # >0 in if/for/switch headers, where `x {` opens the block
        self.variadic = False  # whether the last signature read ends with `...T`

    # token helpers -------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Tok:
        j = self.pos + k
        return self.toks[j] if j < len(self.toks) else Tok("eof", None, -1)

    def is_op(self, *ops: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t.kind == "op" and t.val in ops

    def is_kw(self, word: str) -> bool:
        t = self.peek()
        return t.kind == "ident" and t.val == word

    def next(self) -> Tok:
        t = self.peek()
        self.pos += 1
        return t

    def expect(self, op: str) -> Tok:
        t = self.next()
        if not (t.kind == "op" and t.val == op):
            raise GoSyntaxError(f"expected {op!r}, got {t.val!r} on line {t.line}")
        return t

    def ident(self) -> str:
        t = self.next()
        if t.kind != "ident":
            raise GoSyntaxError(f"expected a name, got {t.val!r} on line {t.line}")
        return t.val

    def skip_balanced(self) -> None:
        """Skips one bracketed group starting at the current ( [ or {."""
        pairs = {"(": ")", "[": "]", "{": "}"}
        stack = [pairs[self.next().val]]
        while stack:
            t = self.next()
            if t.kind == "eof":
                raise GoSyntaxError("unbalanced brackets")
            if t.kind == "op" and t.val in pairs:
                stack.append(pairs[t.val])
            elif t.kind == "op" and t.val == stack[-1]:
                stack.pop()

    def skip_to_semicolon(self) -> None:
        """Skips tokens up to and including the next `;` outside brackets."""
        while not self.is_op(";") and self.peek().kind != "eof":
            if self.is_op("(", "[", "{"):
                self.skip_balanced()
            else:
                self.next()
        if self.is_op(";"):
            self.next()

    # file level ----------------------------------------------------------------------------
    def parse_file(self) -> tuple[dict, dict, list, dict]:
        """Returns (functions, package-level vars and consts as (aliases, expr), import aliases)."""
        funcs, pvars, aliases = {}, {}, {}
        while self.peek().kind != "eof":
            t = self.peek()
            if self.is_op(";"):
                self.next()
            elif t.val == "package":
                self.skip_to_semicolon()
            elif t.val == "import":
                self.next()
                specs = []
                if self.is_op("("):
                    self.next()
                    while not self.is_op(")"):
                        spec = []
                        while not self.is_op(";", ")"):
                            spec.append(self.next())
                        if self.is_op(";"):
                            self.next()
                        if spec:
                            specs.append(spec)
                    self.next()
                else:
                    spec = []
                    while not self.is_op(";"):
                        spec.append(self.next())
                    specs.append(spec)
                for spec in specs:
                    path = spec[-1].val
                    name = spec[0].val if len(spec) == 2 else path.rsplit("/", 1)[-1]
                    aliases[name] = path.rsplit("/", 1)[-1]
            elif t.val in ("var", "const"):
                self.next()
                if self.is_op("("):
                    self.next()
                    while not self.is_op(")"):
                        if self.is_op(";"):
                            self.next()
                            continue
                        self._package_var(pvars, aliases)
                    self.next()
                else:
                    self._package_var(pvars, aliases)
            elif t.val == "func":
                self.next()
                if self.is_op("("):  # a method: not needed
                    self.skip_balanced()
                    self.ident()
                    self.skip_balanced()
                    while not self.is_op("{"):
                        self.next()
                    self.skip_balanced()
                    continue
                name = self.ident()
                if self.is_op("["):  # type parameters
                    self.skip_balanced()
                params = self._params()
                start = self.pos
                while not self.is_op("{"):
                    self.next()
                result = " ".join(str(x.val) for x in self.toks[start:self.pos])
                body_start = self.pos
                try:
                    body = self.block()
                except GoSyntaxError:
                    self.pos = body_start
                    self.skip_balanced()
                    body = [("unsupported", f"func {name}: syntax")]
                funcs[name] = GoFunc(name, params, result, body, aliases, self.variadic)
            else:
                self.skip_to_semicolon()
        return funcs, pvars, aliases

    def _package_var(self, pvars: dict, aliases: dict) -> None:
        """One `name [type] = value` at package level; recorded unevaluated."""
        names = [self.ident()]
        while self.is_op(","):
            self.next()
            names.append(self.ident())
        start = self.pos
        try:
            if not self.is_op("=", ";"):
                self.parse_type()
            if self.is_op("="):
                self.next()
                values = self.expr_list()
                for name, value in zip(names, values):
                    pvars[name] = (aliases, value)
            elif len(names) == 1:
                pvars[names[0]] = (aliases, ("zero", self._type_text(start)))
        except GoSyntaxError:
            pass
        self.skip_to_semicolon()

    def _type_text(self, start: int) -> str:
        return "".join(str(x.val) for x in self.toks[start:self.pos])

    def _params(self) -> list[str]:
        """Parameter names of a signature `(a, b string, c int)`."""
        self.expect("(")
        groups, cur = [], []
        depth = 0
        while True:
            t = self.next()
            if t.kind == "op" and t.val in "([{":
                depth += 1
            elif t.kind == "op" and t.val in ")]}":
                if depth == 0:
                    break
                depth -= 1
            if depth == 0 and t.kind == "op" and t.val == ",":
                groups.append(cur)
                cur = []
            else:
                cur.append(t)
        if cur:
            groups.append(cur)
        names = []
        for g in groups:
            if g and g[0].kind == "ident":
                names.append(g[0].val)
        self.variadic = bool(groups) and any(t.kind == "op" and t.val == "..." for t in groups[-1])
        return names

    # types ---------------------------------------------------------------------------------
    def parse_type(self) -> str:
        """Parses a type and returns its text, e.g. `[]string`, `map[string][]string`."""
        t = self.peek()
        if self.is_op("*"):
            self.next()
            return "*" + self.parse_type()
        if self.is_op("["):
            self.next()
            size = ""
            while not self.is_op("]"):
                size += str(self.next().val)
            self.next()
            return f"[{size}]" + self.parse_type()
        if t.kind == "ident" and t.val == "map":
            self.next()
            self.expect("[")
            k = self.parse_type()
            self.expect("]")
            return f"map[{k}]" + self.parse_type()
        if t.kind == "ident" and t.val in ("struct", "interface"):
            self.next()
            self.skip_balanced()
            return t.val + "{}"
        if t.kind == "ident" and t.val == "func":
            self.next()
            self.skip_balanced()
            if not self.is_op("{", ",", ")", ";", "]", "="):
                self.parse_type()
            return "func"
        if t.kind == "ident":
            name = self.ident()
            if self.is_op(".") and self.peek(1).kind == "ident":
                self.next()
                name += "." + self.ident()
            return name
        raise GoSyntaxError(f"expected a type, got {t.val!r} on line {t.line}")

    # statements ----------------------------------------------------------------------------
    def block(self) -> list:
        """`{ statements }`."""
        self.expect("{")
        stmts = []
        while not self.is_op("}"):
            if self.is_op(";"):
                self.next()
                continue
            stmts.append(self.statement())
        self.next()
        return stmts

    def statement(self):
        """One statement as a tuple."""
        t = self.peek()
        if self.is_op("{"):
            return ("block", self.block())
        if t.kind == "ident" and t.val == "return":
            self.next()
            values = [] if self.is_op(";", "}") else self.expr_list()
            return ("return", values)
        if t.kind == "ident" and t.val in ("continue", "break"):
            self.next()
            return (t.val,)
        if t.kind == "ident" and t.val == "if":
            return self.if_stmt()
        if t.kind == "ident" and t.val == "for":
            return self.for_stmt()
        if t.kind == "ident" and t.val in ("var", "const"):
            self.next()
            if not self.is_op("("):
                return self.var_spec()
            self.next()
            specs = []
            while not self.is_op(")"):
                if self.is_op(";"):
                    self.next()
                else:
                    specs.append(self.var_spec())
            self.next()
            return ("block_same_scope", specs)
        if t.kind == "ident" and t.val in ("switch", "select", "go", "defer", "goto", "type"):
            start = self.pos
            self.skip_to_semicolon()
            return ("unsupported", f"{t.val} statement, line {self.toks[start].line}")
        return self.simple_stmt()

    def var_spec(self):
        """`name [, name] [type] [= values]` of a var or const declaration."""
        names = [self.ident()]
        while self.is_op(","):
            self.next()
            names.append(self.ident())
        typ = None if self.is_op("=") else self.parse_type()
        values = []
        if self.is_op("="):
            self.next()
            values = self.expr_list()
        return ("var", names, typ, values)

    def simple_stmt(self):
        """Assignment, ++/--, or an expression statement."""
        lhs = self.expr_list()
        if self.is_op(":=", "=", "+=", "-="):
            op = self.next().val
            if self.is_kw("range"):
                self.next()
                return ("range", lhs, op, self.expr())
            return ("assign", lhs, op, self.expr_list())
        if self.is_op("++", "--"):
            return ("incdec", lhs[0], self.next().val)
        return ("expr", lhs[0])

    def if_stmt(self):
        """`if [init;] cond { } [else ...]`."""
        self.next()
        self.no_composite += 1
        init = None
        stmt = self.simple_stmt()
        if self.is_op(";"):
            self.next()
            init = stmt
            cond = self.expr()
        else:
            cond = stmt[1]
        self.no_composite -= 1
        then = self.block()
        other = None
        if self.is_kw("else"):
            self.next()
            other = self.if_stmt() if self.is_kw("if") else ("block", self.block())
        return ("if", init, cond, then, other)

    def for_stmt(self):
        """`for {}`, `for cond {}`, `for init; cond; post {}`, `for k, v := range x {}`."""
        self.next()
        if self.is_op("{"):
            return ("for", None, None, None, self.block())
        self.no_composite += 1
        if self.is_kw("range"):
            self.next()
            head = ("range", [], None, self.expr())
        else:
            first = None if self.is_op(";") else self.simple_stmt()
            if first and first[0] == "range":
                head = first
            elif self.is_op(";"):
                self.next()
                cond = None if self.is_op(";") else self.expr()
                self.expect(";")
                post = None if self.is_op("{") else self.simple_stmt()
                head = ("for3", first, cond, post)
            else:
                head = ("for3", None, first[1], None)
        self.no_composite -= 1
        body = self.block()
        if head[0] == "range":
            return ("for_range", head[1], head[2], head[3], body)
        return ("for", head[1], head[2], head[3], body)

    # expressions ---------------------------------------------------------------------------
    BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
              "+": 4, "-": 4, "|": 4, "^": 4, "*": 5, "/": 5, "%": 5, "<<": 5, ">>": 5,
              "&": 5, "&^": 5}

    def expr_list(self) -> list:
        """`expr, expr, ...`."""
        items = [self.expr()]
        while self.is_op(","):
            self.next()
            items.append(self.expr())
        return items

    def expr(self, prec: int = 1):
        """A binary expression whose operators bind at least as tightly as `prec`."""
        left = self.unary()
        while True:
            t = self.peek()
            p = self.BINARY.get(t.val) if t.kind == "op" else None
            if p is None or p < prec:
                return left
            self.next()
            left = ("bin", t.val, left, self.expr(p + 1))

    def unary(self):
        """A unary expression."""
        if self.is_op("!", "-", "+", "&", "*", "^", "<-"):
            op = self.next().val
            return ("unary", op, self.unary())
        return self.primary()

    def primary(self):
        """An operand (literal, name, composite, conversion) and its selectors, calls, indexes."""
        t = self.peek()
        if t.kind == "str":
            self.next()
            x = ("lit", t.val)
        elif t.kind in ("num", "char"):
            self.next()
            x = ("lit", t.val)
        elif self.is_op("("):
            self.next()
            saved, self.no_composite = self.no_composite, 0
            x = self.expr()
            self.no_composite = saved
            self.expect(")")
        elif self.is_op("["):
            typ = self.parse_type()
            x = self.composite(typ) if self.is_op("{") else ("type", typ)
        elif t.kind == "ident" and t.val == "map":
            typ = self.parse_type()
            x = self.composite(typ) if self.is_op("{") else ("type", typ)
        elif t.kind == "ident" and t.val == "func":
            self.next()
            self.skip_balanced()
            while not self.is_op("{"):
                self.next()
            self.skip_balanced()
            x = ("unsupported", "function literal")
        elif t.kind == "ident" and t.val == "struct":
            self.parse_type()
            x = self.composite("struct") if self.is_op("{") else ("type", "struct")
        elif t.kind == "ident":
            self.next()
            x = ("ident", t.val)
        else:
            raise GoSyntaxError(f"unexpected {t.val!r} on line {t.line}")
        while True:
            if self.is_op("."):
                self.next()
                if self.is_op("("):  # type assertion
                    self.skip_balanced()
                    x = ("unsupported", "type assertion")
                else:
                    x = ("sel", x, self.ident())
            elif self.is_op("("):
                self.next()
                saved, self.no_composite = self.no_composite, 0
                args, spread = [], False
                while not self.is_op(")"):
                    args.append(self.expr())
                    if self.is_op("..."):
                        self.next()
                        spread = True
                    if self.is_op(","):
                        self.next()
                self.next()
                self.no_composite = saved
                x = ("call", x, args, spread)
            elif self.is_op("["):
                self.next()
                saved, self.no_composite = self.no_composite, 0
                lo = None if self.is_op(":") else self.expr()
                if self.is_op(":"):
                    self.next()
                    hi = None if self.is_op("]") else self.expr()
                    x = ("slice", x, lo, hi)
                else:
                    x = ("index", x, lo)
                self.no_composite = saved
                self.expect("]")
            elif self.is_op("{") and not self.no_composite and x[0] in ("ident", "sel"):
                x = self.composite(self._name_of(x))
            else:
                return x

    @staticmethod
    def _name_of(x) -> str:
        return x[1] if x[0] == "ident" else GoParser._name_of(x[1]) + "." + x[2]

    def composite(self, typ: str):
        """`{ elem, key: elem, {elided}, }` after a type."""
        self.expect("{")
        saved, self.no_composite = self.no_composite, 0
        elems = []
        while not self.is_op("}"):
            if self.is_op(";"):
                self.next()
                continue
            v = self.composite(None) if self.is_op("{") else self.expr()
            if self.is_op(":"):
                self.next()
                k = v
                v = self.composite(None) if self.is_op("{") else self.expr()
                elems.append((k, v))
            else:
                elems.append((None, v))
            if self.is_op(","):
                self.next()
        self.next()
        self.no_composite = saved
        return ("comp", typ, elems)


class Unknown:
    """A value the interpreter could not compute; `why` says what was missing."""

    def __init__(self, why: str):
        self.why = why

    def __repr__(self) -> str:
        return f"Unknown({self.why})"


class Sample(str):
    """A string built by a helper from a secret it was given (`value`): the secret is known."""
    value: str


class GoRegex(str):
    """A compiled regexp: its source text."""


class Builder:
    """strings.Builder."""

    def __init__(self):
        self.parts: list[str] = []


class Replacer:
    """strings.NewReplacer(old, new, ...): one left-to-right pass, earlier pairs first."""

    def __init__(self, pairs: list[str]):
        self.table = dict(zip(pairs[0::2], pairs[1::2]))
        olds = list(dict.fromkeys(pairs[0::2]))
        self.pattern = re.compile("|".join(re.escape(o) for o in olds)) if olds else None

    def replace(self, s: str) -> str:
        if not self.pattern:
            return s
        return self.pattern.sub(lambda m: self.table[m.group()], s)


@dataclass
class PkgRef:
    """A package (or a member chain inside one, such as base64.StdEncoding)."""
    name: str


@dataclass
class FuncRef:
    """A function of an interpreted package."""
    pkg: "Package"
    func: GoFunc


@dataclass
class Method:
    """A method value bound to a builtin object."""
    obj: object
    name: str


class Struct(dict):
    """A struct value (composite literal of a named type)."""
    type_name = ""


class Control(Exception):
    """return / break / continue unwinding."""

    def __init__(self, kind: str, value=None):
        self.kind, self.value = kind, value


class Package:
    """An interpreted Go package: its functions and package-level variables (evaluated once)."""

    def __init__(self, name: str):
        self.name = name
        self.funcs: dict[str, GoFunc] = {}
        self.var_exprs: dict[str, tuple] = {}
        self.values: dict[str, object] = {}


def shannon_entropy(s: str) -> float:
    """Bits per character."""
    if not s:
        return 0.0
    counts: dict[str, int] = {}
    for c in s:
        counts[c] = counts.get(c, 0) + 1
    return -sum(n / len(s) * math.log2(n / len(s)) for n in counts.values())


POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "digit": "0-9", "lower": "a-z", "upper": "A-Z",
    "xdigit": "0-9a-fA-F", "space": r" \t\r\n\v\f", "word": r"\w", "punct": r"!-/:-@\[-`{-~",
    "print": " -~", "graph": "!-~", "blank": r" \t", "cntrl": r"\x00-\x1f", "ascii": r"\x00-\x7f",
}


def to_python_regex(pattern: str) -> tuple[str, int]:
    """Best-effort translation of a Go (RE2) or Rust regex to Python's syntax.

    Global flag groups such as `(?i)` anywhere are hoisted to flags for the whole pattern
    (Python accepts them only at the start); named groups `(?<n>` become `(?P<n>`; POSIX classes
    are expanded; `\\z` becomes `\\Z`. Returns (pattern, flags)."""
    flags = 0
    letters = {"i": re.I, "x": re.X, "s": re.S, "m": re.M, "u": 0, "U": 0}

    def hoist(m: re.Match) -> str:
        nonlocal flags
        for ch in m.group(1):
            flags |= letters.get(ch, 0)
        return ""

    out = re.sub(r"\(\?([imsxuU]+)\)", hoist, pattern)
    out = re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", out)
    out = re.sub(r"\[:(\w+):\]", lambda m: POSIX_CLASSES.get(m.group(1), m.group()), out)
    out = out.replace(r"\z", r"\Z")
    if flags & re.X:
        # Rust's verbose mode also ignores whitespace inside classes; Python's does not.
        out = re.sub(r"\[(?:\\.|[^\]\\])*\]", lambda m: re.sub(r"(?<!\\)\s", "", m.group()), out)
    return out, flags


class RegexGen:
    """Draws random strings matching a regex, as gitleaks' secrets.NewSecret does (reggen with
    limit 1: an unbounded repeat adds at most one occurrence to its minimum)."""

    PRINTABLE = [chr(c) for c in range(0x21, 0x7f)]

    def __init__(self, rng: random.Random, limit: int = 1):
        self.rng, self.limit = rng, limit

    def generate(self, pattern: str) -> str:
        """A random string matching `pattern`."""
        py, flags = to_python_regex(pattern)
        tree = sre_parse.parse(py, flags)
        groups: dict[int, str] = {}
        return self._seq(tree, groups)

    def _seq(self, items, groups) -> str:
        return "".join(self._node(op, av, groups) for op, av in items)

    def _charset(self, items) -> list[str]:
        """The characters a class [...] allows."""
        chars, negate = set(), False
        for op, av in items:
            if op is sre_c.NEGATE:
                negate = True
            elif op is sre_c.LITERAL:
                chars.add(chr(av))
            elif op is sre_c.RANGE:
                chars.update(chr(c) for c in range(av[0], av[1] + 1))
            elif op is sre_c.CATEGORY:
                chars.update(self._category(av))
        if negate:
            return [c for c in self.PRINTABLE if c not in chars]
        return sorted(chars)

    @staticmethod
    def _category(cat) -> list[str]:
        """Characters of \d \w \s (or their negations)."""
        name = str(cat).upper()
        if "NOT_" in name:
            base = set(RegexGen._category_base(name.replace("NOT_", "")))
            return [c for c in RegexGen.PRINTABLE if c not in base]
        return RegexGen._category_base(name)

    @staticmethod
    def _category_base(name: str) -> list[str]:
        if "DIGIT" in name:
            return list("0123456789")
        if "SPACE" in name:
            return [" "]
        return list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

    def _node(self, op, av, groups) -> str:
        """Text for one parsed regex node."""
        rng = self.rng
        if op is sre_c.LITERAL:
            return chr(av)
        if op is sre_c.NOT_LITERAL:
            return rng.choice([c for c in self.PRINTABLE if c != chr(av)])
        if op is sre_c.ANY:
            return rng.choice(self.PRINTABLE)
        if op is sre_c.IN:
            chars = self._charset(av)
            return rng.choice(chars) if chars else ""
        if op is sre_c.CATEGORY:
            return rng.choice(self._category(av))
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            if hi == sre_c.MAXREPEAT:
                hi = lo + self.limit
            return "".join(self._seq(sub, groups) for _ in range(rng.randint(lo, hi)))
        if op is sre_c.SUBPATTERN:
            gid, _add, _del, sub = av
            text = self._seq(sub, groups)
            if gid:
                groups[gid] = text
            return text
        if op is sre_c.BRANCH:
            return self._seq(rng.choice(av[1]), groups)
        if op is sre_c.GROUPREF:
            return groups.get(av, "")
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            return ""
        if op is getattr(sre_c, "ATOMIC_GROUP", None):
            return self._seq(av, groups)
        raise ValueError(f"regex construct {op} not generated")


def go_sprintf(fmt: str, args: list) -> str:
    """fmt.Sprintf for the verbs the rule files use (%s %d %v %q %x %f %%)."""
    it = iter(args)

    def verb(m: re.Match) -> str:
        spec = m.group()
        v = spec[-1]
        if v == "%":
            return "%"
        arg = next(it, "")
        if v == "q":
            return json.dumps(str(arg))
        if v in "sv":
            return go_format_value(arg)
        if v == "d":
            return str(int(arg))
        if v == "x":
            return arg.encode().hex() if isinstance(arg, str) else format(int(arg), "x")
        if v in "fg":
            return ("%" + spec[1:]) % float(arg)
        return str(arg)

    return re.sub(r"%[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]", verb, fmt)


def go_format_value(v) -> str:
    """%v of a value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + " ".join(go_format_value(x) for x in v) + "]"
    if v is None:
        return "<nil>"
    return str(v)


B64_ENCODINGS = {
    "StdEncoding": lambda b: base64.b64encode(b).decode(),
    "RawStdEncoding": lambda b: base64.b64encode(b).decode().rstrip("="),
    "URLEncoding": lambda b: base64.urlsafe_b64encode(b).decode(),
    "RawURLEncoding": lambda b: base64.urlsafe_b64encode(b).decode().rstrip("="),
}


@dataclass
class Capture:
    """What one utils.Validate / ValidateWithPaths call was given."""
    rule: dict
    tps: object
    fps: object
    with_paths: bool


class GoInterp:
    """Runs functions of interpreted packages; calls into other packages go to `builtin`."""

    MAX_LOOP = 200
    MAX_DEPTH = 40

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.gen = RegexGen(rng)
        self.packages: dict[str, Package] = {}
        self.captures: list[Capture] = []
        self.unknowns: dict[str, int] = {}
        self.depth = 0

    # loading -------------------------------------------------------------------------------
    def load(self, pkg_name: str, sources: list[str]) -> list[str]:
        """Parses Go files into package `pkg_name`; returns the problems met (file: error)."""
        pkg = self.packages.setdefault(pkg_name, Package(pkg_name))
        problems = []
        for i, src in enumerate(sources):
            try:
                funcs, pvars, _aliases = GoParser(go_tokens(src)).parse_file()
            except GoSyntaxError as e:
                problems.append(f"file {i}: {e}")
                continue
            pkg.funcs.update(funcs)
            pkg.var_exprs.update(pvars)
        return problems

    def note_unknown(self, why: str) -> Unknown:
        """Counts an unsupported construct and returns an Unknown for it."""
        self.unknowns[why] = self.unknowns.get(why, 0) + 1
        return Unknown(why)

    # calls ---------------------------------------------------------------------------------
    def call(self, pkg: Package, func: GoFunc, args: list):
        """Runs a function body with `args` bound to its parameters; returns its result(s)."""
        if self.depth > self.MAX_DEPTH:
            return self.note_unknown("recursion too deep")
        scope = {name: (args[i] if i < len(args) else None) for i, name in enumerate(func.params)}
        if func.variadic and func.params:
            scope[func.params[-1]] = list(args[len(func.params) - 1:])
        ctx = (pkg, func.aliases)
        self.depth += 1
        try:
            self.exec_block(func.body, [scope], ctx)
            result = None
        except Control as c:
            if c.kind != "return":
                raise
            result = c.value
        finally:
            self.depth -= 1
        if "secret" in func.params:
            secret = args[func.params.index("secret")]
            if isinstance(secret, str) and secret:
                result = self.tag(result, secret)
        return result

    def tag(self, value, secret: str):
        """Marks the strings of a helper's result that carry `secret` as Samples of it."""
        if isinstance(value, str) and secret in value:
            s = Sample(value)
            s.value = secret
            return s
        if isinstance(value, list):
            return [self.tag(v, secret) for v in value]
        return value

    # statements ----------------------------------------------------------------------------
    def exec_block(self, stmts: list, scopes: list, ctx) -> None:
        """Runs statements in a new scope."""
        scopes = scopes + [{}]
        for st in stmts:
            self.exec(st, scopes, ctx)

    def exec(self, st, scopes: list, ctx) -> None:
        """Runs one statement; return/break/continue raise Control."""
        kind = st[0]
        if kind == "expr":
            self.eval(st[1], scopes, ctx)
        elif kind == "assign":
            _, lhs, op, rhs = st
            values = [self.eval(e, scopes, ctx) for e in rhs]
            if len(lhs) > 1 and len(values) == 1:
                v = values[0]
                values = list(v) if isinstance(v, tuple) else [v] * len(lhs)
            for target, value in zip(lhs, values):
                if op in ("+=", "-="):
                    cur = self.eval(target, scopes, ctx)
                    value = self.binary(op[0], cur, value)
                self.store(target, value, scopes, ctx, define=(op == ":="))
        elif kind == "var":
            _, names, typ, exprs = st
            values = [self.eval(e, scopes, ctx) for e in exprs]
            if len(names) > 1 and len(values) == 1 and isinstance(values[0], tuple):
                values = list(values[0])
            for i, name in enumerate(names):
                scopes[-1][name] = values[i] if i < len(values) else self.zero(typ)
        elif kind == "incdec":
            cur = self.eval(st[1], scopes, ctx)
            new = self.binary("+" if st[2] == "++" else "-", cur, 1)
            self.store(st[1], new, scopes, ctx, define=False)
        elif kind == "return":
            values = [self.eval(e, scopes, ctx) for e in st[1]]
            raise Control("return", values[0] if len(values) == 1 else tuple(values) or None)
        elif kind in ("break", "continue"):
            raise Control(kind)
        elif kind == "block":
            self.exec_block(st[1], scopes, ctx)
        elif kind == "block_same_scope":  # a grouped var ( ... ) declaration
            for inner in st[1]:
                self.exec(inner, scopes, ctx)
        elif kind == "if":
            _, init, cond, then, other = st
            inner = scopes + [{}]
            if init:
                self.exec(init, inner, ctx)
            c = self.eval(cond, inner, ctx)
            if isinstance(c, Unknown):
                self.note_unknown(f"if condition: {c.why}")
                c = False  # e.g. a stop-word check: take the plain path
            if c:
                self.exec_block(then, inner, ctx)
            elif other:
                self.exec(other, inner, ctx)
        elif kind == "for_range":
            self.exec_range(st, scopes, ctx)
        elif kind == "for":
            self.exec_for(st, scopes, ctx)
        else:
            self.note_unknown(f"statement: {st[1] if len(st) > 1 else kind}")

    def exec_range(self, st, scopes: list, ctx) -> None:
        """`for k, v := range x { }` over a map (in source order), slice, string or int."""
        _, targets, op, iterable, body = st
        coll = self.eval(iterable, scopes, ctx)
        if isinstance(coll, dict):
            pairs = list(coll.items())
        elif isinstance(coll, (list, str)):
            pairs = list(enumerate(coll))
        elif isinstance(coll, int):
            pairs = [(i, None) for i in range(coll)]
        else:
            self.note_unknown("range over an unknown value")
            return
        for k, v in pairs:
            inner = scopes + [{}]
            for target, value in zip(targets, (k, v)):
                self.store(target, value, inner, ctx, define=(op == ":="))
            try:
                self.exec_block(body, inner, ctx)
            except Control as c:
                if c.kind == "break":
                    break
                if c.kind != "continue":
                    raise

    def exec_for(self, st, scopes: list, ctx) -> None:
        """`for init; cond; post { }` and `for { }`, at most MAX_LOOP rounds."""
        _, init, cond, post, body = st
        inner = scopes + [{}]
        if init:
            self.exec(init, inner, ctx)
        for _ in range(self.MAX_LOOP):
            if cond is not None:
                c = self.eval(cond, inner, ctx)
                if isinstance(c, Unknown) or not c:
                    return
            try:
                self.exec_block(body, inner, ctx)
            except Control as c:
                if c.kind == "break":
                    return
                if c.kind != "continue":
                    raise
            if post:
                self.exec(post, inner, ctx)
        self.note_unknown("loop did not end")

    def store(self, target, value, scopes: list, ctx, define: bool) -> None:
        """Assigns to a name, an index or a field."""
        if target[0] == "ident":
            name = target[1]
            if name == "_":
                return
            if not define:
                for scope in reversed(scopes):
                    if name in scope:
                        scope[name] = value
                        return
            scopes[-1][name] = value
        elif target[0] == "index":
            coll = self.eval(target[1], scopes, ctx)
            key = self.eval(target[2], scopes, ctx)
            if isinstance(coll, (dict, list)) and not isinstance(key, Unknown):
                coll[key] = value
        elif target[0] == "sel":
            obj = self.eval(target[1], scopes, ctx)
            if isinstance(obj, dict):
                obj[target[2]] = value
        else:
            self.note_unknown("assignment target")

    @staticmethod
    def zero(typ):
        """Go's zero value of a type."""
        if typ is None:
            return None
        if typ == "strings.Builder":
            return Builder()
        if typ.startswith("[]"):
            return []
        if typ.startswith("map["):
            return {}
        if typ == "string":
            return ""
        if typ in ("int", "int64", "float64", "uint", "byte", "rune"):
            return 0
        if typ == "bool":
            return False
        return None

    # expressions ---------------------------------------------------------------------------
    def lookup(self, name: str, scopes: list, ctx):
        """A name: local, package variable (evaluated on first use), function, or package."""
        for scope in reversed(scopes):
            if name in scope:
                return scope[name]
        pkg, aliases = ctx
        if name in pkg.values:
            return pkg.values[name]
        if name in pkg.var_exprs:
            var_aliases, expr = pkg.var_exprs[name]
            pkg.values[name] = Unknown("cyclic variable")
            value = (self.zero(expr[1]) if expr[0] == "zero"
                     else self.eval(expr, [], (pkg, var_aliases)))
            pkg.values[name] = value
            return value
        if name in pkg.funcs:
            return FuncRef(pkg, pkg.funcs[name])
        if name in ("true", "false"):
            return name == "true"
        if name in ("nil", "iota"):
            return None
        if name in aliases:
            target = aliases[name]
            return FuncRef(self.packages[target], None) if target in self.packages else PkgRef(target)
        return PkgRef(name)  # a universe function or type: append, len, string, byte, ...

    def eval(self, x, scopes: list, ctx):
        """The value of expression `x`; what Python cannot compute becomes Unknown."""
        try:
            return self._eval(x, scopes, ctx)
        except (TypeError, KeyError, IndexError, ValueError, AttributeError, ZeroDivisionError) as e:
            return self.note_unknown(f"{type(e).__name__} in {x[0]}")

    def _eval(self, x, scopes: list, ctx):
        kind = x[0]
        if kind == "lit":
            return x[1]
        if kind == "ident":
            return self.lookup(x[1], scopes, ctx)
        if kind == "sel":
            base = self.eval(x[1], scopes, ctx)
            return self.select(base, x[2])
        if kind == "call":
            return self.eval_call(x, scopes, ctx)
        if kind == "bin":
            _, op, a, b = x
            left = self.eval(a, scopes, ctx)
            if op == "&&" and left is False:
                return False
            if op == "||" and left is True:
                return True
            return self.binary(op, left, self.eval(b, scopes, ctx))
        if kind == "unary":
            v = self.eval(x[2], scopes, ctx)
            if x[1] in ("&", "*", "+"):
                return v
            if isinstance(v, Unknown):
                return v
            if x[1] == "!":
                return not v
            if x[1] == "-":
                return -v
            return self.note_unknown(f"unary {x[1]}")
        if kind == "comp":
            return self.composite(x, scopes, ctx)
        if kind == "index":
            coll = self.eval(x[1], scopes, ctx)
            key = self.eval(x[2], scopes, ctx)
            try:
                return coll[key]
            except (KeyError, IndexError, TypeError):
                return self.note_unknown("index")
        if kind == "slice":
            coll = self.eval(x[1], scopes, ctx)
            lo = self.eval(x[2], scopes, ctx) if x[2] else None
            hi = self.eval(x[3], scopes, ctx) if x[3] else None
            try:
                return coll[lo:hi]
            except TypeError:
                return self.note_unknown("slice")
        if kind == "type":
            return PkgRef(x[1])
        return self.note_unknown(x[1] if kind == "unsupported" else kind)

    def select(self, base, name: str):
        """`base.name`: a package member, a struct field or a method of a builtin object."""
        if isinstance(base, FuncRef) and base.func is None:  # an interpreted package
            pkg = base.pkg
            return self.lookup(name, [], (pkg, {}))
        if isinstance(base, PkgRef):
            return PkgRef(f"{base.name}.{name}")
        if isinstance(base, Struct):
            return base.get(name)  # a field the literal leaves out is Go's zero value
        if isinstance(base, dict) and name in base:
            return base[name]
        if isinstance(base, (Builder, Replacer, GoRegex, str)):
            return Method(base, name)
        if isinstance(base, Unknown):
            return base
        return self.note_unknown(f"field {name}")

    def composite(self, x, scopes: list, ctx):
        """A composite literal: slice, map or struct (type elided inside another literal)."""
        _, typ, elems = x
        is_map = typ is not None and typ.startswith("map[")
        is_list = typ is not None and (typ.startswith("[") or typ == "list")
        if typ is None:  # elided type: keys make it a struct or map
            is_map = any(k is not None and k[0] != "ident" for k, _ in elems)
            is_list = all(k is None for k, _ in elems)
        if is_list:
            return [self.eval(v, scopes, ctx) for _, v in elems]
        out = {} if is_map else Struct()
        if isinstance(out, Struct):
            out.type_name = typ or ""
        for k, v in elems:
            if k is None:
                continue
            key = k[1] if (not is_map and k[0] == "ident") else self.eval(k, scopes, ctx)
            out[key] = self.eval(v, scopes, ctx)
        return out

    def binary(self, op: str, a, b):
        """A binary operation on two known values."""
        if isinstance(a, Unknown):
            return a
        if isinstance(b, Unknown):
            return b
        try:
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/":
                return a // b if isinstance(a, int) and isinstance(b, int) else a / b
            if op == "%":
                return a % b
            if op == "==":
                return a == b
            if op == "!=":
                return a != b
            if op == "<":
                return a < b
            if op == "<=":
                return a <= b
            if op == ">":
                return a > b
            if op == ">=":
                return a >= b
            if op == "&&":
                return bool(a and b)
            if op == "||":
                return bool(a or b)
        except TypeError:
            pass
        return self.note_unknown(f"operator {op}")

    def eval_call(self, x, scopes: list, ctx):
        """A call: an interpreted function, a builtin method, or a builtin function."""
        _, fexpr, arg_exprs, spread = x
        fn = self.eval(fexpr, scopes, ctx)
        args = [self.eval(a, scopes, ctx) for a in arg_exprs]
        if spread and args and isinstance(args[-1], list):
            args = args[:-1] + list(args[-1])
        if isinstance(fn, FuncRef) and fn.func is not None:
            if fn.pkg.name == "utils" and fn.func.name in ("Validate", "ValidateWithPaths"):
                return self.capture(fn.func.name, args)
            return self.call(fn.pkg, fn.func, args)
        if isinstance(fn, Method):
            return self.method(fn, args)
        if isinstance(fn, PkgRef):
            return self.builtin(fn.name, args)
        if isinstance(fn, Unknown):
            return fn
        return self.note_unknown("call of a non-function")

    def capture(self, name: str, args: list):
        """utils.Validate(rule, tps, fps): the rule's examples, the point of the exercise."""
        rule = args[0] if args and isinstance(args[0], dict) else {}
        tps = args[1] if len(args) > 1 else None
        fps = args[2] if len(args) > 2 else None
        self.captures.append(Capture(rule, tps, fps, name == "ValidateWithPaths"))
        return rule

    def method(self, m: Method, args: list):
        """Methods of strings.Builder, strings.Replacer and regexp.Regexp."""
        obj, name = m.obj, m.name
        if isinstance(obj, Builder):
            if name in ("WriteString", "WriteByte", "WriteRune"):
                obj.parts.append(str(args[0]))
                return (len(str(args[0])), None)
            if name == "String":
                return "".join(obj.parts)
            if name == "Len":
                return sum(len(p) for p in obj.parts)
        if isinstance(obj, Replacer) and name == "Replace":
            return obj.replace(args[0]) if isinstance(args[0], str) else args[0]
        if isinstance(obj, GoRegex):
            if name == "String":
                return str(obj)
            if name == "MatchString" and isinstance(args[0], str):
                try:
                    py, flags = to_python_regex(obj)
                    return re.search(py, args[0], flags) is not None
                except re.error:
                    return self.note_unknown("regex the translation cannot compile")
        return self.note_unknown(f"method {name}")

    def builtin(self, name: str, args: list):
        """Functions of packages that are not interpreted (fmt, strings, secrets, ...)."""
        for a in args:
            if isinstance(a, Unknown):
                return a
            if isinstance(a, list) and name != "append":
                for item in a:
                    if isinstance(item, Unknown):
                        return item
        short = name.split(".")
        last = short[-1]
        if name == "append":
            return list(args[0] or []) + list(args[1:])
        if name == "len":
            return len(args[0]) if args[0] is not None else 0
        if name in ("string", "[]byte", "[]rune"):
            v = args[0]
            return chr(v) if isinstance(v, int) and name == "string" else v
        if name in ("int", "int64", "float64", "uint8", "byte", "rune"):
            return args[0]
        if name == "make":
            typ = args[0].name if isinstance(args[0], PkgRef) else ""
            if typ.startswith("map"):
                return {}
            size = args[1] if len(args) > 1 and isinstance(args[1], int) else 0
            return [self.zero(typ[2:])] * size
        if name == "panic":
            raise Control("panic")
        if name in ("fmt.Sprintf", "fmt.Errorf"):
            return go_sprintf(args[0], args[1:])
        if name == "fmt.Sprint":
            return "".join(go_format_value(a) for a in args)
        if short[0] == "strings":
            return self.strings_func(last, args)
        if name == "strconv.Itoa":
            return str(args[0])
        if name == "strconv.Quote":
            return json.dumps(args[0])
        if name == "strconv.FormatInt":
            return int_to_base(int(args[0]), int(args[1]))
        if short[0] == "base64" and len(short) == 3 and short[1] in B64_ENCODINGS:
            if last == "EncodeToString":
                data = args[0].encode() if isinstance(args[0], str) else bytes(args[0])
                return B64_ENCODINGS[short[1]](data)
        if name == "hex.EncodeToString":
            return args[0].encode().hex() if isinstance(args[0], str) else bytes(args[0]).hex()
        if name == "regexp.MustCompile":
            return GoRegex(args[0])
        if name == "regexp.QuoteMeta":
            return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", args[0])
        if name in ("secrets.NewSecret", "secrets.NewSecretWithEntropy"):
            return self.new_secret(args[0], float(args[1] or 0) if len(args) > 1 else 0.0)
        if short[0] == "math" and hasattr(math, last.lower()):
            return getattr(math, last.lower())(*args)
        return self.note_unknown(f"function {name}")

    def strings_func(self, name: str, args: list):
        """The strings package."""
        s = args[0] if args else ""
        table = {
            "Repeat": lambda: s * int(args[1]),
            "ToUpper": lambda: s.upper(),
            "ToLower": lambda: s.lower(),
            "TrimSpace": lambda: s.strip(),
            "TrimPrefix": lambda: s[len(args[1]):] if s.startswith(args[1]) else s,
            "TrimSuffix": lambda: s[:-len(args[1])] if args[1] and s.endswith(args[1]) else s,
            "ReplaceAll": lambda: s.replace(args[1], args[2]),
            "Replace": lambda: s.replace(args[1], args[2], args[3] if args[3] >= 0 else -1),
            "Join": lambda: args[1].join(s),
            "Contains": lambda: args[1] in s,
            "HasPrefix": lambda: s.startswith(args[1]),
            "HasSuffix": lambda: s.endswith(args[1]),
            "Split": lambda: s.split(args[1]),
            "NewReplacer": lambda: Replacer(list(args)),
        }
        if name in table:
            return table[name]()
        return self.note_unknown(f"function strings.{name}")

    def new_secret(self, pattern: str, min_entropy: float):
        """secrets.NewSecret / NewSecretWithEntropy: a random string matching `pattern`."""
        try:
            s = ""
            for _ in range(10):
                s = self.gen.generate(pattern)
                if shannon_entropy(s) >= min_entropy:
                    break
            return s
        except (re.error, ValueError, OverflowError, RecursionError) as e:
            return self.note_unknown(f"secret from regex ({type(e).__name__})")


def int_to_base(n: int, base: int) -> str:
    """strconv.FormatInt."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    sign, n, out = ("-" if n < 0 else ""), abs(n), []
    while n:
        n, r = divmod(n, base)
        out.append(digits[r])
    return sign + "".join(reversed(out))


# ---------------------------------------------------------------------------------------------
# A YAML subset: block mappings and sequences, plain / quoted / block scalars, flow collections
# ---------------------------------------------------------------------------------------------


class YamlError(Exception):
    """The document uses YAML outside the subset."""


class MiniYaml:
    """Parses the block-style YAML that rule files use (no anchors, tags or multi-documents)."""

    KEY = re.compile(r"""^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"\[\]{},][^#]*?|[^\s#'"\[\]{},]))\s*:(?:\s+|$)""")

    def __init__(self, text: str):
        text = text.replace("\r\n", "\n")
        self.lines = text.split("\n")
        self.final_break = text.endswith("\n")
        self.i = 0

    @staticmethod
    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    def skip_blank(self) -> None:
        while self.i < len(self.lines):
            s = self.lines[self.i].strip()
            if s and not s.startswith("#") and s != "---":
                return
            self.i += 1

    def parse(self):
        """The document's root node."""
        self.skip_blank()
        if self.i >= len(self.lines):
            return None
        return self.node(self.indent(self.lines[self.i]))

    def node(self, ind: int):
        """The block node whose lines start at column `ind`."""
        self.skip_blank()
        line = self.lines[self.i]
        body = line[ind:]
        if body.startswith("- ") or body == "-":
            return self.sequence(ind)
        if self.KEY.match(body):
            return self.mapping(ind)
        return self.scalar_lines(ind, body)

    def sequence(self, ind: int) -> list:
        """A block sequence whose dashes are at column `ind`."""
        items = []
        while True:
            self.skip_blank()
            if self.i >= len(self.lines):
                return items
            line = self.lines[self.i]
            if self.indent(line) != ind or not (line[ind:].startswith("- ") or line[ind:] == "-"):
                return items
            rest = line[ind + 1:]
            if not rest.strip():
                self.i += 1
                self.skip_blank()
                items.append(self.node(self.indent(self.lines[self.i])) if self.i < len(self.lines)
                             and self.indent(self.lines[self.i]) > ind else None)
                continue
            if rest.strip()[0] in "|>":
                items.append(self.block_scalar(ind, rest.strip()))
                continue
            col = ind + 1 + self.indent(rest)
            # Re-read the item's first line as if the dash were a space: a nested node at `col`.
            self.lines[self.i] = " " * col + line[col:]
            items.append(self.node(col))

    def mapping(self, ind: int) -> dict:
        """A block mapping whose keys are at column `ind`."""
        out = {}
        while True:
            self.skip_blank()
            if self.i >= len(self.lines):
                return out
            line = self.lines[self.i]
            if self.indent(line) != ind:
                return out
            body = line[ind:]
            m = self.KEY.match(body)
            if not m:
                return out
            if m.group(1) is not None:
                key = self.dq(m.group(1))
            elif m.group(2) is not None:
                key = m.group(2).replace("''", "'")
            else:
                key = m.group(3).strip()
            rest = body[m.end():]
            out[key] = self.value(ind, rest)

    def value(self, ind: int, rest: str):
        """The value after `key:` on the current line (which is consumed)."""
        stripped = rest.strip()
        if not stripped or stripped.startswith("#"):
            self.i += 1
            self.skip_blank()
            if self.i >= len(self.lines):
                return None
            nxt = self.lines[self.i]
            nind = self.indent(nxt)
            if nind > ind or (nind == ind and nxt[ind:].startswith("-")):
                return self.node(nind)
            return None
        if stripped[0] in "|>":
            return self.block_scalar(ind, stripped)
        return self.scalar_lines(ind, rest.lstrip(" "), inline=True)

    def block_scalar(self, ind: int, header: str) -> str:
        """A literal (|) or folded (>) block scalar; the header is on the current line."""
        style, chomp, explicit = header[0], "", None
        for ch in header[1:].split("#")[0].strip():
            if ch in "+-":
                chomp = ch
            elif ch.isdigit():
                explicit = int(ch)
        self.i += 1
        lines = []
        content_ind = None if explicit is None else ind + explicit
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip() == "":
                lines.append("")
                self.i += 1
                continue
            li = self.indent(line)
            if content_ind is None:
                if li <= ind:
                    break
                content_ind = li
            if li < content_ind:
                break
            lines.append(line[content_ind:])
            self.i += 1
        trailing = 0
        while lines and lines[-1] == "":
            lines.pop()
            trailing += 1
        if style == "|":
            text = "\n".join(lines)
        else:
            text = self.fold(lines)
        at_eof = self.i >= len(self.lines) and not self.final_break and trailing == 0
        if chomp == "-" or at_eof:
            return text
        if chomp == "+":
            return text + "\n" * (trailing + 1)
        return text + "\n" if lines else ""

    @staticmethod
    def fold(lines: list[str]) -> str:
        """Folds the lines of a > scalar: single breaks become spaces."""
        out = ""
        for idx, line in enumerate(lines):
            if idx == 0:
                out = line
            elif line == "":
                out += "\n"
            elif lines[idx - 1] == "" or line.startswith(" ") or lines[idx - 1].startswith(" "):
                out += ("" if out.endswith("\n") else "\n") + line
            else:
                out += " " + line
        return out

    def scalar_lines(self, ind: int, text: str, inline: bool = False):
        """A plain, quoted or flow scalar starting on the current line, maybe continued."""
        if text.startswith('"'):
            return self.quoted(text, '"')
        if text.startswith("'"):
            return self.quoted(text, "'")
        if text[:1] in "[{":
            return self.flow(text)
        words = [re.split(r"\s+#", text, maxsplit=1)[0].strip()]
        self.i += 1
        while self.i < len(self.lines):
            line = self.lines[self.i]
            s = line.strip()
            if not s:
                break
            if self.indent(line) <= ind or s.startswith("#"):
                break
            if not inline and self.KEY.match(s):
                break
            words.append(re.split(r"\s+#", s, maxsplit=1)[0].strip())
            self.i += 1
        return self.plain(" ".join(words))

    @staticmethod
    def plain(s: str):
        """A plain scalar's value: null, bool, int, float or string."""
        if s in ("", "~", "null", "Null", "NULL"):
            return None
        if s in ("true", "True", "TRUE"):
            return True
        if s in ("false", "False", "FALSE"):
            return False
        if re.fullmatch(r"[-+]?\d+", s):
            return int(s)
        if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", s):
            return float(s)
        return s

    def quoted(self, text: str, q: str) -> str:
        """A quoted scalar, possibly over several lines (line breaks fold to spaces)."""
        buf = text[1:]
        parts = []
        while True:
            if q == "'":
                m = re.match(r"((?:[^']|'')*)'", buf)
            else:
                m = re.match(r'((?:[^"\\]|\\.)*)"', buf)
            if m:
                parts.append(m.group(1))
                self.i += 1
                break
            parts.append(buf.rstrip(" "))
            self.i += 1
            if self.i >= len(self.lines):
                raise YamlError("unterminated quoted scalar")
            buf = self.lines[self.i].strip(" ")
            if q == '"' and parts[-1].endswith("\\"):
                parts[-1] = parts[-1][:-1]
                continue
        raw = ""
        for idx, p in enumerate(parts):
            if idx == 0:
                raw = p
            elif p == "":
                raw += "\n"
            else:
                raw += ("" if raw.endswith("\n") or raw == "" else " ") + p
        return raw.replace("''", "'") if q == "'" else self.dq(raw)

    @staticmethod
    def dq(s: str) -> str:
        """Double-quoted escapes."""
        def esc(m: re.Match) -> str:
            e = m.group(1)
            simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "\\": "\\", "/": "/",
                      " ": " ", "e": "\x1b", "a": "\a", "b": "\b", "v": "\v", "f": "\f"}
            if e in simple:
                return simple[e]
            if e[0] in "xuU":
                return chr(int(e[1:], 16))
            return e
        return re.sub(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", esc, s)

    def flow(self, text: str):
        """A flow sequence or mapping, possibly over several lines."""
        buf = text
        while True:
            try:
                value, _end = self.flow_value(buf, 0)
                self.i += 1
                return value
            except IndexError:  # ran off the end: the collection goes on on the next line
                self.i += 1
                if self.i >= len(self.lines):
                    raise YamlError("unterminated flow collection") from None
                buf += " " + self.lines[self.i].strip()

    def flow_value(self, s: str, i: int):
        """The flow value at s[i:] and where it ends; IndexError when `s` ends first."""
        while s[i] == " ":
            i += 1
        c = s[i]
        if c in "[{":
            close = "]" if c == "[" else "}"
            items, mapping = [], {}
            i += 1
            while True:
                while s[i] in " ,":
                    i += 1
                if s[i] == close:
                    return (items if c == "[" else mapping), i + 1
                v, i = self.flow_value(s, i)
                while s[i] == " ":
                    i += 1
                if s[i] == ":":
                    w, i = self.flow_value(s, i + 1)
                    if c == "{":
                        mapping[v] = w
                    else:
                        items.append({v: w})
                else:
                    if c == "[":
                        items.append(v)
                    else:
                        mapping[v] = None
        if c in "\"'":
            if c == "'":
                m = re.compile(r"'((?:[^']|'')*)'").match(s, i)
                return m.group(1).replace("''", "'"), m.end()
            m = re.compile(r'"((?:[^"\\]|\\.)*)"').match(s, i)
            if not m:
                raise IndexError
            return self.dq(m.group(1)), m.end()
        m = re.compile(r"[^,\[\]{}]*?(?=\s*(?:[,\]}]|:\s))").match(s, i)
        if not m:
            raise IndexError
        return self.plain(m.group().strip()), m.end()


# ---------------------------------------------------------------------------------------------
# Peer rules and their examples
# ---------------------------------------------------------------------------------------------


@dataclass
class Example:
    """One example text; `filename` when the rule is bound to a file name, `value` when the
    secret in it is known (given to a sample helper)."""
    text: str
    filename: str | None = None
    value: str | None = None


@dataclass
class PeerRule:
    """A peer's rule: id, name, keywords, its pattern (for isolating values), its examples."""
    peer: str
    rule_id: str
    name: str = ""
    keywords: list = field(default_factory=list)
    pattern: str | None = None
    secret_group: int = 0
    last_group_is_secret: bool = False
    examples: list = field(default_factory=list)
    negatives: list = field(default_factory=list)


@dataclass
class PeerExtract:
    """All rules of one peer and what limited their extraction."""
    peer: str
    source: str
    rules: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    dropped: dict = field(default_factory=dict)

    def drop(self, why: str, n: int = 1) -> None:
        self.dropped[why] = self.dropped.get(why, 0) + n


GO_RULES_DIR = "cmd/generate/config/rules"
GO_UTILS_DIR = "cmd/generate/config/utils"
GO_MAIN = "cmd/generate/config/main.go"


def seed_for(*parts: str, seed: int) -> int:
    """A stable per-rule seed, so a rule's random secrets do not depend on the others."""
    return zlib.crc32("\0".join(parts).encode()) ^ seed


def extract_go_peer(peer: str, mirror: Mirror, seed: int) -> PeerExtract:
    """Runs every rule constructor of a gitleaks-style peer (gitleaks, betterleaks) and keeps
    the true and false positives each gives utils.Validate."""
    out = PeerExtract(peer, f"{mirror.gitdir} @ {mirror.head()}")
    interp = GoInterp(random.Random(seed))
    utils_src = [mirror.read(p) for p in mirror.files(GO_UTILS_DIR, (".go",))
                 if not p.endswith("_test.go")]
    rules_src = [mirror.read(p) for p in mirror.files(GO_RULES_DIR, (".go",))
                 if not p.endswith("_test.go")]
    for problem in interp.load("utils", utils_src) + interp.load("rules", rules_src):
        out.notes.append(f"parse: {problem}")
    pkg = interp.packages["rules"]
    # The constructors main.go registers, in its order; else every func returning *config.Rule.
    names = []
    try:
        toks = go_tokens(mirror.read(GO_MAIN))
        for a, b, c, d in zip(toks, toks[1:], toks[2:], toks[3:]):
            if (a.kind == "ident" and a.val == "rules" and b.val == "." and c.kind == "ident"
                    and d.val == "("):
                names.append(c.val)
    except (subprocess.CalledProcessError, GoSyntaxError):
        pass
    if not names:
        names = [n for n, f in pkg.funcs.items() if f.result.replace(" ", "") == "*config.Rule"]
    seen: set[str] = set()
    for name in dict.fromkeys(names):
        func = pkg.funcs.get(name)
        if func is None:
            out.notes.append(f"{name}: registered in main.go but not found")
            continue
        interp.rng.seed(seed_for(peer, name, seed=seed))
        interp.captures = []
        before = dict(interp.unknowns)
        try:
            result = interp.call(pkg, func, [])
        except (Control, RecursionError, TypeError, AttributeError, KeyError, IndexError,
                ValueError) as e:
            out.notes.append(f"{name}: could not run ({type(e).__name__}: {e})")
            continue
        unknowns = {k: v - before.get(k, 0) for k, v in interp.unknowns.items()
                    if v - before.get(k, 0) > 0}
        captures = interp.captures or ([Capture(result, [], [], False)]
                                       if isinstance(result, dict) else [])
        for cap in captures:
            rule = go_rule(peer, cap, out)
            if rule is None or rule.rule_id in seen:
                continue
            seen.add(rule.rule_id)
            out.rules.append(rule)
        if unknowns:
            out.notes.append(f"{name}: not evaluated: " +
                             ", ".join(f"{k} ×{v}" for k, v in sorted(unknowns.items())))
    return out


def go_rule(peer: str, cap: Capture, out: PeerExtract) -> PeerRule | None:
    """A PeerRule from one Validate capture."""
    r = cap.rule
    rule_id = r.get("RuleID")
    if not isinstance(rule_id, str):
        out.drop("rule without a computable RuleID")
        return None
    regex = r.get("Regex")
    group = r.get("SecretGroup")
    rule = PeerRule(
        peer, rule_id,
        name=r.get("Description") if isinstance(r.get("Description"), str) else "",
        keywords=[k for k in (r.get("Keywords") or []) if isinstance(k, str)]
        if isinstance(r.get("Keywords"), list) else [],
        pattern=str(regex) if isinstance(regex, str) else None,
        secret_group=group if isinstance(group, int) else 0,
    )
    rule.examples = go_examples(cap.tps, cap.with_paths, out, "true positive")
    rule.negatives = go_examples(cap.fps, cap.with_paths, out, "false positive")
    return rule


def go_examples(values, with_paths: bool, out: PeerExtract, what: str) -> list[Example]:
    """Examples from a tps/fps value: a list of strings, or a map of path → content."""
    if values is None:
        return []
    if isinstance(values, Unknown):
        out.drop(f"{what} list not evaluated")
        return []
    items = list(values.items()) if isinstance(values, dict) else [(None, v) for v in values]
    examples = []
    for path, text in items:
        if not isinstance(text, str):
            out.drop(f"{what} not evaluated")
            continue
        filename = path.rsplit("/", 1)[-1] if isinstance(path, str) and with_paths else None
        examples.append(Example(text, filename, getattr(text, "value", None)))
    return examples


def extract_yaml_peer(peer: str, mirror: Mirror, folders: list[str]) -> PeerExtract:
    """Rules of a YAML-rule peer (Kingfisher, Nosey Parker): `examples`, `negative_examples`."""
    out = PeerExtract(peer, f"{mirror.gitdir} @ {mirror.head()}")
    seen: set[str] = set()
    for folder in folders:
        for path in mirror.files(folder, (".yml", ".yaml")):
            try:
                doc = MiniYaml(mirror.read(path)).parse()
            except (YamlError, IndexError, ValueError) as e:
                out.notes.append(f"{path}: not parsed ({e})")
                continue
            rules = doc.get("rules") if isinstance(doc, dict) else None
            for r in rules if isinstance(rules, list) else []:
                if not isinstance(r, dict) or not isinstance(r.get("id"), str):
                    continue
                if r["id"] in seen:
                    continue
                seen.add(r["id"])
                rule = PeerRule(peer, r["id"], name=str(r.get("name") or ""),
                                last_group_is_secret=True,
                                keywords=[k for k in r.get("keywords") or [] if isinstance(k, str)],
                                pattern=r.get("pattern") if isinstance(r.get("pattern"), str) else None)
                for key, dest in (("examples", rule.examples),
                                  ("negative_examples", rule.negatives)):
                    for e in r.get(key) or []:
                        if isinstance(e, str):
                            dest.append(Example(e))
                        else:
                            out.drop(f"{key} entry that is not a string")
                out.rules.append(rule)
    return out


def yaml_rule_folders(mirror: Mirror) -> list[str]:
    """Folders of a YAML-rule peer holding rule files: `…/data/…/rules/`."""
    names = mirror.files("", (".yml", ".yaml"))
    folders = {n.rsplit("/", 1)[0] for n in names
               if re.search(r"(^|/)data/(.+/)?rules/[^/]+\.ya?ml$", n)}
    return sorted(folders)


# ---------------------------------------------------------------------------------------------
# Isolating secret values, naming keys, writing layouts
# ---------------------------------------------------------------------------------------------

VALUE_OK = re.compile(r"[!-~]{8,400}")
VALUE_BAD_CHARS = set("\"'`\\<>&")


def compile_rule_pattern(rule: PeerRule) -> re.Pattern | None:
    """The rule's own regex in Python's dialect, or None when it does not translate."""
    if not rule.pattern:
        return None
    try:
        py, flags = to_python_regex(rule.pattern)
        return re.compile(py, flags)
    except (re.error, OverflowError, RecursionError):
        return None


TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-.~")


def secret_of_match(m: re.Match, rule: PeerRule) -> str:
    """The secret a match names: the rule's secret group; else a group named like a secret;
    else the first non-empty group (gitleaks' convention) or, for peers whose multi-group
    patterns capture `user … password`, the last; else the whole match. A group that cuts a
    token in two (a base64 JWT's header marker) is widened to the whole token."""
    span = None
    if rule.secret_group and rule.secret_group <= m.re.groups and m.group(rule.secret_group):
        span = m.span(rule.secret_group)
    if span is None:
        for name, value in m.groupdict().items():
            if value and name.lower() in ("secret", "token", "key", "password"):
                span = m.span(name)
                break
    if span is None:
        filled = [i for i in range(1, m.re.groups + 1) if m.group(i)]
        if filled:
            span = m.span(filled[-1] if rule.last_group_is_secret else filled[0])
    text = m.string
    start, end = span if span else m.span()
    while start < end and text[start] in "=:":
        start += 1
    if (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
        while start > 0 and text[start - 1] in TOKEN_CHARS:
            start -= 1
        while end < len(text) and text[end] in TOKEN_CHARS:
            end += 1
        while end < len(text) and text[end] == "=":
            end += 1
    value = text[start:end]
    if len(value) > 2 and value[0] == value[-1] and value[0] in "\"'`":
        value = value[1:-1]
    return value


ASSIGNMENT = re.compile(
    r"""^\s*(?:export\s+|set\s+|const\s+|var\s+|let\s+)?["']?[\w.\-\[\]]{1,80}["']?\s*"""
    r"""(?::=|=>|==|=|:)\s*["'`]?([^\s"'`;,]+)["'`]?\s*[;,]?\s*$""")


def isolate_values(rule: PeerRule, example: Example, regex: re.Pattern | None) -> list[str]:
    """The secret values an example holds, when they can be told apart from their context:
    the value a sample helper was given; else what the rule's own regex captures; else the
    right-hand side of a one-line assignment; else the example itself when it is one token."""
    if example.value:
        return [example.value]
    found: list[str] = []
    if regex is not None:
        try:
            for m in regex.finditer(example.text):
                v = secret_of_match(m, rule).strip()
                if v and v not in found:
                    found.append(v)
                if len(found) >= 4:
                    break
        except (re.error, RecursionError):
            pass
    if found:
        return found
    text = example.text.strip()
    if "\n" not in text:
        m = ASSIGNMENT.match(text)
        if m:
            return [m.group(1)]
        if re.fullmatch(r"\S+", text) and "://" not in text:
            return [text]
    return []


def value_problem(v: str) -> str | None:
    """Why a value cannot be written in every layout, or None."""
    if not VALUE_OK.fullmatch(v):
        return "value with whitespace, non-ASCII or outside 8-400 characters"
    if VALUE_BAD_CHARS & set(v):
        return "value with a quote, backslash or XML-special character"
    if re.fullmatch(r"[A-Za-z]{1,11}", v):
        return "value that is a short word (a host, user or placeholder, not a secret)"
    return None


DIGIT_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
               "6": "six", "7": "seven", "8": "eight", "9": "nine"}
NOT_A_VENDOR = {
    "generic", "private", "jwt", "pkcs12", "password", "passwords", "secret", "secrets", "token",
    "tokens", "key", "keys", "credential", "credentials", "http", "https", "url", "uri", "basic",
    "bearer", "pem", "ssh", "curl", "api", "apikey", "auth", "authorization", "cookie", "base64",
    "hex", "uuid", "np", "kingfisher", "connection", "connstr", "database", "db", "jdbc", "odbc",
}


def key_kind(rule: PeerRule) -> str:
    """One of password, client_secret, token, secret, api_key, chosen from the rule's words."""
    text = re.sub(r"[^a-z0-9]+", " ", f"{rule.rule_id} {rule.name}".lower())
    if re.search(r"\b(password|passwd|pwd|pass)\b", text):
        return "password"
    if re.search(r"\bclient secret\b", text):
        return "client_secret"
    if re.search(r"\b(token|tokens|pat|jwt)\b", text):
        return "token"
    if re.search(r"\bsecret\b", text):
        return "secret"
    if re.search(r"\b(key|apikey|api key)\b", text):
        return "api_key"
    return "token"


def vendor_of(rule: PeerRule) -> str:
    """The service a rule is about, from its id (`<vendor>-…`, `np.<vendor>.N`,
    `kingfisher.<vendor>.N`); empty for generic rules."""
    rid = rule.rule_id.lower()
    parts = rid.split(".") if "." in rid else rid.split("-")
    if parts[0] in ("np", "kingfisher") and len(parts) > 1:
        parts = parts[1:]
    vendor = re.sub(r"[^a-z0-9]", "", parts[0])
    vendor = re.sub(r"^\d", lambda m: DIGIT_WORDS[m.group()], vendor)
    if not vendor or vendor in NOT_A_VENDOR or vendor.startswith("generic"):
        return ""
    return vendor


@dataclass
class KeyName:
    """A key in the forms layouts use: ACME_TOKEN, acme_token, acmeToken, acme + token."""
    vendor: str
    kind: str

    @property
    def snake(self) -> str:
        return f"{self.vendor}_{self.kind}" if self.vendor else self.kind

    @property
    def env(self) -> str:
        return self.snake.upper()

    @property
    def camel(self) -> str:
        words = self.snake.split("_")
        return words[0] + "".join(w.capitalize() for w in words[1:])


def yaml_plain_ok(v: str) -> bool:
    """Whether a value can be a plain (unquoted) YAML scalar as it is."""
    return v[0] not in "-?:,[]{}#&*!|>'\"%@`" and ": " not in v and " #" not in v \
        and not v.endswith(":")


LAYOUTS = {
    # name: (file extension, template, condition on the value)
    "assign-dq": (".py", lambda k, v: f'{k.snake} = "{v}"\n', None),
    "env": (".env", lambda k, v: f"{k.env}={v}\n", None),
    "yaml": (".yaml", lambda k, v: f"{k.snake}: {v}\n", yaml_plain_ok),
    "yaml-nested": (".yaml", lambda k, v: (f"{k.vendor or 'credentials'}:\n"
                                           f"  {k.kind}: {v}\n"), yaml_plain_ok),
    "xml": (".xml", lambda k, v: ('<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n'
                                  f"  <{k.camel}>{v}</{k.camel}>\n</configuration>\n"), None),
    "go-backtick": (".go", lambda k, v: f"package config\n\nconst {k.camel} = `{v}`\n", None),
    "json": (".json", lambda k, v: "{\n  " + json.dumps(k.snake) + ": " + json.dumps(v) + "\n}\n",
             None),
}


def safe_name(s: str) -> str:
    """A file-name-safe form of a rule id."""
    return re.sub(r"[^\w.+-]", "_", s)[:100] or "_"


# ---------------------------------------------------------------------------------------------
# build: the corpus
# ---------------------------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parent.parent
SET_LABELS = {  # example sets, as the table names them
    "gitleaks": "gitleaks tps",
    "betterleaks": "betterleaks tps",
    "kingfisher": "kingfisher examples",
    "noseyparker": "noseyparker examples",
}


def mirror_path(peer: str, explicit: str | None) -> Path:
    """The git dir of a peer's mirror: the option, its env var, else under $MIRRORS."""
    env = os.environ.get(f"{peer.upper()}_MIRROR")
    if explicit or env:
        return Path(explicit or env)
    base = Path(os.environ.get("MIRRORS", "/work/.mirror")) / PEER_REPOS[peer]
    return base / "repo" if (base / "repo").exists() else base


def check_outside_project(out: Path) -> None:
    """Refuses a corpus folder inside this repository: the corpus is never committed."""
    out = out.resolve()
    if out == REPO_ROOT or REPO_ROOT in out.parents:
        sys.exit(f"error: {out} is inside the project; write the corpus elsewhere (--out)")


def fresh_folder(out: Path) -> None:
    """Empties `out` if it is a corpus this script wrote (it has manifest.json), else refuses
    to touch a non-empty folder."""
    if out.exists() and any(out.iterdir()):
        if not (out / "manifest.json").exists():
            sys.exit(f"error: {out} is not empty and holds no manifest.json; not overwriting it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


class CorpusWriter:
    """Writes files under <out>/files and remembers each in the manifest."""

    def __init__(self, out: Path):
        self.root = out / "files"
        self.entries: list[dict] = []

    def write(self, rel: str, text: str, **meta) -> None:
        """Writes one corpus file (with a final newline) and records it."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        self.entries.append({"path": rel, **meta})


def build(args) -> int:
    """Extracts the peers' examples and writes the corpus; returns the exit code."""
    out = Path(args.out)
    check_outside_project(out)
    extracts: list[PeerExtract] = []
    for peer in ("gitleaks", "betterleaks", "kingfisher", "noseyparker"):
        gitdir = mirror_path(peer, getattr(args, peer))
        if not (gitdir / "HEAD").exists():
            print(f"warning: no mirror for {peer} at {gitdir}; skipped (fetch github:"
                  f"{PEER_REPOS[peer].replace('+', '/')})", file=sys.stderr)
            continue
        mirror = Mirror(gitdir)
        started = time.time()
        if peer in ("gitleaks", "betterleaks"):
            ex = extract_go_peer(peer, mirror, args.seed)
        else:
            ex = extract_yaml_peer(peer, mirror, yaml_rule_folders(mirror))
        print(f"{peer}: {len(ex.rules)} rules, {sum(len(r.examples) for r in ex.rules)} examples, "
              f"{sum(len(r.negatives) for r in ex.rules)} negative examples "
              f"({time.time() - started:.1f}s)", file=sys.stderr)
        extracts.append(ex)
    if not extracts:
        sys.exit("error: no peer mirror found")
    fresh_folder(out)
    w = CorpusWriter(out)
    stats: dict[str, dict] = {}

    # Positive examples, and the secret values they hold.
    values_by_peer: dict[str, list[tuple[PeerRule, str]]] = {}
    all_values: set[str] = set()
    all_example_texts: set[str] = set()
    for ex in extracts:
        st = stats.setdefault(ex.peer, {"source": ex.source, "rules": len(ex.rules),
                                         "rules_with_examples": 0, "examples": 0,
                                         "examples_without_value": 0, "values": 0,
                                         "values_skipped": {}, "negatives": 0,
                                         "negatives_dropped": {}, "layout_files": 0,
                                         "layouts_skipped": {}, "dropped": ex.dropped,
                                         "notes": ex.notes})
        seen_values: set[str] = set()
        pairs = values_by_peer.setdefault(ex.peer, [])
        for rule in ex.rules:
            regex = compile_rule_pattern(rule)
            rdir = safe_name(rule.rule_id)
            if rule.examples:
                st["rules_with_examples"] += 1
            for n, e in enumerate(rule.examples):
                rel = (f"examples/{ex.peer}/{rdir}/{n}/{safe_name(e.filename)}" if e.filename
                       else f"examples/{ex.peer}/{rdir}/{n}.txt")
                w.write(rel, e.text, set="examples", peer=ex.peer, rule=rule.rule_id)
                st["examples"] += 1
                all_example_texts.add(e.text.strip())
                values = isolate_values(rule, e, regex)
                if not values:
                    st["examples_without_value"] += 1
                for v in values:
                    all_values.add(v)
                    problem = value_problem(v)
                    if problem:
                        st["values_skipped"][problem] = st["values_skipped"].get(problem, 0) + 1
                    elif v not in seen_values:
                        seen_values.add(v)
                        pairs.append((rule, v))
        st["values"] = len(pairs)

    # Negative examples, minus those that are (or hold) some peer's positive example.
    long_values = sorted((v for v in all_values if len(v) >= 12), key=len, reverse=True)
    value_re = re.compile("|".join(re.escape(v) for v in long_values)) if long_values else None
    for ex in extracts:
        st = stats[ex.peer]
        for rule in ex.rules:
            rdir = safe_name(rule.rule_id)
            for n, e in enumerate(rule.negatives):
                why = None
                if e.text.strip() in all_example_texts:
                    why = "is a positive example of some peer rule"
                elif value_re is not None and value_re.search(e.text):
                    why = "holds a secret of some peer's positive example"
                if why:
                    st["negatives_dropped"][why] = st["negatives_dropped"].get(why, 0) + 1
                    continue
                rel = (f"negatives/{ex.peer}/{rdir}/{n}/{safe_name(e.filename)}" if e.filename
                       else f"negatives/{ex.peer}/{rdir}/{n}.txt")
                w.write(rel, e.text, set="negatives", peer=ex.peer, rule=rule.rule_id)
                st["negatives"] += 1

    # Every isolated value in every layout, under a key fit for its rule.
    for peer, pairs in values_by_peer.items():
        st = stats[peer]
        counters: dict[str, int] = {}
        for rule, v in pairs:
            key = KeyName(vendor_of(rule), key_kind(rule))
            rdir = safe_name(rule.rule_id)
            n = counters[rdir] = counters.get(rdir, -1) + 1
            for layout, (ext, render, ok) in LAYOUTS.items():
                if ok is not None and not ok(v):
                    st["layouts_skipped"][layout] = st["layouts_skipped"].get(layout, 0) + 1
                    continue
                w.write(f"layouts/{layout}/{peer}/{rdir}/{n}{ext}", render(key, v),
                        set="layouts", layout=layout, peer=peer, rule=rule.rule_id, key=key.env)
                st["layout_files"] += 1

    manifest = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seed": args.seed,
        "scan_root": "files",
        "layouts": list(LAYOUTS),
        "peers": stats,
        "files": w.entries,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (out / "README.txt").write_text(
        "Secret-detection corpus built by palisade's scripts/secret-corpus.py from the peers'\n"
        "rule examples (read from their mirrors at build time). Scan files/; manifest.json says\n"
        "what each file is. Not for committing anywhere.\n", encoding="utf-8")
    print_build_summary(out, stats)
    return 0


def print_build_summary(out: Path, stats: dict) -> None:
    """What was extracted per peer, and what limited it."""
    print(f"corpus written to {out}/files ({out}/manifest.json lists every file)")
    for peer, st in stats.items():
        print(f"\n{peer}: {st['source']}")
        print(f"  rules {st['rules']} ({st['rules_with_examples']} with examples), "
              f"examples {st['examples']}, negatives kept {st['negatives']}, "
              f"secret values {st['values']}, layout files {st['layout_files']}")
        print(f"  examples whose value could not be isolated: {st['examples_without_value']}")
        for label, d in (("values not written in layouts", st["values_skipped"]),
                         ("layouts skipped (value not a plain YAML scalar)", st["layouts_skipped"]),
                         ("negatives dropped", st["negatives_dropped"]),
                         ("not extracted", st["dropped"])):
            for why, n in sorted(d.items()):
                print(f"  {label}: {why}: {n}")
        for note in st["notes"]:
            print(f"  note: {note[:300]}")


# ---------------------------------------------------------------------------------------------
# measure: the three scanners on the corpus
# ---------------------------------------------------------------------------------------------

TOOLS = ("palisade", "betterleaks", "kingfisher")


@dataclass
class ToolRun:
    """One scanner's run: the files it flagged (relative path → rule ids that fired)."""
    name: str
    version: str = ""
    flagged: dict = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    extra: dict = field(default_factory=dict)

    def flag(self, root: Path, path: str, rule: str) -> None:
        p = Path(path)
        rel = os.path.relpath(p, root) if p.is_absolute() else str(p)
        rel = rel.replace(os.sep, "/").removeprefix("./")
        self.flagged.setdefault(rel, set()).add(rule)


def tool_version(cmd: list[str]) -> str:
    """The first line a `--version` prints, or an empty string."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return ""


def run_tool(run: ToolRun, cmd: list[str], cwd: Path, ok_codes: tuple[int, ...]) -> bool:
    """Runs a scanner; records the time and, when its exit code says it failed, the error."""
    started = time.time()
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    except OSError as e:
        run.error = str(e)
        return False
    run.seconds = time.time() - started
    if proc.returncode not in ok_codes:
        run.error = f"exit {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-500:]}"
        return False
    return True


def run_palisade(binary: str, root: Path, results: Path) -> ToolRun:
    """`cargo-palisade secrets --worktree . --format json` from the scan root (exit 1 = found);
    `$PALISADE_ARGS` adds arguments (e.g. `--min-confidence low`)."""
    run = ToolRun("palisade", tool_version([binary, "--version"]))
    report = results / "palisade.json"
    cmd = [binary, "secrets", "--worktree", ".", "--format", "json", "--output", str(report)]
    cmd += os.environ.get("PALISADE_ARGS", "").split()
    if not run_tool(run, cmd, root, (0, 1)):
        return run
    doc = json.loads(report.read_text(encoding="utf-8"))
    run.extra = {k: doc.get("secrets", {}).get(k) for k in
                 ("rules", "blobs_scanned", "placeholders_skipped", "skipped_binary",
                  "skipped_large")}
    for f in doc.get("findings", []):
        ev = f.get("evidence") or {}
        rule = ev.get("rule") or f.get("rule") or "?"
        paths = [loc.get("path") for loc in f.get("locations") or []]
        paths += [ev.get("path")] + [o.get("path") for o in ev.get("occurrences") or []]
        for p in paths:
            if p:
                run.flag(root, p, rule)
    return run


def run_betterleaks(binary: str, root: Path, results: Path) -> ToolRun:
    """`betterleaks fs DIR --output report.json` (gitleaks' successor; validation is opt-in)."""
    run = ToolRun("betterleaks", tool_version([binary, "version"]))
    report = results / "betterleaks.json"
    cmd = [binary, "fs", str(root), "--output", str(report), "--silent", "--exit-code", "0",
           "--log-level", "error"]
    if not run_tool(run, cmd, root, (0,)):
        return run
    doc = json.loads(report.read_text(encoding="utf-8"))
    findings = doc.get("findings") if isinstance(doc, dict) else doc
    for f in findings or []:
        path = (f.get("location") or {}).get("path") or f.get("File")
        if path:
            run.flag(root, path, f.get("rule_id") or f.get("RuleID") or "?")
    return run


def run_kingfisher(binary: str, root: Path, results: Path) -> ToolRun:
    """`kingfisher scan DIR --no-validate --format json` (exit 200 = found)."""
    run = ToolRun("kingfisher", tool_version([binary, "--version"]))
    report = results / "kingfisher.json"
    cmd = [binary, "scan", str(root), "--no-validate", "--format", "json", "--output",
           str(report), "--no-update-check", "--no-dedup", "--quiet"]
    if not run_tool(run, cmd, root, (0, 200, 205)):
        return run
    doc = json.loads(report.read_text(encoding="utf-8"))
    for f in doc.get("findings") or []:
        fin = f.get("finding") or {}
        path = fin.get("path")
        if path:
            run.flag(root, path, (f.get("rule") or {}).get("id") or "?")
    return run


def pct(n: int, total: int) -> str:
    """A share as a percentage."""
    return f"{100.0 * n / total:5.1f}%" if total else "    - "


def table_rows(entries: list[dict], runs: list[ToolRun]) -> list[tuple[str, int, list]]:
    """(label, files, [flagged count per tool or None]) per example set, layout, negative set."""
    groups: dict[str, list[str]] = {}
    order: list[str] = []

    def add(label: str, path: str) -> None:
        if label not in groups:
            groups[label] = []
            order.append(label)
        groups[label].append(path)

    peers = list(dict.fromkeys(e["peer"] for e in entries))
    for peer in peers:
        for e in entries:
            if e["set"] == "examples" and e["peer"] == peer:
                add(SET_LABELS.get(peer, peer), e["path"])
    for layout in LAYOUTS:
        for e in entries:
            if e["set"] == "layouts" and e["layout"] == layout:
                add(f"layout {layout}", e["path"])
    for peer in peers:
        for e in entries:
            if e["set"] == "negatives" and e["peer"] == peer:
                add(f"negatives {peer} (flagged = FP)", e["path"])
    for e in entries:
        if e["set"] == "negatives":
            add("negatives all (flagged = FP)", e["path"])
    rows = []
    for label in order:
        paths = groups[label]
        counts = [None if r.error else sum(1 for p in paths if p in r.flagged) for r in runs]
        rows.append((label, len(paths), counts))
    return rows


def render_table(rows, runs: list[ToolRun]) -> str:
    """A fixed-width table: files flagged / files (share) per tool."""
    width = max(len(r[0]) for r in rows) + 2
    head = f"{'set':<{width}}{'files':>7}" + "".join(f"  {r.name:>20}" for r in runs)
    lines = [head, "-" * len(head)]
    for label, total, counts in rows:
        cells = "".join(
            f"  {'n/a':>20}" if c is None else f"  {f'{c}/{total} {pct(c, total)}':>20}"
            for c in counts)
        lines.append(f"{label:<{width}}{total:>7}{cells}")
    return "\n".join(lines)


def layout_breakdown(entries: list[dict], runs: list[ToolRun]) -> str:
    """Layouts split by the peer whose values they hold."""
    rows = []
    peers = list(dict.fromkeys(e["peer"] for e in entries if e["set"] == "layouts"))
    for layout in LAYOUTS:
        for peer in peers:
            paths = [e["path"] for e in entries if e["set"] == "layouts"
                     and e["layout"] == layout and e["peer"] == peer]
            if paths:
                counts = [None if r.error else sum(1 for p in paths if p in r.flagged)
                          for r in runs]
                rows.append((f"{layout} ({peer} values)", len(paths), counts))
    return render_table(rows, runs) if rows else ""


def write_misses(path: Path, entries: list[dict], run: ToolRun) -> int:
    """Per peer rule, the corpus files `run` did not flag (examples and layouts), sorted by
    peer and rule; then the negatives it flagged. Returns the number of rules with misses."""
    by_rule: dict[tuple[str, str], dict] = {}
    fps: list[dict] = []
    for e in entries:
        if e["set"] == "negatives":
            if e["path"] in run.flagged:
                fps.append(e)
            continue
        slot = by_rule.setdefault((e["peer"], e["rule"]), {"examples": [0, []], "layouts": [0, []]})
        bucket = slot[e["set"]]
        bucket[0] += 1
        if e["path"] not in run.flagged:
            bucket[1].append(e)
    lines = [
        f"# {run.name} misses per peer rule, from scripts/secret-corpus.py measure "
        f"({time.strftime('%Y-%m-%d %H:%M')}; {run.version})",
        "# peer  rule  examples missed/total  layouts missed/total  [layouts missed]",
        "# then the files missed (paths under the corpus' files/ folder)",
        "",
    ]
    tally: dict[str, list[int]] = {}  # peer → [rules, none found, some missed, all found]
    for (peer, _rule), slot in by_rule.items():
        t = tally.setdefault(peer, [0, 0, 0, 0])
        total = slot["examples"][0] + slot["layouts"][0]
        missed = len(slot["examples"][1]) + len(slot["layouts"][1])
        t[0] += 1
        t[1 if missed == total else 2 if missed else 3] += 1
    for peer, (n, none, some, full) in sorted(tally.items()):
        lines.insert(-1, f"# {peer}: {n} rules with files; none found {none}, some missed {some}, "
                         f"all found {full}")
    missing_rules = 0
    for (peer, rule), slot in sorted(by_rule.items()):
        ex_total, ex_missed = slot["examples"][0], slot["examples"][1]
        ly_total, ly_missed = slot["layouts"][0], slot["layouts"][1]
        if not ex_missed and not ly_missed:
            continue
        missing_rules += 1
        kinds = sorted({e["layout"] for e in ly_missed})
        lines.append(f"{peer}  {rule}  examples {len(ex_missed)}/{ex_total}  "
                     f"layouts {len(ly_missed)}/{ly_total}"
                     + (f"  [{', '.join(kinds)}]" if kinds else ""))
        for e in (ex_missed + ly_missed)[:8]:
            lines.append(f"    {e['path']}")
        if len(ex_missed) + len(ly_missed) > 8:
            lines.append(f"    … {len(ex_missed) + len(ly_missed) - 8} more")
    lines += ["", f"# negatives {run.name} flagged (false positives): {len(fps)}"]
    for e in sorted(fps, key=lambda e: (e["peer"], e["rule"], e["path"])):
        lines.append(f"{e['peer']}  {e['rule']}  {e['path']}  fired: "
                     f"{', '.join(sorted(run.flagged[e['path']]))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return missing_rules


def measure(args) -> int:
    """Runs the scanners on the corpus and prints/writes the numbers; returns the exit code."""
    out = Path(args.out)
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        sys.exit(f"error: no corpus at {out} (run `build` first)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    root = (out / manifest.get("scan_root", "files")).resolve()
    results = out / "results"
    results.mkdir(exist_ok=True)
    only = set(args.only.split(",")) if args.only else set(TOOLS)
    binaries = {
        "palisade": args.palisade or os.environ.get("PALISADE")
        or str(REPO_ROOT / "target" / "release" / "cargo-palisade"),
        "betterleaks": args.betterleaks_bin or os.environ.get("BETTERLEAKS")
        or shutil.which("betterleaks"),
        "kingfisher": args.kingfisher_bin or os.environ.get("KINGFISHER")
        or shutil.which("kingfisher"),
    }
    runners = {"palisade": run_palisade, "betterleaks": run_betterleaks,
               "kingfisher": run_kingfisher}
    runs: list[ToolRun] = []
    for name in TOOLS:
        if name not in only:
            continue
        binary = binaries[name]
        if not binary or not Path(binary).exists():
            runs.append(ToolRun(name, error=f"not found ({binary or 'not on PATH'})"))
        else:
            print(f"running {name} ({binary}) …", file=sys.stderr)
            runs.append(runners[name](binary, root, results))
        r = runs[-1]
        print(f"  {name}: {r.error or f'{len(r.flagged)} files flagged in {r.seconds:.1f}s'}",
              file=sys.stderr)
    entries = manifest["files"]
    rows = table_rows(entries, runs)
    report = [
        f"corpus {out} (built {manifest['created']}, seed {manifest['seed']}), scan root {root}",
        "files flagged / files per set; a file counts as flagged when the tool reports at least "
        "one finding in it",
        "",
        render_table(rows, runs),
        "",
    ]
    for r in runs:
        report.append(f"{r.name}: {r.version or '?'}; "
                      + (f"ERROR {r.error}" if r.error else f"{r.seconds:.1f}s")
                      + (f"; {json.dumps(r.extra)}" if r.extra else ""))
    breakdown = layout_breakdown(entries, runs)
    text = "\n".join(report)
    print(text)
    misses_files = []
    for r in runs:
        if r.error:
            continue
        path = results / f"{r.name}-misses.txt"
        n = write_misses(path, entries, r)
        misses_files.append(f"{r.name}: {n} peer rules with misses → {path}")
    print("\n" + "\n".join(misses_files))
    (results / "summary.txt").write_text(
        text + "\n\nLayouts by the peer whose values they hold:\n\n" + breakdown + "\n\n"
        + "\n".join(misses_files) + "\n", encoding="utf-8")
    (results / "results.json").write_text(json.dumps({
        "corpus": str(out), "built": manifest["created"],
        "tools": {r.name: {"version": r.version, "error": r.error, "seconds": round(r.seconds, 1),
                           "extra": r.extra} for r in runs},
        "rows": [{"set": label, "files": total,
                  "flagged": {r.name: c for r, c in zip(runs, counts)}}
                 for label, total, counts in rows],
    }, indent=1), encoding="utf-8")
    print(f"summary (with layouts split by peer) → {results / 'summary.txt'}")
    return 1 if any(r.error for r in runs) else 0


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """Parses the command line and runs the subcommand."""
    parser = argparse.ArgumentParser(
        prog="secret-corpus.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", default=os.environ.get("SECRET_CORPUS", "/tmp/secret-corpus"),
                       help="corpus folder, outside the project (default %(default)s)")

    def build_opts(p: argparse.ArgumentParser) -> None:
        for peer in PEER_REPOS:
            p.add_argument(f"--{peer}", metavar="GITDIR",
                           help=f"git dir of the {peer} mirror (default: $MIRRORS/"
                                f"{PEER_REPOS[peer]}/repo)")
        p.add_argument("--seed", type=int, default=13,
                       help="seed for the secrets drawn from regexes (default %(default)s)")

    def measure_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--palisade", help="cargo-palisade binary (default $PALISADE, else "
                                          "target/release/cargo-palisade)")
        p.add_argument("--betterleaks-bin", help="betterleaks binary (default $BETTERLEAKS, PATH)")
        p.add_argument("--kingfisher-bin", help="kingfisher binary (default $KINGFISHER, PATH)")
        p.add_argument("--only", help="comma-separated subset of: " + ",".join(TOOLS))

    p_build = sub.add_parser("build", help="extract the peers' examples and write the corpus")
    common(p_build)
    build_opts(p_build)
    p_measure = sub.add_parser("measure", help="run the scanners on the corpus, print the table")
    common(p_measure)
    measure_opts(p_measure)
    p_all = sub.add_parser("all", help="build, then measure")
    common(p_all)
    build_opts(p_all)
    measure_opts(p_all)
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args)
    if args.command == "measure":
        return measure(args)
    return build(args) or measure(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
