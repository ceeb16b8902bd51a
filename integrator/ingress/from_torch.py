"""PyTorch ingress: torch.export -> decompositions -> torch-mlir's FX importer.

The FX importer is the copy bundled with iree-base-compiler. It freezes parameters and
buffers into the module, and is ~50x faster than ``torch_mlir.fx.export_and_import``, which
converts weights through Python lists and leaves batch-norm statistics as function arguments.

Forward arguments that are not tensors (Python scalars, bools, None) are baked into the
graph by torch.export; their placeholders are dropped so the compiled function takes only
the tensors. A model that modifies an input in place returns the input's new value as an
extra (leading) result of the compiled function; the reference holds eager's new value for it.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
from typing import NoReturn

from ..core.errors import StageError
from . import winograd
from .importer import STAGE, Imported, first_line, signature
from .models import ModelFile, build
from .sizing import ensure_fits, measure


def small_decompositions() -> dict:
    """``median`` and ``kthvalue`` along a dimension through a sort (a bitonic network,
    ``sorting.py``), which IREE lowers and they it does not (torch's median is the lower one:
    index ``(n - 1) // 2``); ``abs`` of a complex tensor through its real and imaginary parts."""
    import torch

    from .sorting import MAX_LENGTH, bitonic_sort

    aten = torch.ops.aten

    def select(x, dim, position, keepdim):
        if x.dim() and x.shape[dim] <= MAX_LENGTH:
            values, indices = bitonic_sort(x, dim)  # IREE's own sort is quadratic per row
        else:
            values, indices = aten.sort.default(x, dim)
        value = aten.narrow.default(values, dim, position, 1)
        index = aten.narrow.default(indices, dim, position, 1)
        if not keepdim:
            value, index = value.squeeze(dim), index.squeeze(dim)
        return value, index

    def median(x, dim=0, keepdim=False):
        dim = dim % max(x.dim(), 1)
        return select(x, dim, (x.shape[dim] - 1) // 2, keepdim)

    def kthvalue(x, k, dim=-1, keepdim=False):
        dim = dim % max(x.dim(), 1)
        return select(x, dim, k - 1, keepdim)

    def complex_abs(x):
        # |z| of a complex tensor (e.g. after torch.fft): IREE lowers abs only on reals
        if not x.is_complex():
            return NotImplemented
        parts = aten.view_as_real.default(x)
        return aten.sqrt.default(aten.sum.dim_IntList(aten.mul.Tensor(parts, parts), [-1]))

    return {aten.median.dim: median, aten.kthvalue.default: kthvalue, aten.abs.default: complex_abs}


def _decomposition_table(conv_rewrites: bool, dilated_as_phases: bool = False):
    # torch's default table leaves _native_batch_norm_legit_no_training, which IREE cannot
    # legalize; torch-mlir's list decomposes it.
    import torch
    from torch_mlir.extras.fx_decomp_util import get_decomposition_table

    aten = torch.ops.aten
    table = dict(get_decomposition_table())
    # `a & b` on tensors traces to aten.__and__.Tensor, which IREE cannot legalize (seen with
    # transformers' attention masks); it is bitwise_and, which IREE lowers. Same for | and ^.
    table[aten.__and__.Tensor] = lambda a, b: aten.bitwise_and.Tensor(a, b)
    table[aten.__or__.Tensor] = lambda a, b: aten.bitwise_or.Tensor(a, b)
    table[aten.__xor__.Tensor] = lambda a, b: aten.bitwise_xor.Tensor(a, b)
    table |= _project_decompositions()
    if conv_rewrites:
        from .conv_rewrites import decompositions

        table |= decompositions(dilated_as_phases=dilated_as_phases)
    return table


@functools.cache  # built once: the table and the import record's list both read it
def _project_decompositions() -> dict:
    """Ops the importer or IREE cannot take, with a decomposition in torch's own tables: the
    recurrent layers (their weights arrive as a list, which the FX importer refuses) and
    logsumexp (its lowering leaves a constant IREE cannot legalize); and the project's own."""
    import torch
    from torch._decomp import get_decompositions

    aten = torch.ops.aten
    return get_decompositions([aten.lstm.input, aten.gru.input, aten.rnn_tanh.input,
                               aten.rnn_relu.input, aten.logsumexp.default]) | small_decompositions()


def _register_attention_flops() -> None:
    """torch's FLOP counter knows the GPU attention kernels, not the CPU one that
    ``scaled_dot_product_attention`` runs here: without this, attention counts nothing."""
    import torch
    from torch.utils.flop_counter import flop_registry, register_flop_formula, sdpa_flop_count

    op = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu
    if op not in flop_registry:
        @register_flop_formula(op)
        def _(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
            return sdpa_flop_count(query_shape, key_shape, value_shape)


def count_flops(exported, inputs) -> int | None:
    """FLOPs of the exported, decomposed graph (what the compiler gets), run on fake tensors:
    shapes only, nothing computed. Counting eager misses what eager runs fused (e.g.
    ``nn.MultiheadAttention``'s fast path in eval mode: 67 of 105 MFLOP counted). None where
    the graph does not run on fake tensors."""
    import torch
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.utils import _pytree
    from torch.utils.flop_counter import FlopCounterMode

    _register_attention_flops()
    try:
        with FakeTensorMode(allow_non_fake_inputs=True) as mode:
            fakes = _pytree.tree_map(
                lambda x: mode.from_tensor(x) if isinstance(x, torch.Tensor) else x, inputs)
            with FlopCounterMode(display=False) as counter, torch.no_grad():
                exported.module()(*fakes)
    except Exception:
        return None
    return counter.get_total_flops()


def _tensor_leaves(value, what: str, model: ModelFile) -> list:
    import torch
    from torch.utils import _pytree

    leaves = _pytree.tree_leaves(value)
    for leaf in leaves:
        if not isinstance(leaf, torch.Tensor):
            raise StageError(
                model.name, STAGE, f"{what} contain a {type(leaf).__name__}; only tensors are "
                "supported there", hint="return tensors only (a tuple, list or dict of them)",
            )
    return leaves


def _ops(exported) -> set[str]:
    return {str(node.target) for node in exported.graph.nodes if node.op == "call_function"}


def _export(model: ModelFile, instance, inputs):
    """(the exported program after decompositions, the ops of the model they removed: e.g.
    ``aten.gru.input``, ``aten.median.dim``, the convolutions computed by Winograd)."""
    import torch

    try:
        exported = torch.export.export(instance, tuple(inputs))
    except Exception as error:
        _export_failed(model, instance, inputs, error)
    before = _ops(exported)
    rewritten = []
    if model.settings.winograd:
        try:
            rewritten = winograd.rewrite(exported)
        except Exception as error:
            raise StageError(model.name, STAGE, f"the Winograd rewrite failed: {first_line(error)}",
                             hint="set WINOGRAD = False in the model file to import its "
                             "convolutions as they are") from error
    try:
        decomposed = exported.run_decompositions(_decomposition_table(
            model.settings.conv_rewrites, model.settings.dilated_as_phases))
    except Exception as error:
        _export_failed(model, instance, inputs, error)
    ours = {str(op) for op in _project_decompositions()}  # not torch's routine ones
    return decomposed, sorted((before - _ops(decomposed)) & ours), rewritten


def _export_failed(model: ModelFile, instance, inputs, error: Exception) -> NoReturn:
    """Raise the clearer of eager's error and the exporter's."""
    import torch

    try:  # a forward() that fails in eager too is the clearer message
        with torch.no_grad():
            copy.deepcopy(instance)(*copy.deepcopy(inputs))
    except Exception as eager_error:
        raise StageError(
            model.name, STAGE, f"forward() fails in torch eager: {first_line(eager_error)}"
        ) from eager_error
    raise StageError(
        model.name, STAGE, f"torch.export failed: {first_line(error)}",
        hint="forward() must be traceable by torch.export (no data-dependent Python "
        "control flow, no unsupported Python objects)", kind="export",
    ) from error


def _drop_constant_inputs(exported) -> list[bool]:
    """Remove the placeholders of non-tensor user inputs; which user inputs are tensors."""
    from torch.export.graph_signature import InputKind, TensorArgument

    user = [s for s in exported.graph_signature.input_specs if s.kind == InputKind.USER_INPUT]
    placeholders = {n.name: n for n in exported.graph.nodes if n.op == "placeholder"}
    for spec in user:
        if not isinstance(spec.arg, TensorArgument):
            node = placeholders.get(spec.arg.name)
            if node is not None and not node.users:  # baked in: nothing reads it
                exported.graph.erase_node(node)
    return [isinstance(s.arg, TensorArgument) for s in user]


def _include_non_persistent_buffers(exported) -> None:
    """The FX importer looks buffers up in ``state_dict``; torch.export keeps non-persistent
    ones (e.g. BERT's ``position_ids``) in ``constants``."""
    from torch.export.graph_signature import InputKind

    for spec in exported.graph_signature.input_specs:
        if spec.kind == InputKind.BUFFER and spec.target not in exported.state_dict:
            exported.state_dict[spec.target] = exported.constants[spec.target]


def _numpy(model: ModelFile, tensor, what: str):
    try:
        return tensor.detach().numpy()
    except TypeError as error:  # e.g. bfloat16, which numpy does not have
        raise StageError(model.name, STAGE, f"{what} cannot be stored as a numpy array: "
                         f"{first_line(error)}") from error


def to_mlir(exported, *, conv_rewrites: bool):
    """(the decomposed program as a verified torch-dialect ``ir.Module``, the names of the
    depthwise convolutions made channels-last in it): IREE's FX importer, then, with
    ``conv_rewrites``, the rewrite that works on the imported module (``depthwise_nhwc.py``).
    The import stage and the torch.compile backend both import through here."""
    from iree.compiler import ir
    from iree.compiler.extras.fx_importer import FxImporter

    from . import depthwise_nhwc

    importer = FxImporter(context=ir.Context())
    importer.import_frozen_program(exported, func_name="main")
    importer.module.operation.verify()
    channels_last = []
    if conv_rewrites:
        channels_last = [conv.name for conv in depthwise_nhwc.rewrite(importer.module)]
        importer.module.operation.verify()
    return importer.module, channels_last


def import_file(model: ModelFile) -> Imported:
    import torch
    from torch.export.graph_signature import InputKind, OutputKind
    from torch.utils import _pytree
    from torch.utils.flop_counter import FlopCounterMode

    # Sizes from the meta device first: a problem too large for this machine fails now,
    # with an override that fits, instead of being killed by the kernel halfway.
    sizes = measure(model, STAGE)
    ensure_fits(model, STAGE, sizes)
    instance, inputs = build(model, STAGE)
    # Export first: eager may update buffers, and the module is frozen with their values.
    exported, decomposed, rewritten = _export(model, instance, inputs)
    leaves = _pytree.tree_leaves(tuple(inputs))
    is_tensor = _drop_constant_inputs(exported)
    _include_non_persistent_buffers(exported)
    if len(is_tensor) != len(leaves):
        raise StageError(model.name, STAGE, f"torch.export saw {len(is_tensor)} inputs, "
                         f"get_inputs() flattens to {len(leaves)}")

    flops = count_flops(exported, inputs)
    if flops is not None:  # the direct convolutions' FLOPs, not the batch matmuls' that replace them
        flops += sum(r.direct_flops - r.matmul_flops for r in rewritten)
    # The reference runs on copies (a model may modify its inputs in place).
    copies = _pytree.tree_map(lambda x: x.clone() if isinstance(x, torch.Tensor) else x, inputs)
    # Counted on eager only where the graph could not be (a fallback: eager misses fused ops).
    counter = FlopCounterMode(display=False) if flops is None else contextlib.nullcontext()
    with torch.no_grad():
        try:
            with counter:
                result = instance(*copies)
        except Exception as error:
            raise StageError(
                model.name, STAGE, f"forward() fails in torch eager: {first_line(error)}"
            ) from error
    user_outputs = iter(_tensor_leaves(result, "forward() results", model))
    copied_leaves = _pytree.tree_leaves(tuple(copies))
    input_index = {
        s.arg.name: i for i, s in enumerate(
            s for s in exported.graph_signature.input_specs if s.kind == InputKind.USER_INPUT
        )
    }
    expected = []  # (tensor, role) per result of the compiled function
    for spec in exported.graph_signature.output_specs:
        if spec.kind == OutputKind.USER_OUTPUT:
            expected.append((next(user_outputs), "output"))
        elif spec.kind == OutputKind.USER_INPUT_MUTATION:
            index = input_index[spec.target]
            expected.append((copied_leaves[index], f"input {index} after forward()"))
        elif spec.kind == OutputKind.BUFFER_MUTATION:
            expected.append((instance.get_buffer(spec.target), f"buffer {spec.target}"))
        else:
            raise StageError(model.name, STAGE, f"unsupported export output kind {spec.kind.name}")

    try:
        module, channels_last = to_mlir(exported, conv_rewrites=model.settings.conv_rewrites)
    except Exception as error:
        raise StageError(
            model.name, STAGE, f"the FX importer failed: {first_line(error)}"
        ) from error

    tensors = [_numpy(model, x, "an input") for x, t in zip(leaves, is_tensor) if t]
    outputs = [_numpy(model, x, "an output") for x, _ in expected]
    constants = [
        {"position": i, "constant": repr(x)} for i, (x, t) in enumerate(zip(leaves, is_tensor))
        if not t
    ]
    outputs_signature = signature(outputs)
    for entry, (_, role) in zip(outputs_signature, expected):
        entry["role"] = role
    return Imported(
        module=module,
        inputs=tensors,
        outputs=outputs,
        record={
            "entry": "main",
            "reference": "torch eager",
            "inputs": signature(tensors),
            "constant_inputs": constants,  # baked into the module; baselines still get them
            "outputs": outputs_signature,
            "parameters": sum(p.numel() for p in instance.parameters()),
            "flops": (flops if flops is not None else counter.get_total_flops()) or None,
            "sizes": dataclasses.asdict(sizes) if sizes else None,  # bytes, from the meta device
            "decomposed": decomposed,  # the model's ops that decompositions replaced
            "channels_last": channels_last,  # depthwise convolutions computed channels-last
            "winograd": winograd.record(rewritten),  # convolutions computed by Winograd F(m,3)
        },
    )
