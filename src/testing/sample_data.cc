#include "testing/sample_data.h"

#include <random>
#include <string>

#include "ixray/builder.h"

namespace ixray::testing {

std::vector<TypePtr> AllSupportedTypes() {
  return {boolean(),
          int8(),
          int16(),
          int32(),
          int64(),
          uint8(),
          uint16(),
          uint32(),
          uint64(),
          float16(),
          float32(),
          float64(),
          utf8(),
          large_utf8(),
          binary(),
          date32(),
          timestamp(),
          timestamp("UTC"),
          list(utf8()),
          fixed_size_list(float16(), 4),
          fixed_size_list(float32(), 8),
          fixed_size_list(uint8(), 16)};
}

namespace {

void AppendValue(ArrayBuilder& b, const DataType& type, std::mt19937_64& rng) {
  switch (type.id()) {
    case TypeId::kBool:
      b.AppendBool(rng() & 1);
      break;
    case TypeId::kInt8:
      b.Append<int8_t>(static_cast<int8_t>(rng()));
      break;
    case TypeId::kInt16:
      b.Append<int16_t>(static_cast<int16_t>(rng()));
      break;
    case TypeId::kInt32:
    case TypeId::kDate32:
      b.Append<int32_t>(static_cast<int32_t>(rng() % 40000));
      break;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      b.Append<int64_t>(static_cast<int64_t>(rng() >> 4));
      break;
    case TypeId::kUInt8:
      b.Append<uint8_t>(static_cast<uint8_t>(rng()));
      break;
    case TypeId::kUInt16:
      b.Append<uint16_t>(static_cast<uint16_t>(rng()));
      break;
    // Finite half-precision values: sign, exponent below 31, any mantissa.
    case TypeId::kFloat16:
      b.Append<uint16_t>(static_cast<uint16_t>(rng() % 0x7800));
      break;
    case TypeId::kUInt32:
      b.Append<uint32_t>(static_cast<uint32_t>(rng()));
      break;
    case TypeId::kUInt64:
      b.Append<uint64_t>(rng());
      break;
    case TypeId::kFloat32:
      b.Append<float>(std::uniform_real_distribution<float>(-1, 1)(rng));
      break;
    case TypeId::kFloat64:
      b.Append<double>(std::uniform_real_distribution<double>(-1e6, 1e6)(rng));
      break;
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary: {
      std::string s(rng() % 12, 'a');
      for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
      b.AppendString(s);
      break;
    }
    case TypeId::kList: {
      b.StartList();
      const int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) AppendValue(b.child(), *type.value_type(), rng);
      break;
    }
    case TypeId::kFixedSizeList: {
      b.StartList();
      for (int i = 0; i < type.list_size(); ++i) AppendValue(b.child(), *type.value_type(), rng);
      break;
    }
  }
}

}  // namespace

ArrayPtr MakeSampleArray(const TypePtr& type, int64_t length, int null_every, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ArrayBuilder b(type);
  for (int64_t i = 0; i < length; ++i) {
    if (null_every > 0 && i % null_every == null_every - 1) {
      b.AppendNull();
    } else {
      AppendValue(b, *type, rng);
    }
  }
  return *b.Finish();
}

RecordBatchPtr MakeSampleBatch(int64_t length, int null_every, uint64_t seed) {
  std::vector<FieldPtr> fields;
  std::vector<ArrayPtr> columns;
  const auto types = AllSupportedTypes();
  for (size_t i = 0; i < types.size(); ++i) {
    fields.push_back(field("c" + std::to_string(i), types[i]));
    columns.push_back(MakeSampleArray(types[i], length, null_every, seed + i));
  }
  return *RecordBatch::Make(*Schema::Make(std::move(fields)), length, std::move(columns));
}

}  // namespace ixray::testing
