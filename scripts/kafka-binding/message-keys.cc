// stockstream-patch: message keys v2
// Inserted into @confluentinc/kafka-javascript's src/common.cc, before
// ToV8Object, by scripts/kafka-binding/patch.mjs (which also makes ToV8Object
// use these helpers).
// Strings ToV8Object used to make anew per message: made once. Used on the
// main thread only (the only one that may touch V8 objects).
namespace {
struct MessageKeyStrings {
  Nan::Persistent<v8::String> value;
  Nan::Persistent<v8::String> size;
  Nan::Persistent<v8::String> key;
  Nan::Persistent<v8::String> topic;
  Nan::Persistent<v8::String> offset;
  Nan::Persistent<v8::String> partition;
  Nan::Persistent<v8::String> timestamp;
  Nan::Persistent<v8::String> leaderEpoch;
  Nan::Persistent<v8::String> headers;
};

v8::Local<v8::String> Internalized(const char* s) {
  return v8::String::NewFromUtf8(v8::Isolate::GetCurrent(), s,
    v8::NewStringType::kInternalized).ToLocalChecked();
}

const MessageKeyStrings& MessageKeys() {
  static MessageKeyStrings* keys = nullptr;
  if (keys == nullptr) {
    keys = new MessageKeyStrings();
    keys->value.Reset(Internalized("value"));
    keys->size.Reset(Internalized("size"));
    keys->key.Reset(Internalized("key"));
    keys->topic.Reset(Internalized("topic"));
    keys->offset.Reset(Internalized("offset"));
    keys->partition.Reset(Internalized("partition"));
    keys->timestamp.Reset(Internalized("timestamp"));
    keys->leaderEpoch.Reset(Internalized("leaderEpoch"));
    keys->headers.Reset(Internalized("headers"));
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
