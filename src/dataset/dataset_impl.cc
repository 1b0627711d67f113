#include "dataset/dataset_impl.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace ixray {

Result<std::shared_ptr<Dataset>> Dataset::Open(const std::string& uri, OpenOptions options) {
  IXRAY_ASSIGN_OR_RAISE(auto dataset, dataset::DatasetImpl::Open(uri, std::move(options)));
  return std::shared_ptr<Dataset>(std::move(dataset));
}

}  // namespace ixray

namespace ixray::dataset {

Result<std::shared_ptr<DatasetImpl>> DatasetImpl::Open(const std::string& uri,
                                                       OpenOptions options) {
  std::shared_ptr<FileSystem> fs =
      options.file_system != nullptr ? options.file_system : LocalFileSystem();
  uint64_t version = 0;
  if (options.version) {
    version = *options.version;
  } else {
    IXRAY_ASSIGN_OR_RAISE(version, dataset::LatestVersion(*fs, uri));
  }
  if (version == 0) {
    if (!options.version) return Status::NotFound(fmt::format("no dataset at '{}'", uri));
    return Status::NotFound(
        fmt::format("dataset '{}' has no version 0 (versions start at 1)", uri));
  }
  auto manifest = ReadManifest(*fs, uri, version);
  if (!manifest.ok() && manifest.status().code() == StatusCode::kNotFound) {
    IXRAY_ASSIGN_OR_RAISE(uint64_t latest, dataset::LatestVersion(*fs, uri));
    if (latest == 0) return Status::NotFound(fmt::format("no dataset at '{}'", uri));
    return Status::NotFound(
        fmt::format("dataset '{}' has no version {} (latest: {})", uri, version, latest));
  }
  IXRAY_RETURN_NOT_OK(manifest);
  if (options.page_cache_bytes < 0) {
    return Status::InvalidArgument(
        fmt::format("page_cache_bytes must not be negative, got {}", options.page_cache_bytes));
  }
  return std::make_shared<DatasetImpl>(uri, std::move(fs), std::move(*manifest), nullptr,
                                       options.page_cache_bytes);
}

DatasetImpl::DatasetImpl(std::string uri, std::shared_ptr<FileSystem> fs, ManifestPtr manifest,
                         const DatasetImpl* previous, int64_t page_cache_bytes)
    : uri_(std::move(uri)),
      fs_(std::move(fs)),
      manifest_(std::move(manifest)),
      cache_(previous != nullptr ? previous->cache_ : std::make_shared<ObjectCache>()),
      page_cache_(previous != nullptr ? previous->page_cache_
                                      : std::make_shared<format::PageCache>(page_cache_bytes)) {
  std::unordered_map<FragmentId, std::shared_ptr<FragmentReader>> reusable;
  if (previous != nullptr && previous->schema()->Equals(*schema(), /*check_ids=*/true)) {
    for (const auto& reader : previous->fragment_readers_) reusable.emplace(reader->id(), reader);
  }
  fragment_readers_.reserve(manifest_->fragments.size());
  for (const Fragment& fragment : manifest_->fragments) {
    auto it = reusable.find(fragment.id);
    if (it != reusable.end() && it->second->SameFiles(fragment)) {
      fragment_readers_.push_back(it->second);
    } else {
      fragment_readers_.push_back(
          std::make_shared<FragmentReader>(fs_, uri_, fragment, manifest_->schema, page_cache_));
    }
  }
}

const DatasetImpl& DatasetImpl::From(const Dataset& dataset) {
  return static_cast<const DatasetImpl&>(dataset);
}

Result<uint64_t> DatasetImpl::LatestVersion() const { return dataset::LatestVersion(*fs_, uri_); }

Result<std::vector<VersionInfo>> DatasetImpl::Versions() const {
  IXRAY_ASSIGN_OR_RAISE(std::vector<uint64_t> versions, ListVersions(*fs_, uri_));
  std::vector<VersionInfo> infos;
  infos.reserve(versions.size());
  for (uint64_t v : versions) {
    ManifestPtr manifest = manifest_;
    if (v != version()) {
      IXRAY_ASSIGN_OR_RAISE(manifest, ReadManifest(*fs_, uri_, v));
    }
    infos.push_back(
        VersionInfo{v, manifest->timestamp_us, std::string(OperationName(manifest->transaction))});
  }
  return infos;
}

Result<std::shared_ptr<Dataset>> DatasetImpl::CheckoutVersion(uint64_t version) const {
  if (version == this->version()) {
    return std::const_pointer_cast<Dataset>(shared_from_this());
  }
  IXRAY_ASSIGN_OR_RAISE(ManifestPtr manifest, ReadManifest(*fs_, uri_, version));
  return std::shared_ptr<Dataset>(
      std::make_shared<DatasetImpl>(uri_, fs_, std::move(manifest), this));
}

Result<std::shared_ptr<Dataset>> DatasetImpl::CheckoutLatest() const {
  IXRAY_ASSIGN_OR_RAISE(uint64_t latest, LatestVersion());
  return CheckoutVersion(latest);
}

std::vector<FragmentInfo> DatasetImpl::Fragments() const {
  std::vector<FragmentInfo> infos;
  infos.reserve(manifest_->fragments.size());
  for (const Fragment& f : manifest_->fragments) {
    FragmentInfo info;
    info.id = f.id;
    info.physical_rows = f.physical_rows;
    info.deleted_rows = f.num_deleted_rows();
    for (const DataFile& file : f.files) info.data_files.push_back(file.path);
    infos.push_back(std::move(info));
  }
  return infos;
}

Result<std::shared_ptr<FragmentReader>> DatasetImpl::fragment_reader(FragmentId id) const {
  auto it = std::lower_bound(
      fragment_readers_.begin(), fragment_readers_.end(), id,
      [](const std::shared_ptr<FragmentReader>& r, FragmentId value) { return r->id() < value; });
  if (it == fragment_readers_.end() || (*it)->id() != id) {
    return Status::NotFound(
        fmt::format("version {} of '{}' has no fragment {}", version(), uri_, id));
  }
  return *it;
}

Result<std::shared_ptr<DataFileReader>> DatasetImpl::OpenDataFile(const Fragment& fragment) const {
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<FragmentReader> reader, fragment_reader(fragment.id));
  return reader->data_file();
}

Result<DeletionVectorPtr> DatasetImpl::LoadDeletions(const Fragment& fragment) const {
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<FragmentReader> reader, fragment_reader(fragment.id));
  return reader->deletion_vector();
}

Result<std::shared_ptr<DatasetImpl>> DatasetImpl::CommitTransaction(
    const Transaction& transaction, const CommitOptions& options) const {
  IXRAY_ASSIGN_OR_RAISE(ManifestPtr manifest,
                        dataset::CommitTransaction(*fs_, uri_, transaction, options));
  return std::make_shared<DatasetImpl>(uri_, fs_, std::move(manifest), this);
}

}  // namespace ixray::dataset
