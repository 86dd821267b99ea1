// Patches the source of @confluentinc/kafka-javascript's native binding before
// it is compiled here (only when it is built from source: see setup.sh).
//
// 1. src/common.cc, ToV8Object ("message keys v2"): the binding turns every
//    consumed message into a JavaScript object, making each of its nine
//    property names and the topic name as new V8 strings, per message, and
//    setting each property with a full [[Set]] (which looks for setters up the
//    prototype chain). The patch makes the names internalized strings once,
//    reuses the last topic's string and defines the properties directly on the
//    new object: same objects, same properties, same values, less work.
// 2. src/kafka-consumer.cc ("consume columns v3"): a new consumer method,
//    consumeColumns, that polls as consume(n) does but hands the batch over as
//    columns (consume-columns.cc says why and how); GroupConsumer.consumeBatch
//    uses it when it is there.
// In the sink, turning messages into objects was the largest single cost of
// the main thread. Both are candidates for upstream.
//
// Usage: patch.mjs <binding dir>. Prints what it did; exits 0 when both files
// are patched (now or before), 3 when this version of the binding does not
// have the code the patches expect (nothing is then changed), 1 on other errors.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: patch.mjs <directory of @confluentinc/kafka-javascript>');
  process.exit(1);
}
/** Exits 3 (nothing written) when the binding's code is not what a patch expects. */
function unexpected(what) {
  console.log(`kafka binding: ${what}; left unpatched`);
  process.exit(3);
}
const commonFile = join(dir, 'src', 'common.cc');
const consumerFile = join(dir, 'src', 'kafka-consumer.cc');
const common = patchCommon(readFileSync(commonFile, 'utf8'));
const consumer = patchConsumer(readFileSync(consumerFile, 'utf8'));
if (common === null && consumer === null) {
  console.log('kafka binding: already patched');
  process.exit(0);
}
if (common !== null) writeFileSync(commonFile, common);
if (consumer !== null) writeFileSync(consumerFile, consumer);
console.log(`kafka binding: patched${common !== null ? ' ToV8Object (property names made once)' : ''}${consumer !== null ? ' KafkaConsumer (consumeColumns)' : ''}`);

/** ToV8Object with its names made once and its properties defined; null when already so. */
function patchCommon(source) {
  const helpers = readFileSync(new URL('./message-keys.cc', import.meta.url), 'utf8');
  if (source.includes(helpers.split('\n')[0])) return null;
  const signature = `v8::Local<v8::Object> ToV8Object(RdKafka::Message *message,
                                bool include_payload,
                                bool include_headers) {`;
  const start = source.indexOf(signature);
  const end = start < 0 ? -1 : source.indexOf('}  // namespace Message', start);
  if (start < 0 || end < 0 || source.indexOf(signature, start + 1) >= 0) unexpected('ToV8Object not found as expected');
  let body = source.slice(start, end);
  for (const name of ['value', 'size', 'key', 'topic', 'offset', 'partition', 'timestamp', 'leaderEpoch', 'headers']) {
    const expr = `Nan::New<v8::String>("${name}").ToLocalChecked()`;
    if (!body.includes(expr)) unexpected(`ToV8Object does not set "${name}" as expected`);
    body = body.split(expr).join(`Nan::New(MessageKeys().${name})`);
  }
  // Properties of the message object: defined on it (CreateDataProperty) rather than assigned (Nan::Set).
  body = body.replace(/Nan::Set\(pack,\s*Nan::New\(MessageKeys\(\)\./g, 'SetOwn(pack, Nan::New(MessageKeys().');
  const topicExpr = 'Nan::New<v8::String>(message->topic_name()).ToLocalChecked()';
  if (!body.includes(topicExpr)) unexpected('ToV8Object does not set the topic as expected');
  body = body.split(topicExpr).join('TopicName(message->topic_name())');
  return `${source.slice(0, start)}${helpers}\n${body}${source.slice(end)}`;
}

/** kafka-consumer.cc with consumeColumns (consume-columns.cc) defined and registered; null when already so. */
function patchConsumer(source) {
  const code = readFileSync(new URL('./consume-columns.cc', import.meta.url), 'utf8');
  const mark = code.split('\n')[0];
  if (source.includes(mark)) return null;
  const init = 'void KafkaConsumer::Init(v8::Local<v8::Object> exports) {';
  const register = '  Nan::SetPrototypeMethod(tpl, "consume", NodeConsume);\n';
  if (source.split(init).length !== 2 || source.split(register).length !== 2) unexpected('KafkaConsumer::Init not found as expected');
  return source
    .replace(init, `${code}\n${init}`)
    .replace(register, `${register}  Nan::SetPrototypeMethod(tpl, "consumeColumns", NodeConsumeColumns);\n`);
}
