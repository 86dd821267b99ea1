// Patches the source of @confluentinc/kafka-javascript's native binding before
// it is compiled here (only when it is built from source: see setup.sh).
//
// Why: the binding turns every consumed message into a JavaScript object in
// ToV8Object (src/common.cc), making each of its nine property names and the
// topic name as new V8 strings, per message, and setting each property with a
// full [[Set]] (which looks for setters up the prototype chain). In the sink
// that conversion was the largest single cost of the main thread (~5 s of CPU
// per 1M messages, profiled as "(program)"). The patch makes the names
// internalized strings once, reuses the last topic's string and defines the
// properties directly on the new object: same objects, same properties, same
// values, less work. A candidate for upstream.
//
// Prints what it did; exits 0 when the file is patched (now or before), 3 when
// this version of the binding does not have the code the patch expects (it is
// then left as it is), 1 on other errors.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: patch-kafka-binding.mjs <path of src/common.cc>');
  process.exit(1);
}
const MARK = '// stockstream-patch: message keys v2';
const source = readFileSync(file, 'utf8');
if (source.includes(MARK)) {
  console.log('kafka binding: already patched');
  process.exit(0);
}

const signature = `v8::Local<v8::Object> ToV8Object(RdKafka::Message *message,
                                bool include_payload,
                                bool include_headers) {`;
const start = source.indexOf(signature);
const end = start < 0 ? -1 : source.indexOf('}  // namespace Message', start);
const names = ['value', 'size', 'key', 'topic', 'offset', 'partition', 'timestamp', 'leaderEpoch', 'headers'];
const topicExpr = 'Nan::New<v8::String>(message->topic_name()).ToLocalChecked()';
if (start < 0 || end < 0 || source.indexOf(signature, start + 1) >= 0) {
  console.log('kafka binding: ToV8Object not found as expected; left unpatched');
  process.exit(3);
}
let body = source.slice(start, end);
for (const name of names) {
  const expr = `Nan::New<v8::String>("${name}").ToLocalChecked()`;
  if (!body.includes(expr)) {
    console.log(`kafka binding: ToV8Object does not set "${name}" as expected; left unpatched`);
    process.exit(3);
  }
  body = body.split(expr).join(`Nan::New(MessageKeys().${name})`);
}
// Properties of the message object: defined on it (CreateDataProperty) rather than assigned (Nan::Set).
body = body.replace(/Nan::Set\(pack,\s*Nan::New\(MessageKeys\(\)\./g, 'SetOwn(pack, Nan::New(MessageKeys().');
if (!body.includes(topicExpr)) {
  console.log('kafka binding: ToV8Object does not set the topic as expected; left unpatched');
  process.exit(3);
}
body = body.split(topicExpr).join('TopicName(message->topic_name())');

const helpers = `${MARK}
// Strings ToV8Object used to make anew per message: made once. Used on the
// main thread only (the only one that may touch V8 objects).
namespace {
struct MessageKeyStrings {
${names.map((n) => `  Nan::Persistent<v8::String> ${n};`).join('\n')}
};

v8::Local<v8::String> Internalized(const char* s) {
  return v8::String::NewFromUtf8(v8::Isolate::GetCurrent(), s,
    v8::NewStringType::kInternalized).ToLocalChecked();
}

const MessageKeyStrings& MessageKeys() {
  static MessageKeyStrings* keys = nullptr;
  if (keys == nullptr) {
    keys = new MessageKeyStrings();
${names.map((n) => `    keys->${n}.Reset(Internalized("${n}"));`).join('\n')}
  }
  return *keys;
}

// Messages come in runs of one topic: the last topic's string is reused.
v8::Local<v8::String> TopicName(const std::string& name) {
  static std::string* last = nullptr;
  static Nan::Persistent<v8::String>* last_string = nullptr;
  if (last == nullptr) {
    last = new std::string();
    last_string = new Nan::Persistent<v8::String>();
  }
  if (last_string->IsEmpty() || *last != name) {
    *last = name;
    last_string->Reset(Nan::New<v8::String>(name).ToLocalChecked());
  }
  return Nan::New(*last_string);
}

// The object is new and plain: defining its own property is what setting it would do, without the lookup.
inline void SetOwn(v8::Local<v8::Object> object, v8::Local<v8::String> key, v8::Local<v8::Value> value) {
  object->CreateDataProperty(Nan::GetCurrentContext(), key, value).FromJust();
}
}  // namespace

`;
writeFileSync(file, source.slice(0, start) + helpers + body + source.slice(end));
console.log('kafka binding: patched ToV8Object (property names made once)');
