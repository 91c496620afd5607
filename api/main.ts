import { loadConfig } from '../lib/config.ts';
import { createPlatform } from '../lib/platform.ts';
import { startApi } from './server.ts';

/** The API process; scale it out behind a load balancer. */
const platform = await createPlatform(loadConfig());
const api = await startApi(platform);
console.log(`api: listening on ${api.url} (database: ${platform.db.engine}); docs at ${api.url}/docs`);
if (api.createdOperatorKey) console.log(`api: created the operator's API key, shown only now: ${api.createdOperatorKey}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await api.close();
    await platform.close();
    process.exit(0);
  });
}
