"""The LLVM 22 -> LLVM 19 textual IR downgrade of the ROCm target, on IR snippets (issue 7).

Each rule gets a snippet in LLVM 22 syntax and the text LLVM 19 must see. Where Debian's
`opt-19` is installed, the snippets are also fed to it: the original must be rejected (else the
rule is dead weight) and the rewrite accepted.
"""

import shutil
import subprocess

import pytest

from qdmlir.passes.targets.llvm_ir_downgrade import downgrade_to_llvm19

OPT19 = shutil.which("opt-19")

INTRINSIC_ATTRIBUTE = """\
declare float @llvm.exp.f32(float) #0

attributes #0 = { nocallback nocreateundeforpoison nofree nosync nounwind speculatable willreturn memory(none) }
"""

SAMESIGN = """\
define i1 @f(i32 %a, i32 %b) {
  %c = icmp samesign ult i32 %a, %b
  ret i1 %c
}
"""

CAPTURES_NONE = "declare void @f(ptr captures(none))\n"
CAPTURES_SOME = "declare void @f(ptr captures(address, read_provenance) noundef)\n"
DEAD_ON_RETURN = "declare void @f(ptr dead_on_return %p)\n"

ERRNOMEM = """\
declare float @g(float) #0

attributes #0 = { nounwind memory(argmem: read, errnomem: write) }
"""

STRINGS = """\
@s = private constant [28 x i8] c"nocreateundeforpoison here\\00"
!0 = !{!"icmp samesign ult"}
"""

CASES = {
    "nocreateundeforpoison": (
        INTRINSIC_ATTRIBUTE,
        INTRINSIC_ATTRIBUTE.replace("nocreateundeforpoison ", ""),
    ),
    "samesign": (SAMESIGN, SAMESIGN.replace("icmp samesign ult", "icmp ult")),
    "captures-none": (CAPTURES_NONE, "declare void @f(ptr nocapture)\n"),
    "captures-some": (CAPTURES_SOME, "declare void @f(ptr noundef)\n"),
    "dead_on_return": (DEAD_ON_RETURN, "declare void @f(ptr %p)\n"),
    "errnomem": (ERRNOMEM, ERRNOMEM.replace(", errnomem: write", "")),
}


@pytest.mark.parametrize("case", CASES)
def test_each_llvm22_construct_is_rewritten(case):
    snippet, expected = CASES[case]
    assert downgrade_to_llvm19(snippet) == expected


def test_string_constants_and_metadata_strings_are_left_alone():
    assert downgrade_to_llvm19(STRINGS) == STRINGS


def test_ir_without_new_constructs_is_unchanged():
    text = "define i32 @f(i32 %a) {\n  %b = add nsw i32 %a, 1\n  ret i32 %b\n}\n"
    assert downgrade_to_llvm19(text) == text


def test_errnomem_first_in_the_list_is_dropped_too():
    line = "attributes #0 = { memory(errnomem: write, argmem: read) }\n"
    assert downgrade_to_llvm19(line) == "attributes #0 = { memory(argmem: read) }\n"


def _opt19(text: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [OPT19, "-S", "-o", "/dev/null"], input=text, capture_output=True, text=True
    )


@pytest.mark.parametrize("case", CASES)
def test_opt19_rejects_the_original_and_reads_the_rewrite(case):
    snippet, _ = CASES[case]
    if OPT19 is None:
        pytest.skip(
            "opt-19 is not on PATH (sudo apt-get install llvm-19): the rewrite is "
            "checked against the expected text only"
        )
    assert _opt19(snippet).returncode != 0, "LLVM 19 reads this already: the rule is not needed"
    done = _opt19(downgrade_to_llvm19(snippet))
    assert done.returncode == 0, done.stderr
