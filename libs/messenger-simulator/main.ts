import { startSimulator } from './simulator.js';

/**
 * `npm run simulator` (or `node dist/server/libs/messenger-simulator/main.js` after a build):
 * the simulator alone, configured from the environment.
 */
const env = process.env;
const sim = await startSimulator({
  port: Number(env.SIMULATOR_PORT ?? 3001),
  host: env.SIMULATOR_HOST ?? '127.0.0.1',
  appId: env.FACEBOOK_APP_ID ?? '100000000000001',
  appSecret: env.FACEBOOK_APP_SECRET ?? 'simulator-app-secret',
  verifyToken: env.FACEBOOK_VERIFY_TOKEN ?? 'simulator-verify-token',
  webhookUrl: env.SIMULATOR_WEBHOOK_URL ?? 'http://localhost:3000/webhooks/messenger',
  publicUrl: env.SIMULATOR_PUBLIC_URL,
});

console.log(`Messenger simulator listening on ${sim.url}`);
console.log(`  Graph API:      ${sim.url}/v25.0/   (set GRAPH_API_URL=${sim.url} in Parley)`);
console.log(`  Customer page:  ${sim.url}/chat`);
console.log(`  Controls:       ${sim.url}/_sim/state   (docs/simulator.md)`);
console.log(`  Webhook:        ${sim.state().webhook.webhookUrl}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
