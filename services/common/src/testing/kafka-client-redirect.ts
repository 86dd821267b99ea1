// Preloaded (--import, see unpatchedClientEnv in kafka-binding.ts) into a
// service a test starts: registers kafka-client-redirect-hooks.js, which makes
// the process import @confluentinc/kafka-javascript from the node_modules of
// STOCKSTREAM_TEST_KAFKA_CLIENT_ROOT instead of the installed client. A test
// setting only, read by test code only.
import { register } from 'node:module';

const root = process.env.STOCKSTREAM_TEST_KAFKA_CLIENT_ROOT;
if (root) register('./kafka-client-redirect-hooks.js', import.meta.url, { data: { root } });
