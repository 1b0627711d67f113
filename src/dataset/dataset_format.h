// The dataset directory layout and the framing of its metadata files, with
// their constants and encode/decode pairs (docs/format.md, "Manifests,
// versions and commits" and "Deletion files", is the specification).
//
//   <uri>/_versions/<20-digit version>.manifest   one per version
//   <uri>/data/<uuid>.ixd                          data files
//   <uri>/_deletions/<fragment id>-<uuid>.del      deletion files
//   <uri>/_indices/<uuid>/                         index segments
//   <uri>/_transactions/                           reserved (unused)
//
// Manifest and deletion files share one framing:
//
//   magic[8] | u32 format_version | u32 reserved (0) | u64 payload_length |
//   payload | u64 checksum | magic[8]
//
// little-endian, where checksum is XXH3-64 of everything before it. The
// payload is a protobuf Manifest (manifest.proto) or a roaring bitmap in the
// portable serialization format.
//
// Thread safety: constants and pure functions (NewUuid() too).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ixray/status.h"

namespace ixray::dataset {

// ---- Layout ------------------------------------------------------------------

inline constexpr std::string_view kVersionsDir = "_versions";
inline constexpr std::string_view kDataDir = "data";
inline constexpr std::string_view kDeletionsDir = "_deletions";
inline constexpr std::string_view kIndicesDir = "_indices";
inline constexpr std::string_view kTransactionsDir = "_transactions";

inline constexpr std::string_view kManifestSuffix = ".manifest";
inline constexpr std::string_view kDataFileSuffix = ".ixd";
inline constexpr std::string_view kDeletionFileSuffix = ".del";
// Names containing this are temporary files of an unfinished publish;
// listings skip them.
inline constexpr std::string_view kTempMarker = ".tmp-";
inline constexpr int kVersionDigits = 20;

// "00000000000000000042.manifest".
std::string ManifestFileName(uint64_t version);
// The version a manifest file name stands for, or nullopt for any other
// name (temporary files included).
std::optional<uint64_t> ParseManifestFileName(std::string_view name);

// Relative paths (to the dataset directory) of new files.
std::string NewDataFilePath();                          // "data/<uuid>.ixd"
std::string NewDeletionFilePath(uint32_t fragment_id);  // "_deletions/<id>-<uuid>.del"
std::string IndexSegmentDir(std::string_view uuid);     // "_indices/<uuid>"

// Whether `path` may appear in a manifest as a file of the dataset: not
// empty, relative, without "." or ".." components or empty components.
bool IsSafeRelativePath(std::string_view path);

// A random (version 4) UUID in its 36-character text form.
std::string NewUuid();

// The writer string stored in manifests: "ixray <version>".
std::string WriterString();

// ---- Framing -----------------------------------------------------------------

inline constexpr std::string_view kManifestMagic = "IXRAYMAN";
inline constexpr std::string_view kDeletionFileMagic = "IXRAYDEL";
inline constexpr uint32_t kManifestFormatVersion = 1;
inline constexpr uint32_t kDeletionFileFormatVersion = 1;

inline constexpr size_t kMagicSize = 8;
inline constexpr size_t kFrameHeaderSize = 24;   // magic, version, reserved, length
inline constexpr size_t kFrameTrailerSize = 16;  // checksum, magic
inline constexpr size_t kFrameOverhead = kFrameHeaderSize + kFrameTrailerSize;
// No metadata file may be larger; bounds what a decoder allocates.
inline constexpr uint64_t kMaxFramedPayload = uint64_t{1} << 32;

// Wraps `payload` in the framing above.
// REQUIRES: magic.size() == kMagicSize.
std::string EncodeFrame(std::string_view magic, uint32_t format_version, std::string_view payload);

// Checks the framing of `bytes` and returns the payload (a view into
// `bytes`). `what` names the file in error messages.
// Errors: Corruption for a wrong magic, a length that disagrees with the
// size, or a checksum mismatch; NotImplemented for an intact file of a
// format version newer than `max_format_version`.
Result<std::string_view> DecodeFrame(std::string_view bytes, std::string_view magic,
                                     uint32_t max_format_version, std::string_view what);

}  // namespace ixray::dataset
