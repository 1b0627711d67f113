// Conversions between the C++ manifest structs (manifest.h) and their
// protobuf messages (manifest.proto), and the manifest file codec.
//
// Every *FromProto function treats its input as untrusted: anything that
// breaks the invariants of manifest.h is Status::Corruption, with `what`
// (a file name, typically) at the front of the message. They never crash.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "dataset/manifest.h"
#include "dataset/manifest.pb.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray::dataset {

// ---- Schema (schema_codec.cc) --------------------------------------------------

void SchemaToProto(const Schema& schema, pb::Schema* out);
// Checks names, types and field ids (unique, >= 0).
Result<SchemaPtr> SchemaFromProto(const pb::Schema& proto, std::string_view what);

// ---- Manifest and transaction ------------------------------------------------

void TransactionToProto(const Transaction& transaction, pb::Transaction* out);
Result<Transaction> TransactionFromProto(const pb::Transaction& proto, std::string_view what);

void ManifestToProto(const Manifest& manifest, pb::Manifest* out);
Result<ManifestPtr> ManifestFromProto(const pb::Manifest& proto, std::string_view what);

// A transaction as standalone protobuf bytes (for work units passed
// between processes) and back.
std::string EncodeTransaction(const Transaction& transaction);
Result<Transaction> DecodeTransaction(std::string_view bytes, std::string_view what);

// A whole manifest file: the framed protobuf (dataset_format.h).
std::string EncodeManifestFile(const Manifest& manifest);
// Errors: Corruption naming `what` for any damage or broken invariant;
// NotImplemented for a newer format version.
Result<ManifestPtr> DecodeManifestFile(std::string_view bytes, std::string_view what);

}  // namespace ixray::dataset
