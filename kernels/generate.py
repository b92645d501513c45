#!/usr/bin/env python3
"""Writes the generated kernel variants: one C file per line of each variants.txt.

usage: generate.py --out DIR [--list] kernels/<group>/variants.txt ...

Each line of a variants.txt names one kernel file and the template it comes from:

    <family>-<isa>[-<algo>]-u<N>.c   <template>.c.in   [NAME=value ...]

split as a shell would (a value with spaces is quoted; `#` starts a comment).
The file is written to DIR/<group>/ with a banner naming its template, and only when
its text changed (so an unchanged variant is not recompiled). The template sees the
line's NAME=value pairs (a value that reads as an integer is one) plus, from the file
name (kernels/NAMING.md): FAMILY (f32_f16_cvt), ISA (avx2), ALGO (the algorithm token,
"" where the name has none), N (the tile, an integer) and FN
(qb_f32_f16_cvt_ukernel__avx2_u32; qb_<family>_ukernel__<isa>_<algo>_u<N> with an ALGO).
The ISA is the token before -u<N> when isa.inc lists it, else the one before that, and
the last token is then the algorithm's (the family's tokens are not known here).
Stdout: the paths written or kept, one a line, for CMake. --list prints them without
writing anything.

Template language (kernels/README.md, "Generated variants"):
  - a line whose first non-blank character is `$` is Python: `$for i in range(U):`,
    `$if TAIL == "mask":`, `$elif ...:`, `$else:`, `$def f(x):` open a block, `$end` closes it, and any
    other statement (`$B = N // U`) runs as written;
  - in every other line `${expr}` is replaced by the value of the Python expression.
Only the Python standard library is used: python3 is all a build needs.
"""
import argparse
import os
import re
import shlex
import sys

NAME = re.compile(r"^([a-z0-9_]+(?:-[a-z0-9_]+)+)-u([0-9]+)\.c$")
ALGO = re.compile(r"[a-z][a-z0-9]*")
ISA_LINE = re.compile(r"^QB_ISA\(([a-z0-9]+),")
SUBST = re.compile(r"\$\{([^}]*)\}")
BLOCK_OPEN = re.compile(r"^(for|if|while|with|def)\b.*:$")
BLOCK_TURN = re.compile(r"^(elif\b.*|else):$")


class TemplateError(Exception):
    pass


def compile_template(path):
    """Translates a template into Python source that appends its lines to `_out`."""
    code, depth = [], 0
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        pad = "  " * depth
        if stripped.startswith("$") and not stripped.startswith("${"):
            stmt = stripped[1:].strip()
            if stmt == "end":
                if depth == 0:
                    raise TemplateError(f"{path}:{number}: $end without a block")
                depth -= 1
            elif BLOCK_TURN.match(stmt):
                if depth == 0:
                    raise TemplateError(f"{path}:{number}: ${stmt} without $if")
                code.append("  " * (depth - 1) + stmt + f"  # line {number}")
                code.append("  " * depth + "pass")
            elif BLOCK_OPEN.match(stmt):
                code.append(pad + stmt + f"  # line {number}")
                code.append("  " * (depth + 1) + "pass")
                depth += 1
            else:
                code.append(pad + stmt + f"  # line {number}")
            continue
        parts, last = [], 0
        for m in SUBST.finditer(line):
            parts.append(repr(line[last:m.start()]))
            parts.append(f"str({m.group(1)})")
            last = m.end()
        parts.append(repr(line[last:]))
        code.append(pad + "_out.append(" + " + ".join(parts) + f")  # line {number}")
    if depth != 0:
        raise TemplateError(f"{path}: {depth} block(s) without $end")
    return compile("\n".join(code) + "\n", path, "exec")


def value(text):
    return int(text) if re.fullmatch(r"-?[0-9]+", text) else text


def read_isas(path):
    """The ISA tokens of isa.inc (kernels/NAMING.md's closed list)."""
    with open(path, encoding="utf-8") as f:
        return {m.group(1) for m in map(ISA_LINE.match, f) if m}


def split_name(name, isas, where):
    """(family, isa, algo, tile) of <family>-<isa>[-<algo>]-u<N>.c; algo "" where none."""
    m = NAME.match(name)
    if not m:
        raise TemplateError(f"{where}: {name} is not <family>-<isa>[-<algo>]-u<N>.c (NAMING.md)")
    tokens, tile = m.group(1).split("-"), int(m.group(2))
    if tokens[-1] in isas:
        return "_".join(tokens[:-1]), tokens[-1], "", tile
    if len(tokens) >= 3 and tokens[-2] in isas and ALGO.fullmatch(tokens[-1]):
        return "_".join(tokens[:-2]), tokens[-2], tokens[-1], tile
    raise TemplateError(f"{where}: {name}: unknown ISA token '{tokens[-1]}' (isa.inc), and no ISA "
                        f"token before it to make it an algorithm token (NAMING.md)")


def read_variants(path, isas):
    """Yields (line number, output name, template path, parameters) for each line."""
    here = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                words = shlex.split(line, comments=True)
            except ValueError as e:
                raise TemplateError(f"{path}:{number}: {e}") from e
            if not words:
                continue
            if len(words) < 2:
                raise TemplateError(f"{path}:{number}: want '<file>.c <template>.c.in [NAME=value ...]'")
            name, template = words[0], os.path.join(here, words[1])
            family, isa, algo, tile = split_name(name, isas, f"{path}:{number}")
            variant = f"{isa}_{algo}_u{tile}" if algo else f"{isa}_u{tile}"
            params = {"FAMILY": family, "ISA": isa, "ALGO": algo, "N": tile, "FN": f"qb_{family}_ukernel__{variant}"}
            for word in words[2:]:
                key, eq, val = word.partition("=")
                if not eq or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
                    raise TemplateError(f"{path}:{number}: '{word}' is not NAME=value")
                params[key] = value(val)
            yield number, name, template, params


def render(template_code, template_path, params, where):
    scope = dict(params)
    scope["_out"] = []
    try:
        exec(template_code, scope)
    except Exception as e:  # a template bug or a missing NAME: say which line asked
        raise TemplateError(f"{where}: {template_path}: {type(e).__name__}: {e}") from e
    return "\n".join(scope["_out"]) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the folder that receives <group>/<file>.c")
    parser.add_argument("--list", action="store_true", help="print the outputs, write nothing")
    parser.add_argument("variants", nargs="+", help="kernels/<group>/variants.txt files")
    args = parser.parse_args(argv)
    kernels = os.path.dirname(os.path.abspath(__file__))
    compiled, seen = {}, {}
    try:
        isas = read_isas(os.path.join(kernels, "isa.inc"))
        for variants in args.variants:
            group = os.path.basename(os.path.dirname(os.path.abspath(variants)))
            for number, name, template, params in read_variants(variants, isas):
                where = f"{variants}:{number}"
                if name in seen:
                    raise TemplateError(f"{where}: {name} already comes from {seen[name]}")
                seen[name] = where
                if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(variants)), name)):
                    raise TemplateError(f"{where}: {name} is also a hand-written file: keep one")
                out = os.path.join(args.out, group, name)
                print(out)
                if args.list:
                    continue
                if template not in compiled:
                    compiled[template] = compile_template(template)
                rel_t = os.path.relpath(template, os.path.dirname(kernels))
                rel_v = os.path.relpath(os.path.abspath(variants), os.path.dirname(kernels))
                banner = (f"/* Generated by kernels/generate.py from {rel_t} and the line\n"
                          f" * {name} of {rel_v}. Do not edit: change those. */\n")
                text = banner + render(compiled[template], rel_t, params, where)
                os.makedirs(os.path.dirname(out), exist_ok=True)
                try:
                    with open(out, encoding="utf-8") as f:
                        if f.read() == text:
                            continue
                except FileNotFoundError:
                    pass
                with open(out, "w", encoding="utf-8") as f:
                    f.write(text)
    except (TemplateError, OSError, SyntaxError) as e:
        print(f"kernels/generate.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
