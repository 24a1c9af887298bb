"""C++ (and gRPC) code generation with the system protoc.

Native proto_library/cc_proto_library would fetch @com_google_protobuf, so a
genrule runs Debian's /usr/bin/protoc with the grpc_cpp_plugin instead. Import
paths are rooted at //protos (the public API) and at the calling package, so
`import "voice/api/sessions/v1/sessions.proto"` works from any package.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

def proto_cc_library(name, srcs, proto_deps = [], deps = [], grpc = False, **kwargs):
    """Generates <name>: a cc_library of the messages (and services) in srcs.

    Args:
      name: the cc_library name.
      srcs: .proto files of this package to compile.
      proto_deps: labels of .proto files (or filegroups) that srcs import.
      deps: cc_library targets generated from proto_deps.
      grpc: also generate gRPC service stubs.
      **kwargs: passed to the cc_library (visibility, testonly, ...).
    """
    pkg = native.package_name()
    outs = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs += [base + ".pb.h", base + ".pb.cc"]
        if grpc:
            outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    grpc_flags = ""
    if grpc:
        grpc_flags = ("--grpc_out=$(GENDIR)/%s " % pkg +
                      "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin ")
    native.genrule(
        name = name + "_gen",
        srcs = srcs + proto_deps,
        outs = outs,
        cmd = ("/usr/bin/protoc -Iprotos -I%s --cpp_out=$(GENDIR)/%s %s" % (pkg, pkg, grpc_flags) +
               " ".join(["%s/%s" % (pkg, s) for s in srcs])),
        testonly = kwargs.get("testonly", False),
    )
    cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        includes = ["."],
        deps = deps + ["@sys//:grpc"],
        **kwargs
    )
