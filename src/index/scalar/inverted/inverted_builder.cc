#include "index/scalar/inverted/inverted_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "format/byte_coding.h"
#include "index/scalar/inverted/posting_list.h"
#include "index/scalar/inverted/tokenizer.h"

namespace ixray::scalar::inverted {

namespace {

bool IsTextType(const DataType& type) {
  return type.id() == TypeId::kString || type.id() == TypeId::kLargeString;
}

// Rows per tokenization task: large enough to amortize a task's tokenizer
// and local dictionary.
constexpr int64_t kRowsPerTask = 1024;

}  // namespace

Status CheckInvertedColumn(const Field& field) {
  const DataType& type = *field.type;
  if (IsTextType(type) || (type.id() == TypeId::kList && IsTextType(*type.value_type()))) {
    return Status::OK();
  }
  return Status::TypeError(fmt::format(
      "an INVERTED (full-text) index needs a string, large_string or list<string> column; "
      "column '{}' is {}",
      field.name, type.ToString()));
}

// The tokens of a run of rows, with terms numbered locally (first-seen order).
struct InvertedSegmentBuilder::BatchTokens {
  TermTable terms;                    // local id -> term
  std::vector<uint8_t> valid;         // per row
  std::vector<uint32_t> doc_lengths;  // per row
  std::vector<uint32_t> entry_ends;   // per row: end of its entries
  std::vector<uint32_t> entry_terms;  // per (row, distinct term): local id
  std::vector<uint32_t> entry_tfs;
  std::vector<uint32_t> positions;  // with_position: per entry, its tf positions
};

InvertedSegmentBuilder::~InvertedSegmentBuilder() = default;

Result<std::unique_ptr<InvertedSegmentBuilder>> InvertedSegmentBuilder::Make(
    const ScalarIndexConfig& config, const Field& field, const BuildContext& context) {
  IXRAY_RETURN_NOT_OK(CheckInvertedColumn(field));
  IXRAY_ASSIGN_OR_RAISE(InvertedConfig parsed, ParseInvertedConfig(config));
  if (context.executor == nullptr) return Status::InvalidArgument("BuildContext needs an executor");
  return std::unique_ptr<InvertedSegmentBuilder>(
      new InvertedSegmentBuilder(std::move(parsed), field, context));
}

Status InvertedSegmentBuilder::TokenizeRows(const Array& values, int64_t begin, int64_t end,
                                            BatchTokens* out) const {
  IXRAY_ASSIGN_OR_RAISE(auto tokenizer, Tokenizer::Make(config_.tokenizer));
  const bool is_list = values.type()->id() == TypeId::kList;
  TokenBuffer buffer;
  // Lower-cased raw tokens, and the local term id of each (kDropped for a
  // stop word).
  constexpr uint32_t kDropped = UINT32_MAX;
  TermTable raw_tokens;
  std::vector<uint32_t> raw_terms;
  std::vector<uint64_t> keys;  // (local id << 32) | position, sorted per row
  for (int64_t row = begin; row < end; ++row) {
    if (values.IsNull(row)) {
      out->valid.push_back(0);
      out->doc_lengths.push_back(0);
      out->entry_ends.push_back(static_cast<uint32_t>(out->entry_terms.size()));
      continue;
    }
    buffer.clear();
    if (is_list) {
      const Array& items = *values.values();
      uint32_t position = 0;
      for (int64_t i = values.ValueOffset(row); i < values.ValueOffset(row + 1); ++i) {
        if (items.IsNull(i)) continue;
        // A gap of one position keeps phrases from spanning two values.
        position = tokenizer->Split(items.StringValue(i), position, &buffer) + 1;
      }
    } else {
      tokenizer->Split(values.StringValue(row), 0, &buffer);
    }
    keys.clear();
    for (size_t t = 0; t < buffer.size(); ++t) {
      const uint32_t raw = raw_tokens.Insert(buffer.token(t));
      if (raw == raw_terms.size()) {
        // First sight of this raw token in the task: stem (the costly part)
        // once, then remember its term.
        const auto term = tokenizer->Refine(buffer.token(t));
        raw_terms.push_back(term ? out->terms.Insert(*term) : kDropped);
      }
      const uint32_t id = raw_terms[raw];
      if (id == kDropped) continue;
      keys.push_back((uint64_t{id} << 32) | buffer.positions[t]);
    }
    std::sort(keys.begin(), keys.end());
    for (size_t i = 0; i < keys.size();) {
      const uint32_t id = static_cast<uint32_t>(keys[i] >> 32);
      size_t j = i;
      for (; j < keys.size() && static_cast<uint32_t>(keys[j] >> 32) == id; ++j) {
        if (config_.with_position) out->positions.push_back(static_cast<uint32_t>(keys[j]));
      }
      out->entry_terms.push_back(id);
      out->entry_tfs.push_back(static_cast<uint32_t>(j - i));
      i = j;
    }
    if (keys.size() > UINT32_MAX) return Status::InvalidArgument("document has too many tokens");
    out->valid.push_back(1);
    out->doc_lengths.push_back(static_cast<uint32_t>(keys.size()));
    out->entry_ends.push_back(static_cast<uint32_t>(out->entry_terms.size()));
  }
  return Status::OK();
}

void InvertedSegmentBuilder::Merge(BatchTokens& batch) {
  std::vector<uint32_t> global(batch.terms.size());
  for (uint32_t local = 0; local < batch.terms.size(); ++local) {
    global[local] = terms_.Insert(batch.terms.term(local));
    if (global[local] == postings_.size()) postings_.emplace_back();
  }
  size_t entry = 0, position = 0;
  for (size_t row = 0; row < batch.valid.size(); ++row) {
    if (!batch.valid[row]) continue;
    const uint32_t doc = static_cast<uint32_t>(doc_lengths_.size());
    doc_lengths_.push_back(batch.doc_lengths[row]);
    total_tokens_ += batch.doc_lengths[row];
    for (; entry < batch.entry_ends[row]; ++entry) {
      Postings& p = postings_[global[batch.entry_terms[entry]]];
      const uint32_t tf = batch.entry_tfs[entry];
      p.docs.push_back(doc);
      p.tfs.push_back(tf);
      if (config_.with_position) {
        p.positions.insert(p.positions.end(), batch.positions.begin() + position,
                           batch.positions.begin() + position + tf);
        position += tf;
      }
    }
  }
}

Status InvertedSegmentBuilder::Add(const Array& values, std::span<const RowAddress> addresses) {
  if (finished_) return Status::InvalidArgument("INVERTED builder is already finished");
  if (!values.type()->Equals(*field_.type)) {
    return Status::TypeError(fmt::format("INVERTED builder for column '{}' ({}) got {} values",
                                         field_.name, field_.type->ToString(),
                                         values.type()->ToString()));
  }
  const int64_t n = values.length();
  if (static_cast<int64_t>(addresses.size()) != n) {
    return Status::InvalidArgument(
        fmt::format("{} values but {} row addresses", n, addresses.size()));
  }
  for (int64_t i = 0; i < n; ++i) {
    const bool ascending = i == 0 ? !has_last_address_ || addresses[0] > last_address_
                                  : addresses[i] > addresses[i - 1];
    if (!ascending) return Status::InvalidArgument("row addresses must ascend strictly");
  }
  if (n == 0) return Status::OK();

  const int64_t tasks = (n + kRowsPerTask - 1) / kRowsPerTask;
  std::vector<BatchTokens> batches(static_cast<size_t>(tasks));
  IXRAY_RETURN_NOT_OK(context_.executor->ParallelFor(tasks, [&](int64_t task) {
    const int64_t begin = task * kRowsPerTask;
    return TokenizeRows(values, begin, std::min(n, begin + kRowsPerTask), &batches[task]);
  }));
  if (doc_lengths_.size() + static_cast<size_t>(n) >= kEndOfPostings) {
    return Status::InvalidArgument("an INVERTED segment holds fewer than 2^32 - 1 documents");
  }
  for (int64_t task = 0; task < tasks; ++task) {
    const int64_t begin = task * kRowsPerTask;
    BatchTokens& batch = batches[task];
    for (size_t row = 0; row < batch.valid.size(); ++row) {
      if (batch.valid[row]) addresses_.push_back(addresses[begin + row]);
    }
    Merge(batch);
    batch = BatchTokens();  // frees its memory before the next merge grows ours
  }
  num_rows_ += static_cast<uint64_t>(n);
  has_last_address_ = true;
  last_address_ = addresses[n - 1];
  return Status::OK();
}

Status InvertedSegmentBuilder::Finish(index::SegmentFileWriter& out) {
  return FinishTo(
      [&out](std::string_view name, std::string_view bytes) { return out.Add(name, bytes); });
}

Status InvertedSegmentBuilder::FinishTo(const BlobSink& sink) {
  if (finished_) return Status::InvalidArgument("INVERTED builder is already finished");
  finished_ = true;
  std::vector<uint32_t> order(terms_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return terms_.term(a) < terms_.term(b); });

  std::string offsets, term_bytes, records;
  format::ByteWriter offset_writer(&offsets), record_writer(&records);
  std::string postings, positions;
  uint32_t posting_chunk = 0, position_chunk = 0;
  offset_writer.PutU32(0);
  for (uint32_t id : order) {
    const std::string_view term = terms_.term(id);
    if (term_bytes.size() + term.size() > UINT32_MAX) {
      return Status::InvalidArgument("INVERTED segment terms exceed 4 GiB");
    }
    term_bytes.append(term);
    offset_writer.PutU32(static_cast<uint32_t>(term_bytes.size()));

    if (postings.size() >= kChunkTargetBytes) {
      IXRAY_RETURN_NOT_OK(sink(PostingChunkName(posting_chunk++), postings));
      postings.clear();
    }
    Postings& p = postings_[id];
    const uint64_t posting_offset = postings.size();
    EncodePostingList(p.docs, p.tfs, doc_lengths_, &postings);
    uint64_t positions_offset = 0;
    if (config_.with_position) {
      if (positions.size() >= kChunkTargetBytes) {
        IXRAY_RETURN_NOT_OK(sink(PositionChunkName(position_chunk++), positions));
        positions.clear();
      }
      positions_offset = positions.size();
      EncodePositions(p.positions, p.tfs, &positions);
    }
    record_writer.PutU32(static_cast<uint32_t>(p.docs.size()));
    record_writer.PutU32(posting_chunk);
    record_writer.PutU64(posting_offset);
    record_writer.PutU64(postings.size() - posting_offset);
    record_writer.PutU32(position_chunk);
    record_writer.PutU32(0);
    record_writer.PutU64(positions_offset);
    p = Postings();  // encoded: free it
  }
  if (!postings.empty()) IXRAY_RETURN_NOT_OK(sink(PostingChunkName(posting_chunk++), postings));
  if (!positions.empty()) {
    IXRAY_RETURN_NOT_OK(sink(PositionChunkName(position_chunk++), positions));
  }

  std::string terms = std::move(offsets);
  terms.append(term_bytes);
  terms.append(records);
  IXRAY_RETURN_NOT_OK(sink("terms", terms));

  std::string docs;
  docs.reserve(addresses_.size() * 12);
  format::ByteWriter doc_writer(&docs);
  for (RowAddress address : addresses_) doc_writer.PutU64(address);
  for (uint32_t length : doc_lengths_) doc_writer.PutU32(length);
  IXRAY_RETURN_NOT_OK(sink("docs", docs));

  std::string meta;
  format::ByteWriter meta_writer(&meta);
  meta_writer.PutBytes(kSegmentMagic.data(), kSegmentMagic.size());
  meta_writer.PutU32(kSegmentVersion);
  meta_writer.PutU64(num_rows_);
  meta_writer.PutU64(addresses_.size());
  meta_writer.PutU64(total_tokens_);
  meta_writer.PutU64(terms_.size());
  meta_writer.PutU32(posting_chunk);
  meta_writer.PutU32(position_chunk);
  meta_writer.PutU8(config_.with_position ? 1 : 0);
  return sink("meta", meta);
}

Result<std::unique_ptr<InvertedSegment>> BuildInMemoryInvertedSegment(
    const ScalarIndexConfig& config, const Field& field, const Array& values,
    std::span<const RowAddress> addresses, Executor* executor) {
  std::shared_ptr<Executor> serial;
  if (executor == nullptr) {
    serial = SerialExecutor();
    executor = serial.get();
  }
  BuildContext context;
  context.executor = executor;
  context.memory_limit = INT64_MAX;
  IXRAY_ASSIGN_OR_RAISE(auto builder, InvertedSegmentBuilder::Make(config, field, context));
  IXRAY_RETURN_NOT_OK(builder->Add(values, addresses));
  auto blobs = std::make_shared<std::map<std::string, BufferPtr, std::less<>>>();
  IXRAY_RETURN_NOT_OK(builder->FinishTo([&](std::string_view name, std::string_view bytes) {
    auto owner = std::make_shared<std::string>(bytes);
    (*blobs)[std::string(name)] =
        Buffer::Wrap(owner->data(), static_cast<int64_t>(owner->size()), owner);
    return Status::OK();
  }));
  BlobReader read = [blobs](std::string_view name) -> Result<BufferPtr> {
    auto it = blobs->find(name);
    if (it == blobs->end()) return Status::NotFound(fmt::format("no blob '{}'", name));
    return it->second;
  };
  return InvertedSegment::Open(std::move(read), config);
}

}  // namespace ixray::scalar::inverted
