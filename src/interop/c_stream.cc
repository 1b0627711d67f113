// The Arrow C Stream Interface: BatchReader <-> ArrowArrayStream.
#include <fmt/format.h>

#include <cerrno>

#include "ixray/arrow_interop.h"

namespace ixray {

namespace {

struct StreamPrivate {
  std::shared_ptr<BatchReader> reader;
  std::string last_error;
};

int StreamErrno(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kTypeError:
      return EINVAL;
    case StatusCode::kNotImplemented:
      return ENOSYS;
    case StatusCode::kNotFound:
      return ENOENT;
    default:
      return EIO;
  }
}

int GetSchema(ArrowArrayStream* stream, ArrowSchema* out) {
  auto* priv = static_cast<StreamPrivate*>(stream->private_data);
  Status st = ExportSchema(*priv->reader->schema(), out);
  if (st.ok()) return 0;
  priv->last_error = st.ToString();
  return StreamErrno(st);
}

int GetNext(ArrowArrayStream* stream, ArrowArray* out) {
  auto* priv = static_cast<StreamPrivate*>(stream->private_data);
  auto batch = priv->reader->Next();
  if (!batch.ok()) {
    priv->last_error = batch.status().ToString();
    return StreamErrno(batch.status());
  }
  if (*batch == nullptr) {
    out->release = nullptr;  // end of stream
    return 0;
  }
  Status st = ExportRecordBatch(**batch, out);
  if (st.ok()) return 0;
  priv->last_error = st.ToString();
  return StreamErrno(st);
}

const char* GetLastError(ArrowArrayStream* stream) {
  auto* priv = static_cast<StreamPrivate*>(stream->private_data);
  return priv->last_error.empty() ? nullptr : priv->last_error.c_str();
}

void ReleaseStream(ArrowArrayStream* stream) {
  if (stream == nullptr || stream->release == nullptr) return;
  delete static_cast<StreamPrivate*>(stream->private_data);
  stream->release = nullptr;
  stream->private_data = nullptr;
}

// Reads an imported stream; owns (and finally releases) the C struct.
class ImportedStreamReader final : public BatchReader {
 public:
  ImportedStreamReader(ArrowArrayStream stream, SchemaPtr schema)
      : stream_(stream), schema_(std::move(schema)) {}
  ~ImportedStreamReader() override {
    if (stream_.release != nullptr) stream_.release(&stream_);
  }
  const SchemaPtr& schema() const override { return schema_; }

  Result<RecordBatchPtr> Next() override {
    if (done_) return RecordBatchPtr();
    ArrowArray array{};
    const int rc = stream_.get_next(&stream_, &array);
    if (rc != 0) return StreamError(stream_, rc, "reading the next batch");
    if (array.release == nullptr) {
      done_ = true;
      return RecordBatchPtr();
    }
    return ImportRecordBatch(&array, schema_);
  }

  static Status StreamError(ArrowArrayStream& stream, int rc, std::string_view what) {
    const char* message = stream.get_last_error ? stream.get_last_error(&stream) : nullptr;
    return Status::IOError(fmt::format("Arrow stream failed {} (errno {}): {}", what, rc,
                                       message ? message : "no message"));
  }

 private:
  ArrowArrayStream stream_;
  SchemaPtr schema_;
  bool done_ = false;
};

}  // namespace

Status ExportBatchReader(std::shared_ptr<BatchReader> reader, ArrowArrayStream* out) {
  if (reader == nullptr) return Status::InvalidArgument("cannot export a null reader");
  out->get_schema = GetSchema;
  out->get_next = GetNext;
  out->get_last_error = GetLastError;
  out->release = ReleaseStream;
  out->private_data = new StreamPrivate{std::move(reader), {}};
  return Status::OK();
}

Result<std::unique_ptr<BatchReader>> ImportBatchReader(ArrowArrayStream* in) {
  if (in == nullptr || in->release == nullptr) {
    return Status::InvalidArgument("ArrowArrayStream is null or already released");
  }
  ArrowArrayStream stream = *in;
  in->release = nullptr;  // moved
  auto reader_owner = [&stream]() {
    if (stream.release != nullptr) stream.release(&stream);
  };
  ArrowSchema c_schema{};
  const int rc = stream.get_schema(&stream, &c_schema);
  if (rc != 0) {
    Status st = ImportedStreamReader::StreamError(stream, rc, "reading the schema");
    reader_owner();
    return st;
  }
  auto schema = ImportSchema(&c_schema);
  if (!schema.ok()) {
    reader_owner();
    return schema.status();
  }
  return std::unique_ptr<BatchReader>(new ImportedStreamReader(stream, *schema));
}

}  // namespace ixray
