// The native client is pinned to one exact version, the one whose private
// KafkaConsumer field GroupConsumer reads; a client without it fails naming
// the version instead of mid-batch.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GroupConsumer, clientVersion } from '@stockstream/common';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };

test('services/common pins @confluentinc/kafka-javascript exactly, and that version is the one installed', () => {
  const spec = pkg.dependencies['@confluentinc/kafka-javascript']!;
  assert.match(spec, /^\d+\.\d+\.\d+$/, `an exact version, not a range: ${spec}`);
  assert.equal(clientVersion, spec);
});

test('a client without the private _client field fails with an error naming the client version', () => {
  const getter = Object.getOwnPropertyDescriptor(GroupConsumer.prototype, 'nativeClient')!.get!;
  assert.throws(() => getter.call({ native: {} }), new RegExp(`@confluentinc/kafka-javascript ${clientVersion.replaceAll('.', '\\.')}: KafkaConsumer has no native _client`));
  const client = {};
  assert.equal(getter.call({ native: { _client: client } }), client);
});
