"""Repository rule exposing Debian system libraries to Bazel via pkg-config.

Writes @sys//:BUILD with linkopts-only cc_library targets; headers come from
/usr/include, which gcc always searches. Fails loudly when a library is
missing so the error names the Debian package to install.
"""

# name -> (pkg-config modules, extra linkopts placed first, Debian package)
_LIBS = {
    "grpc": (["grpc++", "protobuf"], ["-lgrpc++_reflection"], "libgrpc++-dev"),
    "protobuf": (["protobuf"], [], "libprotobuf-dev"),
    "absl": ([
        "absl_flags",
        "absl_flags_parse",
        "absl_status",
        "absl_statusor",
        "absl_strings",
        "absl_str_format",
        "absl_time",
        "absl_synchronization",
        "absl_random_random",
        "absl_hash",
        "absl_raw_hash_set",
    ], [], "libabsl-dev"),
    "sqlitecpp": (["sqlite3"], ["-lSQLiteCpp"], "libsqlitecpp-dev"),
    "gtest": (["gtest_main", "gmock"], [], "libgtest-dev libgmock-dev"),
    "gtest_nomain": (["gtest", "gmock"], [], "libgtest-dev libgmock-dev"),
    "ssl": (["libcrypto"], [], "libssl-dev"),
    "zlib": (["zlib"], [], "zlib1g-dev"),
    "spdlog": (["spdlog"], [], "libspdlog-dev"),
    "prometheus": (["prometheus-cpp-core"], [], "prometheus-cpp-dev"),
    "tcmalloc": (["libtcmalloc_minimal"], [], "libgoogle-perftools-dev"),
    "pq": (["libpq"], [], "libpq-dev"),
}

_EXTRA = """
cc_library(
    name = "boost",
    linkopts = ["-lpthread"],
)

cc_library(
    name = "boost_url",
    linkopts = ["-lboost_url"],
)

cc_library(
    name = "rapidjson",
    defines = ["RAPIDJSON_HAS_STDSTRING=1"],
)
"""

def _impl(rctx):
    out = ['package(default_visibility = ["//visibility:public"])']
    for name, (mods, extra, pkg) in _LIBS.items():
        cflags = rctx.execute(["pkg-config", "--cflags"] + mods)
        libs = rctx.execute(["pkg-config", "--libs"] + mods)
        if cflags.return_code != 0 or libs.return_code != 0:
            fail("pkg-config cannot find %s (apt-get install %s): %s" %
                 (mods, pkg, libs.stderr))
        defines = [f[2:] for f in cflags.stdout.strip().split(" ") if f.startswith("-D")]
        linkopts = extra + [l for l in libs.stdout.strip().split(" ") if l]
        out.append("cc_library(name = %r, defines = %r, linkopts = %r)" %
                   (name, defines, linkopts))
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.file("BUILD", "\n".join(out) + _EXTRA)

system_libs = repository_rule(
    implementation = _impl,
    local = True,
    environ = ["PKG_CONFIG_PATH"],
)
