"""LLVM 22 textual IR -> text that LLVM 19's `opt-19` / `llc-19` parse (gpu-feasibility.md Q4).

The ROCm target translates with the bindings' LLVM 22 and compiles with Debian's LLVM 19 (the
only AMDGPU back end at hand). Textual IR is not backward compatible, so each construct newer
than LLVM 19 that the translation can emit is rewritten here, one rule per construct, each
meaning-preserving or dropping only an optimisation hint:

| LLVM 22 | LLVM 19 | why it is safe |
|---|---|---|
| `nocreateundeforpoison` (intrinsic attribute) | dropped | a hint for optimisations |
| `icmp samesign` | `icmp` | a hint: operands have the same sign |
| `captures(none)` | `nocapture` | the same fact, LLVM 19's spelling |
| other `captures(...)`, `dead_on_return` | dropped | hints (may capture; may be read later) |
| `memory(..., errnomem: X, ...)` | the entry dropped | LLVM 19 has no errno location |

Only attribute positions are touched: string constants and metadata strings are left alone.
The data layout stays LLVM 22's: LLVM 19 reads it (its `p8` index width differs from LLVM 19's
own, and qdmlir's kernels use no buffer-resource pointers). Tests check that LLVM 19 rejects
each construct as written, so no rule stays once nothing needs it.
"""

from __future__ import annotations

import re

_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(?<=[\s{(])nocreateundeforpoison(?=[\s})])"), ""),
    (re.compile(r"\bicmp samesign\b"), "icmp"),
    (re.compile(r"(?<=[\s(])captures\(none\)"), "nocapture"),
    (re.compile(r"(?<=[\s(])captures\([^()]*\)"), ""),
    (re.compile(r"(?<=[\s(])dead_on_return(?=[\s,)])"), ""),
    (re.compile(r",\s*errnomem:\s*\w+|errnomem:\s*\w+,\s*"), ""),
]


def downgrade_to_llvm19(text: str) -> str:
    """`text` with every LLVM 20-22 construct listed in the module docstring rewritten."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not _has_strings(line):
            rewritten = line
            for pattern, replacement in _RULES:
                rewritten = pattern.sub(replacement, rewritten)
            if rewritten != line:
                line = re.sub(r"(?<=\S)  +(?=\S)", " ", rewritten)  # a dropped word's space
        lines.append(line)
    return "".join(lines)


def _has_strings(line: str) -> bool:
    """Lines holding string data (`c"..."`, `!"..."`) are copied as they are."""
    return 'c"' in line or '!"' in line
