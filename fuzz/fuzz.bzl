"""fuzz_target: one libFuzzer target and its corpus replay test.

For a target NAME (NAME.cc defines LLVMFuzzerTestOneInput):
  NAME              the libFuzzer binary; clang only (`--config=fuzz`), so
                    tagged manual and left out of `bazel test //...`;
  NAME_corpus_test  a test in every configuration (gcc, ASan): it runs every
                    input of fuzz/corpus/NAME/ through the target once, so
                    the checked-in corpus (seeds and what fuzzing found) stays
                    a regression suite.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")

def fuzz_target(name, deps):
    cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = [name + ".cc"],
        deps = deps,
        alwayslink = True,
    )
    cc_binary(
        name = name,
        testonly = True,
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
        deps = [":" + name + "_lib"],
    )
    cc_test(
        name = name + "_corpus_test",
        size = "small",
        args = ["fuzz/corpus/" + name],
        data = native.glob(["corpus/" + name + "/*"]),
        deps = [
            ":" + name + "_lib",
            ":corpus_main",
        ],
    )
