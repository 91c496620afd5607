// The pool's thread entry. Worker threads do not inherit `--import tsx` on Node 20,
// so each thread registers tsx before loading the TypeScript task.
import { register } from 'tsx/esm/api';

register();
const { prepareDocument } = await import('./task.ts');
export default prepareDocument;
