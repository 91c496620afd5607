/** Finds the model that scripts/setup-model.sh unpacked; tests never download it. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../lib/config.ts';
import { BGE_ONNX_FILE, BGE_TOKENIZER_FILE } from '../../../lib/embeddings/adapters/onnx.ts';

export function requireModelDir(): string {
  const dir = loadConfig().EMBEDDING_MODEL_DIR;
  for (const file of [BGE_ONNX_FILE, BGE_TOKENIZER_FILE]) {
    if (!existsSync(path.join(dir, file))) {
      throw new Error(`embedding model not found in ${dir}: run \`bash scripts/setup-model.sh\` first (or set EMBEDDING_MODEL_DIR)`);
    }
  }
  return dir;
}

export function tokenizerFile(): string {
  return path.join(requireModelDir(), BGE_TOKENIZER_FILE);
}
