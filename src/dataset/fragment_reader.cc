#include "dataset/fragment_reader.h"

#include <fmt/format.h>

namespace ixray::dataset {

FragmentReader::FragmentReader(std::shared_ptr<FileSystem> fs, std::string dataset_uri,
                               Fragment fragment, SchemaPtr schema,
                               std::shared_ptr<format::PageCache> page_cache)
    : fs_(std::move(fs)),
      uri_(std::move(dataset_uri)),
      fragment_(std::move(fragment)),
      schema_(std::move(schema)),
      page_cache_(std::move(page_cache)) {}

bool FragmentReader::SameFiles(const Fragment& other) const {
  if (other.id != fragment_.id || other.physical_rows != fragment_.physical_rows ||
      other.files.size() != fragment_.files.size() ||
      other.deletion_file.has_value() != fragment_.deletion_file.has_value()) {
    return false;
  }
  for (size_t i = 0; i < other.files.size(); ++i) {
    if (other.files[i].path != fragment_.files[i].path) return false;
  }
  return !other.deletion_file || other.deletion_file->path == fragment_.deletion_file->path;
}

Result<std::shared_ptr<DataFileReader>> FragmentReader::OpenDataFile() const {
  if (fragment_.files.size() != 1) {
    return Status::NotImplemented(fmt::format("fragment {} has {} data files; one is supported",
                                              fragment_.id, fragment_.files.size()));
  }
  const DataFile& file = fragment_.files[0];
  const std::string path = JoinPath(uri_, file.path);
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<DataFileReader> reader,
                        DataFileReader::Open(fs_, path, page_cache_));
  auto mismatch = [&](std::string_view problem) {
    return Status::Corruption(
        fmt::format("data file '{}' of fragment {} does not match the "
                    "manifest: {}",
                    path, fragment_.id, problem));
  };
  if (reader->num_rows() != fragment_.physical_rows) {
    return mismatch(
        fmt::format("{} rows, expected {}", reader->num_rows(), fragment_.physical_rows));
  }
  const Schema& stored = *reader->schema();
  if (stored.num_fields() != schema_->num_fields() ||
      file.field_ids.size() != static_cast<size_t>(schema_->num_fields())) {
    return mismatch(
        fmt::format("{} columns, expected {}", stored.num_fields(), schema_->num_fields()));
  }
  for (int i = 0; i < stored.num_fields(); ++i) {
    const Field& expected = *schema_->field(i);
    if (stored.field(i)->id != expected.id || file.field_ids[i] != expected.id ||
        !stored.field(i)->type->Equals(*expected.type)) {
      return mismatch(fmt::format("column {} is {}, expected {}", i, stored.field(i)->ToString(),
                                  expected.ToString()));
    }
  }
  return reader;
}

Result<std::shared_ptr<DataFileReader>> FragmentReader::data_file() const {
  {
    std::lock_guard lock(mutex_);
    if (data_file_ != nullptr) return data_file_;
  }
  // Open without the lock, so a slow open does not block readers of other
  // state; if two threads race, the first to finish wins.
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<DataFileReader> reader, OpenDataFile());
  std::lock_guard lock(mutex_);
  if (data_file_ == nullptr) data_file_ = std::move(reader);
  return data_file_;
}

Result<DeletionVectorPtr> FragmentReader::deletion_vector() const {
  {
    std::lock_guard lock(mutex_);
    if (deletion_vector_ != nullptr) return deletion_vector_;
  }
  DeletionVectorPtr deletions;
  if (!fragment_.deletion_file) {
    deletions = std::make_shared<const DeletionVector>();
  } else {
    IXRAY_ASSIGN_OR_RAISE(
        deletions,
        ReadDeletionFile(*fs_, JoinPath(uri_, fragment_.deletion_file->path),
                         fragment_.deletion_file->num_deleted_rows, fragment_.physical_rows));
  }
  std::lock_guard lock(mutex_);
  if (deletion_vector_ == nullptr) deletion_vector_ = std::move(deletions);
  return deletion_vector_;
}

}  // namespace ixray::dataset
