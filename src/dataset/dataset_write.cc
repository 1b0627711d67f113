// Dataset::Write: streams a BatchReader into new data files (one per
// fragment) and commits them as a Create, Append or Overwrite.

#include <fmt/format.h>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "format/data_file.h"

namespace ixray::dataset {

namespace {

// The input's fields with ids 0, 1, ... (a new dataset's schema).
SchemaPtr WithFreshIds(const Schema& schema) {
  std::vector<FieldPtr> fields;
  for (int i = 0; i < schema.num_fields(); ++i) {
    const Field& f = *schema.field(i);
    fields.push_back(field(f.name, f.type, f.nullable, i));
  }
  return std::make_shared<const Schema>(std::move(fields));
}

// Appended data must have the dataset's columns, in order, of its types.
// Nullability may differ where the data is stricter; a non-nullable
// dataset column still refuses nulls when the rows are written.
Status CheckAppendSchema(const Schema& data, const Schema& dataset) {
  if (data.names() != dataset.names()) {
    return Status::InvalidArgument(
        fmt::format("cannot append: the data's columns [{}] differ from the dataset's [{}]",
                    fmt::join(data.names(), ", "), fmt::join(dataset.names(), ", ")));
  }
  for (int i = 0; i < data.num_fields(); ++i) {
    const Field& d = *data.field(i);
    const Field& s = *dataset.field(i);
    if (!d.type->Equals(*s.type)) {
      return Status::TypeError(
          fmt::format("cannot append: column '{}' is {} in the data but {} in the dataset", d.name,
                      d.type->ToString(), s.type->ToString()));
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<DatasetImpl>> WriteDataset(BatchReader& data, const std::string& uri,
                                                  const WriteOptions& options) {
  std::shared_ptr<FileSystem> fs =
      options.file_system != nullptr ? options.file_system : LocalFileSystem();
  if (options.max_rows_per_file < 1 || options.max_rows_per_file > format::kMaxRowsPerFile) {
    return Status::InvalidArgument(
        fmt::format("max_rows_per_file must be in [1, 2^32], got {}", options.max_rows_per_file));
  }
  if (data.schema() == nullptr) return Status::InvalidArgument("the data has no schema");
  IXRAY_RETURN_NOT_OK(Schema::Make(data.schema()->fields()));

  IXRAY_ASSIGN_OR_RAISE(uint64_t latest, LatestVersion(*fs, uri));
  std::shared_ptr<DatasetImpl> current;
  if (latest > 0) {
    if (options.mode == WriteMode::kCreate) {
      return Status::AlreadyExists(fmt::format(
          "a dataset exists at '{}' (version {}); use mode append or overwrite", uri, latest));
    }
    IXRAY_ASSIGN_OR_RAISE(current, DatasetImpl::Open(uri, OpenOptions{latest, fs}));
  }
  // Appending to nothing creates the dataset, as in Lance.
  const bool appending = options.mode == WriteMode::kAppend && current != nullptr;
  SchemaPtr schema;
  if (appending) {
    IXRAY_RETURN_NOT_OK(CheckAppendSchema(*data.schema(), *current->schema()));
    schema = current->schema();
  } else {
    schema = WithFreshIds(*data.schema());
  }

  std::vector<std::string> written;
  auto fragments = WriteFragments(fs, uri, data, schema, options, &written);
  Status durable = fragments.status();
  if (durable.ok() && !written.empty()) durable = fs->SyncDir(JoinPath(uri, kDataDir));
  if (!durable.ok()) {
    for (const std::string& path : written) (void)fs->DeleteFile(JoinPath(uri, path));
    return durable;
  }

  Operation operation;
  if (appending) {
    operation = AppendOperation{std::move(*fragments)};
  } else {
    operation =
        OverwriteOperation{schema, std::move(*fragments),
                           /*create=*/current == nullptr && options.mode != WriteMode::kOverwrite};
  }
  Transaction transaction = MakeTransaction(latest, std::move(operation));
  if (current != nullptr) return current->CommitTransaction(transaction);
  IXRAY_ASSIGN_OR_RAISE(ManifestPtr manifest, CommitTransaction(*fs, uri, transaction));
  return std::make_shared<DatasetImpl>(uri, fs, std::move(manifest));
}

}  // namespace

Result<std::vector<Fragment>> WriteFragments(const std::shared_ptr<FileSystem>& fs,
                                             const std::string& uri, BatchReader& data,
                                             const SchemaPtr& schema, const WriteOptions& options,
                                             std::vector<std::string>* written) {
  DataFileWriterOptions writer_options;
  writer_options.max_page_bytes = options.max_page_bytes;
  std::vector<int32_t> field_ids;
  for (const FieldPtr& f : schema->fields()) field_ids.push_back(f->id);

  std::vector<Fragment> fragments;
  std::unique_ptr<DataFileWriter> writer;
  auto finish = [&]() -> Status {
    IXRAY_ASSIGN_OR_RAISE(DataFileInfo info, writer->Finish());
    Fragment fragment;
    fragment.files.push_back(DataFile{written->back(), field_ids, info.num_rows, info.file_size});
    fragment.physical_rows = info.num_rows;
    fragments.push_back(std::move(fragment));
    writer.reset();
    return Status::OK();
  };

  while (true) {
    IXRAY_ASSIGN_OR_RAISE(RecordBatchPtr input, data.Next());
    if (input == nullptr) break;
    if (input->num_rows() == 0) continue;
    // The dataset's schema (with field ids) over the input's columns.
    IXRAY_ASSIGN_OR_RAISE(RecordBatchPtr batch,
                          RecordBatch::Make(schema, input->num_rows(), input->columns()));
    int64_t offset = 0;
    while (offset < batch->num_rows()) {
      if (writer == nullptr) {
        written->push_back(NewDataFilePath());
        IXRAY_ASSIGN_OR_RAISE(writer, DataFileWriter::Open(fs, JoinPath(uri, written->back()),
                                                           schema, writer_options));
      }
      const int64_t rows =
          std::min(batch->num_rows() - offset, options.max_rows_per_file - writer->num_rows());
      IXRAY_RETURN_NOT_OK(writer->Write(*batch->Slice(offset, rows)));
      offset += rows;
      if (writer->num_rows() == options.max_rows_per_file) IXRAY_RETURN_NOT_OK(finish());
    }
  }
  if (writer != nullptr) IXRAY_RETURN_NOT_OK(finish());
  return fragments;
}

}  // namespace ixray::dataset

namespace ixray {

Result<std::shared_ptr<Dataset>> Dataset::Write(BatchReader& data, const std::string& uri,
                                                WriteOptions options) {
  IXRAY_ASSIGN_OR_RAISE(auto dataset, dataset::WriteDataset(data, uri, options));
  return std::shared_ptr<Dataset>(std::move(dataset));
}

}  // namespace ixray
