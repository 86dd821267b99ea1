// stockstream-patch: consume columns v3
// Inserted into @confluentinc/kafka-javascript's src/kafka-consumer.cc by
// scripts/kafka-binding/patch.mjs (inside namespace NodeKafka, before
// KafkaConsumer::Init, which registers NodeConsumeColumns as "consumeColumns").
//
// Why: consume(n) turns every message into a JavaScript object with two new
// Buffers (value, key) on the main thread; in the S3 sink that conversion cost
// more main-thread time than decoding and filing the records. consumeColumns
// polls exactly like consume(n) (same Consume call, same timeouts, same
// errors) but copies the messages, on the worker thread, into columns:
//
//   callback(null, count, data, ints, doubles, topics)
//     data     Buffer: every value and key, back to back
//     ints     Int32Array, 6 per message: partition, value start, value end,
//              key start, key end (in data; -1, -1 when null), topic index
//     doubles  Float64Array, 2 per message: offset, timestamp
//     topics   Array of the topic names the indexes refer to
//
// so the main thread makes five objects per batch instead of ~4 per message.
// Partition EOF events are not reported (the pipeline does not enable them).
// Headers are not carried (the pipeline does not use them).
namespace {

// A batch also ends once it holds this many bytes, so positions fit an int32.
const size_t kColumnsMaxBytes = 64 * 1024 * 1024;

class KafkaConsumerConsumeColumns : public Workers::ErrorAwareWorker {
 public:
  KafkaConsumerConsumeColumns(Nan::Callback* callback, KafkaConsumer* consumer,
                              uint32_t max, int timeout_ms,
                              bool timeout_only_for_first_message)
      : ErrorAwareWorker(callback), m_consumer(consumer), m_max(max),
        m_timeout_ms(timeout_ms),
        m_timeout_only_for_first_message(timeout_only_for_first_message) {}

  void Execute() {
    int timeout_ms = m_timeout_ms;
    m_data.reserve(256 * 1024);
    size_t expected = std::min<size_t>(m_max, 10000);
    m_ints.reserve(6 * expected);
    m_doubles.reserve(2 * expected);
    while (m_count < m_max && m_data.size() < kColumnsMaxBytes) {
      Baton b = m_consumer->Consume(timeout_ms);
      if (b.err() != RdKafka::ERR_NO_ERROR) {
        // As consume(n): an error fails the call only when nothing was read.
        if (m_count == 0) SetErrorBaton(b);
        return;
      }
      RdKafka::Message* message = b.data<RdKafka::Message*>();
      RdKafka::ErrorCode code = message->err();
      if (code == RdKafka::ERR__PARTITION_EOF) {
        delete message;
        if (m_count > 0) timeout_ms = 1;
        continue;
      }
      if (code != RdKafka::ERR_NO_ERROR) {  // timed out: the batch is what we have
        delete message;
        return;
      }
      Append(message);
      delete message;
      if (m_timeout_only_for_first_message) timeout_ms = 1;
    }
  }

  void HandleOKCallback() {
    Nan::HandleScope scope;
    v8::Isolate* isolate = v8::Isolate::GetCurrent();
    v8::Local<v8::Array> topics = Nan::New<v8::Array>();
    for (uint32_t i = 0; i < m_topics.size(); i++) {
      Nan::Set(topics, i, Nan::New<v8::String>(m_topics[i]).ToLocalChecked());
    }
    v8::Local<v8::Value> argv[6] = {
      Nan::Null(),
      Nan::New<v8::Number>(m_count),
      Nan::CopyBuffer(m_data.data(), m_data.size()).ToLocalChecked(),
      v8::Int32Array::New(Copy(isolate, m_ints.data(), m_ints.size() * sizeof(int32_t)), 0, m_ints.size()),
      v8::Float64Array::New(Copy(isolate, m_doubles.data(), m_doubles.size() * sizeof(double)), 0, m_doubles.size()),
      topics,
    };
    callback->Call(6, argv);
  }

  void HandleErrorCallback() {
    Nan::HandleScope scope;
    v8::Local<v8::Value> argv[1] = { GetErrorObject() };
    callback->Call(1, argv);
  }

 private:
  static v8::Local<v8::ArrayBuffer> Copy(v8::Isolate* isolate, const void* from, size_t bytes) {
    v8::Local<v8::ArrayBuffer> buffer = v8::ArrayBuffer::New(isolate, bytes);
    if (bytes > 0) memcpy(buffer->GetBackingStore()->Data(), from, bytes);
    return buffer;
  }

  int32_t Put(const void* bytes, size_t length) {
    int32_t start = static_cast<int32_t>(m_data.size());
    const char* from = static_cast<const char*>(bytes);
    m_data.insert(m_data.end(), from, from + length);
    return start;
  }

  int32_t TopicIndex(const std::string& name) {
    for (size_t i = m_topics.size(); i-- > 0;) {
      if (m_topics[i] == name) return static_cast<int32_t>(i);
    }
    m_topics.push_back(name);
    return static_cast<int32_t>(m_topics.size() - 1);
  }

  void Append(RdKafka::Message* message) {
    int32_t value_start = -1, value_end = -1, key_start = -1, key_end = -1;
    if (message->payload() != nullptr) {
      value_start = Put(message->payload(), message->len());
      value_end = static_cast<int32_t>(m_data.size());
    }
    if (message->key_pointer() != nullptr) {
      key_start = Put(message->key_pointer(), message->key_len());
      key_end = static_cast<int32_t>(m_data.size());
    }
    int32_t ints[6] = { message->partition(), value_start, value_end, key_start, key_end,
                        TopicIndex(message->topic_name()) };
    m_ints.insert(m_ints.end(), ints, ints + 6);
    m_doubles.push_back(static_cast<double>(message->offset()));
    m_doubles.push_back(static_cast<double>(message->timestamp().timestamp));
    m_count++;
  }

  KafkaConsumer* m_consumer;
  const uint32_t m_max;
  const int m_timeout_ms;
  const bool m_timeout_only_for_first_message;
  uint32_t m_count = 0;
  std::vector<char> m_data;
  std::vector<int32_t> m_ints;
  std::vector<double> m_doubles;
  std::vector<std::string> m_topics;
};

// consumeColumns(timeoutMs, max, timeoutOnlyForFirstMessage, callback)
NAN_METHOD(NodeConsumeColumns) {
  Nan::HandleScope scope;
  if (info.Length() < 4 || !info[0]->IsNumber() || !info[1]->IsNumber() ||
      !info[2]->IsBoolean() || !info[3]->IsFunction()) {
    return Nan::ThrowError(
      "consumeColumns(timeoutMs, max, timeoutOnlyForFirstMessage, callback)");
  }
  int timeout_ms = static_cast<int>(Nan::To<uint32_t>(info[0]).FromJust());
  uint32_t max = Nan::To<uint32_t>(info[1]).FromJust();
  bool first_only = Nan::To<bool>(info[2]).FromJust();
  if (max == 0) return Nan::ThrowError("max must be over 0");
  KafkaConsumer* consumer = Nan::ObjectWrap::Unwrap<KafkaConsumer>(info.This());
  Nan::Callback* callback = new Nan::Callback(info[3].As<v8::Function>());
  Nan::AsyncQueueWorker(
    new KafkaConsumerConsumeColumns(callback, consumer, max, timeout_ms, first_only));
  info.GetReturnValue().Set(Nan::Null());
}

}  // namespace

