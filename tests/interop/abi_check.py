#!/usr/bin/env python3
"""
ABI/API comparison of two TSS 1.2 header sets: a reference (TrouSerS, as
installed by Debian's libtspi-dev under /usr/include) and ours.

Nothing here is a hand-kept list of names. Every name to check is
discovered in the reference headers themselves:
  - macros from `$CC -dM -E`,
  - typedefs, struct members and function prototypes from clang's AST
    (clang -Xclang -ast-dump=json),
minus whatever the C library headers they include already define.
The values are then measured by compiling small generated programs with
$CC against each header set in isolation and comparing the results:
  - integer constants: value and exact C type (via _Generic),
  - other macros (initialisers, keywords, empty): the fully expanded
    tokens, with integer literals normalised,
  - function-like macros: their value for sample arguments, or their
    expansion,
  - typedefs and structs: sizeof, alignment, every member's offset and
    size, and type compatibility (__builtin_types_compatible_p) of each
    typedef and member with the reference's declared type,
  - functions: presence, plus a redeclaration with the reference's
    prototype text after our headers, which C rejects if incompatible.

Exit status: 0 identical, 1 differences found, 2 the check itself broke.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

class CheckError(Exception):
    """The checker could not do its job (not an ABI difference)."""


def run(cmd, cwd, check=True):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if check and p.returncode != 0:
        raise CheckError("command failed: %s\n%s" % (" ".join(cmd), p.stderr[-4000:]))
    return p


# ---------------------------------------------------------------- tokens

TOKEN_RE = re.compile(r'''
    "(?:\\.|[^"\\])*"          |   # string literal
    '(?:\\.|[^'\\])*'          |   # char literal
    \.?\d(?:[eEpP][+-]|[\w.])*  |   # pp-number
    [A-Za-z_]\w*               |   # identifier
    \#\#|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\.\.\.|
    [-+*/%=&|^!~<>?:;,.(){}\[\]\#]
''', re.VERBOSE)


def norm_number(tok):
    m = re.fullmatch(r'(0[xX][0-9a-fA-F]+|\d+)[uUlL]*', tok)
    if not m:
        return tok
    s = m.group(1)
    if s[:2] in ('0x', '0X'):
        return str(int(s, 16))
    if len(s) > 1 and s[0] == '0':
        return str(int(s, 8))
    return str(int(s, 10))


def norm_tokens(text, drop_parens=False):
    toks = [norm_number(t) for t in TOKEN_RE.findall(text)]
    if drop_parens:
        toks = [t for t in toks if t not in ('(', ')')]
    return " ".join(toks)


# ------------------------------------------------------------ header set

class HeaderSet:
    """One side of the comparison: a list of include flags and a TU."""

    def __init__(self, label, incflags, headers, cc, clang, work):
        self.label = label
        self.incflags = incflags
        self.headers = headers
        self.cc = cc
        self.clang = clang
        self.work = os.path.join(work, label)
        os.makedirs(self.work, exist_ok=True)

    def prelude(self):
        return "".join("#include <%s>\n" % h for h in self.headers)

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def compile(self, name, text, extra=(), link=False):
        src = self.write(name, text)
        out = src[:-2] + (".bin" if link else ".o")
        cmd = self.cc + self.incflags + ["-w"] + list(extra)
        cmd += [src, "-o", out] if link else ["-c", src, "-o", out]
        p = run(cmd, self.work, check=False)
        return p, out


def parse_dm(text):
    """`-dM -E` output -> {name: (params or None, body)}"""
    macros = {}
    for line in text.splitlines():
        m = re.match(r'#define ([A-Za-z_]\w*)(\([^)]*\))?(?: (.*))?$', line)
        if not m:
            continue
        params = None
        if m.group(2) is not None:
            params = [p.strip() for p in m.group(2)[1:-1].split(",") if p.strip()]
        macros[m.group(1)] = (params, m.group(3) or "")
    return macros


def macro_table(hs, baseline_names):
    p = run(hs.cc + hs.incflags + ["-w", "-dM", "-E", hs.write("tu.c", hs.prelude())], hs.work)
    allm = parse_dm(p.stdout)
    return {k: v for k, v in allm.items() if k not in baseline_names}


def used_files(hs):
    p = run(hs.cc + hs.incflags + ["-w", "-M", hs.write("tu.c", hs.prelude())], hs.work)
    text = p.stdout.replace("\\\n", " ")
    return [os.path.realpath(t) for t in text.split()[1:] if t.endswith(".h")]


# ------------------------------------------------------------------ AST

def ast_decls(hs, baseline):
    """typedefs, structs (with fields) and functions declared by the TU."""
    src = hs.write("ast.c", hs.prelude())
    cmd = hs.clang + ["-x", "c", "-std=gnu11", "-w", "-fsyntax-only",
                      "-Xclang", "-ast-dump=json"] + hs.incflags + [src]
    p = run(cmd, hs.work)
    tu = json.loads(p.stdout)
    typedefs, records, functions = {}, {}, {}
    other = unhandled_kinds(tu)
    for k, n in other.items():
        if hs.label == "reference" and n > baseline["unhandled"].get(k, 0):
            # e.g. an enum or a typedef of an anonymous struct: the checks
            # below would not look inside it, so refuse rather than pass.
            raise CheckError("%s headers declare %s, which this checker does not compare"
                             % (hs.label, k))
    for node in tu.get("inner", []):
        if node.get("isImplicit"):
            continue
        kind, name = node.get("kind"), node.get("name")
        if not name:
            continue
        if kind == "TypedefDecl" and name not in baseline["typedefs"]:
            t = node["type"]
            typedefs[name] = t.get("qualType")
        elif kind == "RecordDecl" and node.get("completeDefinition") \
                and name not in baseline["records"]:
            fields = []
            for f in node.get("inner", []):
                if f.get("kind") == "FieldDecl":
                    fields.append((f["name"], f["type"]["qualType"],
                                   bool(f.get("isBitfield"))))
            records[(node.get("tagUsed", "struct"), name)] = fields
        elif kind == "FunctionDecl" and name not in baseline["functions"]:
            functions[name] = node["type"]["qualType"]
    return typedefs, records, functions


def unhandled_kinds(tu):
    """Declarations the comparison does not look into, by kind."""
    counts = {}
    for node in tu.get("inner", []):
        if node.get("isImplicit"):
            continue
        kind = node.get("kind")
        if kind in ("EnumDecl", "VarDecl") or \
                (kind == "RecordDecl" and not node.get("name")):
            key = kind if node.get("name") or kind != "RecordDecl" else "anonymous struct"
            counts[key] = counts.get(key, 0) + 1
    return counts


def baseline_decls(clang, work, system_headers):
    d = os.path.join(work, "baseline")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "b.c")
    with open(src, "w") as f:
        f.write("".join("#include <%s>\n" % h for h in system_headers))
    p = run(clang + ["-x", "c", "-std=gnu11", "-w", "-fsyntax-only",
                     "-Xclang", "-ast-dump=json", src], d)
    tu = json.loads(p.stdout)
    b = {"typedefs": set(), "records": set(), "functions": set(),
         "unhandled": unhandled_kinds(tu)}
    for node in tu.get("inner", []):
        name = node.get("name")
        if not name:
            continue
        if node.get("kind") == "TypedefDecl":
            b["typedefs"].add(name)
        elif node.get("kind") == "RecordDecl":
            b["records"].add(name)
        elif node.get("kind") == "FunctionDecl":
            b["functions"].add(name)
    return b


# ------------------------------------------------------- probe programs

def error_lines(stderr, filename):
    """Line numbers of `filename` that the compiler flagged as errors."""
    base = os.path.basename(filename)
    lines = set()
    for m in re.finditer(r'^(?:.*/)?%s:(\d+)(?::\d+)?: (?:fatal )?error' % re.escape(base),
                         stderr, re.M):
        lines.add(int(m.group(1)))
    return lines


def probe_rows(hs, name, head, rows, tail, link):
    """Compile `head + rows + tail`, dropping rows the compiler rejects.

    rows: list of (key, text). Returns (accepted keys, rejected keys, binary).
    Each row sits on its own line so an error names exactly one row.
    """
    live = list(rows)
    rejected = []
    flags = []
    if hs.macro_track_flag:
        flags.append(hs.macro_track_flag)
    for _ in range(64):
        first = head.count("\n") + 1
        text = head + "".join(t + "\n" for _, t in live) + tail
        p, out = hs.compile(name, text, flags, link=link)
        if p.returncode == 0:
            return [k for k, _ in live], rejected, out
        bad = error_lines(p.stderr, name)
        idx = {first + i for i in range(len(live))}
        hit = bad & idx
        if not hit:
            raise CheckError("%s: %s does not compile, and not because of a probe row:\n%s"
                             % (hs.label, name, p.stderr[-4000:]))
        keep = []
        for i, row in enumerate(live):
            if first + i in hit:
                rejected.append((row[0], None))
            else:
                keep.append(row)
        live = keep
    raise CheckError("%s: %s: too many compile rounds" % (hs.label, name))


def run_table(binary):
    p = run([binary], os.path.dirname(binary))
    res = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition("\t")
        res[k] = v
    return res


TABLE_HEAD = r'''
int printf(const char *, ...);
#define ABI_KIND(x) _Generic((x), _Bool: "bool", char: "char", \
	signed char: "schar", unsigned char: "uchar", short: "short", \
	unsigned short: "ushort", int: "int", unsigned int: "uint", \
	long: "long", unsigned long: "ulong", long long: "llong", \
	unsigned long long: "ullong", default: "other")
struct abi_row { const char *key; const char *kind; unsigned long long v; };
static const struct abi_row abi_rows[] = {
'''
TABLE_TAIL = r'''
{ 0, 0, 0 } };
int main(void)
{
	const struct abi_row *r;
	for (r = abi_rows; r->key; r++)
		printf("%s\t%s 0x%llx\n", r->key, r->kind, r->v);
	return 0;
}
'''


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def int_row(key, expr):
    return (key, "{ %s, ABI_KIND(%s), (unsigned long long)(%s) }," % (c_str(key), expr, expr))


# ---------------------------------------------------------------- checks

class Report:
    def __init__(self):
        self.problems = []
        self.notes = []

    def bad(self, what, items):
        for i in sorted(items):
            self.problems.append("%s: %s" % (what, i))

    def note(self, what, items):
        items = sorted(items)
        if items:
            self.notes.append("%s (%d): %s" % (what, len(items), " ".join(items)))


def check_macros(ref, ours, ref_m, our_m, rep):
    names = sorted(ref_m)
    missing = [n for n in names if n not in our_m]
    rep.bad("macro missing", missing)
    rep.note("macros only in ours", [n for n in our_m if n not in ref_m])
    present = [n for n in names if n in our_m]

    # function-like macros must keep their arity
    arity_bad = []
    for n in present:
        a, b = ref_m[n][0], our_m[n][0]
        if (a is None) != (b is None) or (a is not None and len(a) != len(b)):
            arity_bad.append("%s (reference %s, ours %s)" % (
                n, "object-like" if a is None else "%d params" % len(a),
                "object-like" if b is None else "%d params" % len(b)))
    rep.bad("macro kind/arity differs", arity_bad)
    bad_arity = {s.split()[0] for s in arity_bad}

    # Integer-valued probes: object-like macros as they are, function-like
    # ones applied to a few sample arguments.
    rows = []
    for n in present:
        if n in bad_arity:
            continue
        params = ref_m[n][0]
        if params is None:
            rows.append(int_row(n, n))
        elif params and params[-1] != "...":
            for sample in ("0", "1", "0x1234"):
                call = "%s(%s)" % (n, ", ".join([sample] * len(params)))
                rows.append(int_row(call, call))
        elif not params:
            rows.append(int_row(n + "()", n + "()"))
    head = ref.prelude() + TABLE_HEAD
    ok_ref, rej_ref, bin_ref = probe_rows(ref, "ints.c", head, rows, TABLE_TAIL, True)
    ok_set = set(ok_ref)
    rows_ok = [r for r in rows if r[0] in ok_set]
    head = ours.prelude() + TABLE_HEAD
    ok_our, rej_our, bin_our = probe_rows(ours, "ints.c", head, rows_ok, TABLE_TAIL, True)
    rep.bad("integer constant not an integer constant in ours", [k for k, _ in rej_our])
    vref, vour = run_table(bin_ref), run_table(bin_our)
    diff = ["%s (reference %s, ours %s)" % (k, vref[k], vour.get(k))
            for k in ok_our if vref.get(k) != vour.get(k)]
    rep.bad("constant differs", diff)

    # A macro whose sample-argument rows partly failed on the reference
    # (e.g. needs an lvalue) is compared by expansion instead.
    int_macros = set()
    for k in ok_set:
        int_macros.add(k.split("(")[0])
    rejected_macros = {k.split("(")[0] for k, _ in rej_ref}
    token_macros = [n for n in present
                    if n not in bad_arity and (n not in int_macros or n in rejected_macros)]

    # Token comparison of the full expansion.
    def expansions(hs):
        lines = []
        for i, n in enumerate(token_macros):
            params = ref_m[n][0]
            use = n if params is None else "%s(%s)" % (
                n, ", ".join("abi_arg%d" % j for j in range(len(params))))
            lines.append("ABI_BEGIN N%d ( %s ) ABI_END\n" % (i, use))
        src = hs.write("tok.c", hs.prelude() + "".join(lines))
        p = run(hs.cc + hs.incflags + ["-w", "-E", "-P", src], hs.work)
        got = {}
        for m in re.finditer(r'ABI_BEGIN N(\d+) \((.*?)\) ABI_END', p.stdout, re.S):
            got[token_macros[int(m.group(1))]] = m.group(2)
        return got

    eref, eour = expansions(ref), expansions(ours)
    tok_diff = []
    for n in token_macros:
        a, b = eref.get(n), eour.get(n)
        if a is None or b is None:
            raise CheckError("macro %s: expansion marker lost" % n)
        if norm_tokens(a) == norm_tokens(b):
            continue
        # Parenthesisation is style, not interface, for non-integer
        # expansions (calls, initialisers).
        if norm_tokens(a, True) == norm_tokens(b, True):
            continue
        tok_diff.append("%s (reference `%s`, ours `%s`)" % (n, a.strip(), b.strip()))
    rep.bad("macro expansion differs", tok_diff)
    return len(present), len(names)


def check_types(ref, ours, ref_ast, our_ast, rep):
    rtd, rrec, _ = ref_ast
    otd, orec, _ = our_ast
    rep.bad("typedef missing", [t for t in rtd if t not in otd])
    rep.note("typedefs only in ours", [t for t in otd if t not in rtd])
    rep.bad("struct missing", ["%s %s" % k for k in rrec if k not in orec])
    rep.note("structs only in ours", ["%s %s" % k for k in orec if k not in rrec])

    rows, asserts = [], []
    nmembers = 0
    for t in sorted(rtd):
        if t not in otd:
            continue
        rows.append(("sizeof %s" % t,
                     "{ %s, \"size\", sizeof(%s) }," % (c_str("sizeof " + t), t)))
        rows.append(("align %s" % t,
                     "{ %s, \"align\", _Alignof(%s) }," % (c_str("align " + t), t)))
        asserts.append(("typedef %s" % t,
                        "_Static_assert(__builtin_types_compatible_p(%s, %s), \"\");"
                        % (t, rtd[t])))
    for (tag, name), fields in sorted(rrec.items()):
        if (tag, name) not in orec:
            continue
        st = "%s %s" % (tag, name)
        rows.append(("sizeof " + st, "{ %s, \"size\", sizeof(%s) }," % (c_str("sizeof " + st), st)))
        rows.append(("align " + st, "{ %s, \"align\", _Alignof(%s) }," % (c_str("align " + st), st)))
        ofields = {f[0]: f for f in orec[(tag, name)]}
        rep.bad("struct member missing",
                ["%s.%s" % (st, f[0]) for f in fields if f[0] not in ofields])
        rep.note("struct members only in ours (%s)" % st,
                 [f for f in ofields if f not in {g[0] for g in fields}])
        # member order is part of the layout
        rorder = [f[0] for f in fields if f[0] in ofields]
        oorder = [f[0] for f in orec[(tag, name)] if f[0] in {g[0] for g in fields}]
        if rorder != oorder:
            rep.bad("struct member order differs", ["%s: reference %s, ours %s"
                                                    % (st, rorder, oorder)])
        for fname, ftype, bitfield in fields:
            if fname not in ofields:
                continue
            nmembers += 1
            k = "%s.%s" % (st, fname)
            if bitfield or ofields[fname][2]:
                if bitfield != ofields[fname][2] or ftype != ofields[fname][1]:
                    rep.bad("bit-field differs", [k])
                continue
            rows.append(("offset " + k, "{ %s, \"offset\", __builtin_offsetof(%s, %s) },"
                         % (c_str("offset " + k), st, fname)))
            rows.append(("sizeof " + k, "{ %s, \"size\", sizeof(((%s *)0)->%s) },"
                         % (c_str("sizeof " + k), st, fname)))
            asserts.append(("member " + k,
                            "_Static_assert(__builtin_types_compatible_p("
                            "__typeof__(((%s *)0)->%s), %s), \"\");" % (st, fname, ftype)))

    # type compatibility: the reference's declared types must be
    # compatible with ours, spelled as the reference spells them
    for hs, what in ((ref, "reference"), (ours, "ours")):
        ok, rej, _ = probe_rows(hs, "compat.c", hs.prelude(), asserts, "", False)
        if rej and what == "reference":
            raise CheckError("reference headers fail their own type probes: %s"
                             % ", ".join(k for k, _ in rej))
        rep.bad("type incompatible", [k for k, _ in rej])

    head = ref.prelude() + TABLE_HEAD
    ok_ref, rej_ref, bin_ref = probe_rows(ref, "layout.c", head, rows, TABLE_TAIL, True)
    if rej_ref:
        raise CheckError("reference headers fail their own layout probes: %s"
                         % ", ".join(k for k, _ in rej_ref))
    head = ours.prelude() + TABLE_HEAD
    ok_our, rej_our, bin_our = probe_rows(ours, "layout.c", head, rows, TABLE_TAIL, True)
    rep.bad("layout probe does not compile with ours", [k for k, _ in rej_our])
    vref, vour = run_table(bin_ref), run_table(bin_our)
    rep.bad("layout differs", ["%s (reference %s, ours %s)" % (k, vref[k], vour.get(k))
                               for k in ok_our if vref.get(k) != vour.get(k)])
    return len(rtd) + len(rrec), nmembers


def check_functions(ref, ours, ref_ast, our_ast, rep):
    rfn = ref_ast[2]
    ofn = our_ast[2]
    rep.bad("function missing", [f for f in rfn if f not in ofn])
    rep.note("functions only in ours", [f for f in ofn if f not in rfn])
    rows = []
    for f in sorted(rfn):
        if f not in ofn:
            continue
        qt = rfn[f]
        i = qt.index("(")
        rows.append((f, "%s %s%s;" % (qt[:i].rstrip(), f, qt[i:])))
    for hs, what in ((ref, "reference"), (ours, "ours")):
        ok, rej, _ = probe_rows(hs, "proto.c", hs.prelude(), rows, "", False)
        if rej and what == "reference":
            raise CheckError("reference prototypes fail to redeclare: %s"
                             % ", ".join(k for k, _ in rej))
        rep.bad("prototype incompatible", [k for k, _ in rej])
    return len(rfn)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="our include directory")
    ap.add_argument("--reference", default="/usr/include")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--clang", default=os.environ.get("CLANG", "clang"))
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    cc = shlex.split(args.cc)
    clang = shlex.split(args.clang)
    refdir = os.path.realpath(args.reference)
    ourdir = os.path.realpath(args.ours)

    # Every public header of the reference, the umbrella first (the
    # reference's trousers.h expects tss.h before it).
    headers = ["trousers/tss.h"]
    for sub in ("tss", "trousers"):
        for h in sorted(os.listdir(os.path.join(refdir, sub))):
            if h.endswith(".h") and "%s/%s" % (sub, h) not in headers:
                headers.append("%s/%s" % (sub, h))

    rep = Report()
    missing_hdr = [h for h in headers if not os.path.isfile(os.path.join(ourdir, h))]
    rep.bad("header missing", missing_hdr)
    our_headers = [h for h in headers if h not in missing_hdr]

    work = tempfile.mkdtemp(prefix="abi_check.")
    try:
        ref = HeaderSet("reference", [], headers, cc, clang, work)
        ours = HeaderSet("ours", ["-I" + ourdir], our_headers, cc, clang, work)

        # gcc reports errors inside macro expansions at the macro's own
        # line unless told otherwise; we need the probe line.
        flag_test = os.path.join(work, "flag.c")
        with open(flag_test, "w") as f:
            f.write("int x;\n")
        p = run(cc + ["-ftrack-macro-expansion=0", "-Werror", "-fsyntax-only", flag_test],
                work, check=False)
        track = "-ftrack-macro-expansion=0" if p.returncode == 0 else None
        ref.macro_track_flag = ours.macro_track_flag = track

        # Our headers must be self-sufficient: not one file of the
        # reference may be pulled in when compiling against ours.
        leaks = [f for f in used_files(ours)
                 if f.startswith(os.path.join(refdir, "tss") + os.sep)
                 or f.startswith(os.path.join(refdir, "trousers") + os.sep)]
        rep.bad("our headers include a reference header", leaks)

        system = ["stddef.h", "stdint.h", "stdlib.h"]
        bhs = HeaderSet("baseline", [], system, cc, clang, work)
        bhs.macro_track_flag = track
        pb = run(cc + ["-w", "-dM", "-E", bhs.write("b.c", bhs.prelude())], bhs.work)
        baseline_macros = set(parse_dm(pb.stdout))

        ref_m = macro_table(ref, baseline_macros)
        our_m = macro_table(ours, baseline_macros)
        nconst, _ = check_macros(ref, ours, ref_m, our_m, rep)

        base = baseline_decls(clang, work, system)
        ref_ast = ast_decls(ref, base)
        our_ast = ast_decls(ours, base)
        ntypes, nmembers = check_types(ref, ours, ref_ast, our_ast, rep)
        nfuncs = check_functions(ref, ours, ref_ast, our_ast, rep)
    except CheckError as e:
        print("abi: CHECK BROKEN: %s" % e, file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print("abi: work directory kept: %s" % work)
        else:
            subprocess.run(["rm", "-rf", work])

    for n in rep.notes:
        print("abi: note: %s" % n)
    if rep.problems:
        for pr in rep.problems:
            print("abi: FAIL: %s" % pr)
        print("abi: %d difference(s) against %s" % (len(rep.problems), refdir))
        return 1
    print("abi: %d constants, %d types (%d members), %d prototypes identical"
          % (nconst, ntypes, nmembers, nfuncs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
