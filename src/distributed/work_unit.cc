#include "distributed/work_unit.h"

#include <cstring>

#include "distributed/work_unit.pb.h"
#include "format/byte_coding.h"

namespace ixray::distributed {

namespace {

constexpr std::string_view kUnitMagic = "IXWU";
constexpr std::string_view kRoundMagic = "IXKR";
constexpr std::string_view kResultMagic = "IXSR";
constexpr uint32_t kFormatVersion = 1;

std::string Frame(std::string_view magic, const google::protobuf::MessageLite& message) {
  std::string out;
  format::ByteWriter w(&out);
  w.PutBytes(magic.data(), magic.size());
  w.PutU32(kFormatVersion);
  out += message.SerializeAsString();
  return out;
}

Status Unframe(std::string_view bytes, std::string_view magic, std::string_view what,
               google::protobuf::MessageLite* message) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(std::string("not a ") + std::string(what) + ": " +
                                   std::string(why));
  };
  if (bytes.size() < 8 || std::memcmp(bytes.data(), magic.data(), 4) != 0) {
    return bad("wrong magic");
  }
  uint32_t version;
  std::memcpy(&version, bytes.data() + 4, 4);
  if (version != kFormatVersion) return bad("unknown format version");
  if (!message->ParseFromArray(bytes.data() + 8, static_cast<int>(bytes.size() - 8))) {
    return bad("damaged message");
  }
  return Status::OK();
}

}  // namespace

std::string EncodeWorkUnit(const WorkUnit& unit) {
  pb::WorkUnit m;
  m.set_uri(unit.uri);
  m.set_version(unit.version);
  m.set_index(unit.index);
  switch (unit.kind) {
    case UnitKind::kTrainShare: {
      auto* t = m.mutable_train();
      t->set_column(unit.train.column);
      t->set_metric(static_cast<uint32_t>(unit.train.metric));
      for (uint64_t p : unit.train.positions) t->add_positions(p);
      break;
    }
    case UnitKind::kBuildSegment: {
      auto* b = m.mutable_build();
      b->set_column(unit.build.column);
      for (FragmentId f : unit.build.fragment_ids) b->add_fragment_ids(f);
      b->set_segment_uuid(unit.build.segment_uuid);
      b->set_model_digest(unit.build.model_digest);
      break;
    }
    case UnitKind::kSearchShard: {
      const SearchShardSpec& spec = unit.search;
      const VectorQuery& q = spec.query;
      auto* s = m.mutable_search();
      s->set_column(q.column);
      for (float v : q.q) s->add_q(v);
      s->set_k(q.k);
      s->set_metric(q.metric);
      if (q.nprobes) s->set_nprobes(*q.nprobes);
      if (q.minimum_nprobes) s->set_minimum_nprobes(*q.minimum_nprobes);
      if (q.maximum_nprobes) s->set_maximum_nprobes(*q.maximum_nprobes);
      if (q.refine_factor) s->set_refine_factor(*q.refine_factor);
      if (q.ef) s->set_ef(*q.ef);
      if (q.distance_lower) s->set_distance_lower(*q.distance_lower);
      if (q.distance_upper) s->set_distance_upper(*q.distance_upper);
      s->set_indexed(spec.indexed);
      for (const auto& u : spec.segment_uuids) s->add_segment_uuids(u);
      for (FragmentId f : spec.fragment_ids) s->add_fragment_ids(f);
      s->set_filter(spec.filter);
      s->set_prefilter(spec.prefilter);
      s->set_analyze(spec.analyze);
      break;
    }
    case UnitKind::kTrainPq: {
      auto* t = m.mutable_train_pq();
      for (uint32_t j : unit.train_pq.sub_spaces) t->add_sub_spaces(j);
      t->set_num_sub_vectors(static_cast<uint32_t>(unit.train_pq.num_sub_vectors));
      t->set_num_bits(static_cast<uint32_t>(unit.train_pq.num_bits));
      t->set_max_iters(unit.train_pq.max_iters);
      t->set_seed(unit.train_pq.seed);
      break;
    }
  }
  return Frame(kUnitMagic, m);
}

Result<WorkUnit> DecodeWorkUnit(std::string_view bytes) {
  pb::WorkUnit m;
  IXRAY_RETURN_NOT_OK(Unframe(bytes, kUnitMagic, "work unit", &m));
  WorkUnit unit;
  unit.uri = m.uri();
  unit.version = m.version();
  unit.index = m.index();
  switch (m.kind_case()) {
    case pb::WorkUnit::kTrain: {
      unit.kind = UnitKind::kTrainShare;
      unit.train.column = m.train().column();
      unit.train.metric = static_cast<int>(m.train().metric());
      unit.train.positions.assign(m.train().positions().begin(), m.train().positions().end());
      break;
    }
    case pb::WorkUnit::kBuild: {
      unit.kind = UnitKind::kBuildSegment;
      const auto& b = m.build();
      unit.build.column = b.column();
      unit.build.fragment_ids.assign(b.fragment_ids().begin(), b.fragment_ids().end());
      unit.build.segment_uuid = b.segment_uuid();
      unit.build.model_digest = b.model_digest();
      break;
    }
    case pb::WorkUnit::kSearch: {
      unit.kind = UnitKind::kSearchShard;
      const auto& s = m.search();
      SearchShardSpec& spec = unit.search;
      VectorQuery& q = spec.query;
      q.column = s.column();
      q.q.assign(s.q().begin(), s.q().end());
      q.k = s.k();
      q.metric = s.metric();
      if (s.has_nprobes()) q.nprobes = s.nprobes();
      if (s.has_minimum_nprobes()) q.minimum_nprobes = s.minimum_nprobes();
      if (s.has_maximum_nprobes()) q.maximum_nprobes = s.maximum_nprobes();
      if (s.has_refine_factor()) q.refine_factor = s.refine_factor();
      if (s.has_ef()) q.ef = s.ef();
      if (s.has_distance_lower()) q.distance_lower = s.distance_lower();
      if (s.has_distance_upper()) q.distance_upper = s.distance_upper();
      spec.indexed = s.indexed();
      spec.segment_uuids.assign(s.segment_uuids().begin(), s.segment_uuids().end());
      spec.fragment_ids.assign(s.fragment_ids().begin(), s.fragment_ids().end());
      spec.filter = s.filter();
      spec.prefilter = s.prefilter();
      spec.analyze = s.analyze();
      break;
    }
    case pb::WorkUnit::kTrainPq: {
      unit.kind = UnitKind::kTrainPq;
      const auto& t = m.train_pq();
      unit.train_pq.sub_spaces.assign(t.sub_spaces().begin(), t.sub_spaces().end());
      unit.train_pq.num_sub_vectors = static_cast<int>(t.num_sub_vectors());
      unit.train_pq.num_bits = static_cast<int>(t.num_bits());
      unit.train_pq.max_iters = t.max_iters();
      unit.train_pq.seed = t.seed();
      break;
    }
    default:
      return Status::InvalidArgument("not a work unit: no kind");
  }
  return unit;
}

std::string EncodeCentroids(const std::vector<float>& centroids, uint32_t k, uint32_t d) {
  pb::KMeansRound m;
  m.set_k(k);
  m.set_d(d);
  m.mutable_centroids()->Add(centroids.begin(), centroids.end());
  return Frame(kRoundMagic, m);
}

Result<std::vector<float>> DecodeCentroids(std::string_view bytes, uint32_t* k, uint32_t* d) {
  pb::KMeansRound m;
  IXRAY_RETURN_NOT_OK(Unframe(bytes, kRoundMagic, "k-means round", &m));
  if (m.k() == 0 || m.d() == 0 ||
      static_cast<uint64_t>(m.centroids_size()) != uint64_t{m.k()} * m.d()) {
    return Status::InvalidArgument("not a k-means round: centroids of the wrong shape");
  }
  *k = m.k();
  *d = m.d();
  return std::vector<float>(m.centroids().begin(), m.centroids().end());
}

std::string EncodeSearchResult(const SearchShardResult& result) {
  pb::SearchShardResult m;
  m.mutable_addresses()->Add(result.addresses.begin(), result.addresses.end());
  m.mutable_distances()->Add(result.distances.begin(), result.distances.end());
  m.set_plan(result.plan);
  return Frame(kResultMagic, m);
}

Result<SearchShardResult> DecodeSearchResult(std::string_view bytes) {
  pb::SearchShardResult m;
  IXRAY_RETURN_NOT_OK(Unframe(bytes, kResultMagic, "search shard result", &m));
  if (m.addresses_size() != m.distances_size()) {
    return Status::InvalidArgument("not a search shard result: addresses and distances differ");
  }
  SearchShardResult r;
  r.addresses.assign(m.addresses().begin(), m.addresses().end());
  r.distances.assign(m.distances().begin(), m.distances().end());
  r.plan = m.plan();
  return r;
}

}  // namespace ixray::distributed
