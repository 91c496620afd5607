/** Small vector helpers shared by the adapters. */

/** Scales `v` in place to unit length and returns it; a zero vector stays zero. */
export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

/** Dot product; equals cosine similarity for unit vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** pgvector's text form of a vector, `[0.1,0.2,…]`, for a bound parameter cast to `vector`. */
export const toVectorLiteral = (v: ArrayLike<number>) => `[${Array.from(v).join(',')}]`;
