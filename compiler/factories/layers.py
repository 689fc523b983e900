"""Lambda layers built from a function's `requirements`: one layer version per distinct
(requirements file content, runtime, architecture), shared by every function that needs it.

Content-addressed (compiler/layers.py): the name carries the content hash, so the layer changes
only when the file, the runtime or the architecture does. The build (pip, manylinux binary wheels)
runs only when the real engine runs the program; the offline plan never needs the network and
shows the archive the build will write, `.build/layers/<hash>.zip`.
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .. import layers as layer_builds
from ..context import BuildContext
from ..model import Function

BUILD_DIR = ".build/layers"
LAYER_NAME_MAX = 140


def layer_for(ctx: BuildContext, fn: Function) -> aws.lambda_.LayerVersion:
    requirements = ctx.project_root / fn.requirements
    digest = layer_builds.layer_hash(requirements, fn.runtime, fn.architecture)
    if digest not in ctx.layers:
        out_dir = ctx.project_root / BUILD_DIR
        path = (f"{BUILD_DIR}/{digest}.zip" if ctx.offline
                else str(layer_builds.build_layer(requirements, fn.runtime, fn.architecture, out_dir)))
        ctx.layers[digest] = aws.lambda_.LayerVersion(
            ctx.naming.logical(f"layer-{digest[:16]}"),
            layer_name=ctx.naming.physical(f"deps-{digest[:16]}", LAYER_NAME_MAX),
            description=f"{fn.requirements} for {fn.runtime} {fn.architecture}, sha256 {digest}",
            compatible_runtimes=[fn.runtime],
            compatible_architectures=[fn.architecture],
            code=pulumi.FileArchive(path),
            opts=ctx.opts(ctx.root))
    return ctx.layers[digest]
