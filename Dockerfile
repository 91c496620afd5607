# Image for the api and worker services of docker-compose.yml.
# Stage 1 fetches the embedding model with the same script the project uses.
FROM maven:3.9-eclipse-temurin-17 AS model
COPY scripts /app/scripts
RUN AISTACK_CACHE=/cache bash /app/scripts/setup-model.sh

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --omit=dev --no-audit --no-fund
COPY . .
# Tesseract and poppler for scanned documents (the same script as on a workstation).
# pg_dump/pg_restore 15 for backups (the server's major version), git for knowledge bases kept in Git.
RUN bash scripts/setup-ocr.sh && apt-get install -y --no-install-recommends postgresql-client-15 git \
  && rm -rf /var/lib/apt/lists/*
COPY --from=model /cache/models /models
ENV EMBEDDING_MODEL_DIR=/models/bge-small-zh-v1.5-q
