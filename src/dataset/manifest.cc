#include "dataset/manifest.h"

#include <algorithm>
#include <chrono>

#include "dataset/dataset_format.h"

namespace ixray::dataset {

namespace {

struct OperationNameOf {
  std::string_view operator()(const AppendOperation&) const { return "Append"; }
  std::string_view operator()(const OverwriteOperation& op) const {
    return op.create ? "Create" : "Overwrite";
  }
  std::string_view operator()(const DeleteOperation&) const { return "Delete"; }
  std::string_view operator()(const CreateIndexOperation&) const { return "CreateIndex"; }
  std::string_view operator()(const DropIndexOperation&) const { return "DropIndex"; }
  std::string_view operator()(const RewriteOperation&) const { return "Rewrite"; }
  std::string_view operator()(const ReserveFragmentsOperation&) const { return "ReserveFragments"; }
};

}  // namespace

std::string_view OperationName(const Transaction& transaction) {
  return std::visit(OperationNameOf{}, transaction.operation);
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Transaction MakeTransaction(uint64_t read_version, Operation operation) {
  return Transaction{read_version, NewUuid(), NowMicros(), std::move(operation)};
}

const Fragment* Manifest::FindFragment(FragmentId id) const {
  auto it = std::lower_bound(fragments.begin(), fragments.end(), id,
                             [](const Fragment& f, FragmentId value) { return f.id < value; });
  return it != fragments.end() && it->id == id ? &*it : nullptr;
}

const IndexMetadata* Manifest::FindIndex(std::string_view name) const {
  for (const IndexMetadata& index : indices) {
    if (index.name == name) return &index;
  }
  return nullptr;
}

int64_t Manifest::num_live_rows() const {
  int64_t rows = 0;
  for (const Fragment& f : fragments) rows += f.num_live_rows();
  return rows;
}

}  // namespace ixray::dataset
