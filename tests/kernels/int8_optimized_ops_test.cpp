// Optimized int8/uint8 MAX_POOL_2D / AVERAGE_POOL_2D, int8 ADD / MUL (equal and broadcast
// shapes), QUANTIZE (float32 -> 8-bit and requantize) and DEQUANTIZE (per tensor and per
// channel) (int8_optimized_ops.h) against the reference kernels, byte
// for byte, on every code path this CPU runs (parameter: the forced path; unavailable
// ones skip).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/kernels/int8_optimized_ops.h"
#include "litequant/kernels/int8_shape_ops.h"

namespace lq::kernels {
namespace {

constexpr uint8_t kGuard = 0x5A;  // bytes past the output must stay untouched
constexpr size_t kGuardBytes = 64;

struct OpsRand {
  std::mt19937 rng;
  explicit OpsRand(uint32_t seed) : rng(seed) {}
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  float log_uniform(float lo, float hi) {
    return lo * std::pow(hi / lo, std::uniform_real_distribution<float>(0.0f, 1.0f)(rng));
  }
  // Uniform bytes, or (sometimes) only the extremes / a narrow band to stress sums.
  std::vector<uint8_t> bytes(size_t n) {
    std::vector<uint8_t> v(n);
    const int mode = pick(0, 3);
    for (auto& x : v) {
      if (mode == 0) x = static_cast<uint8_t>(pick(0, 1) ? 0x80 : 0x7F);
      else if (mode == 1) x = static_cast<uint8_t>(pick(0, 1) ? 0x00 : 0xFF);
      else x = static_cast<uint8_t>(pick(0, 255));
    }
    return v;
  }
  Activation activation() {
    const Activation all[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                              Activation::kReluN1To1};
    return all[pick(0, 3)];
  }
};

class PoolSweep : public ::testing::TestWithParam<OpPath> {
 protected:
  void SetUp() override {
    if (!op_path_available(GetParam())) GTEST_SKIP() << op_path_name(GetParam()) << " not available";
  }
};

struct PoolCase {
  int batch, h, w, c, fh, fw, sh, sw;
  Padding padding;
};

std::string describe(const PoolCase& k, PoolKind kind, QuantizedType type) {
  return std::string(kind == PoolKind::kMax ? "max" : "avg") + (type == QuantizedType::kInt8 ? " s8" : " u8") +
         " n" + std::to_string(k.batch) + " " + std::to_string(k.h) + "x" + std::to_string(k.w) + "x" +
         std::to_string(k.c) + " f" + std::to_string(k.fh) + "x" + std::to_string(k.fw) + " s" +
         std::to_string(k.sh) + "x" + std::to_string(k.sw) + (k.padding == Padding::kSame ? " same" : " valid");
}

void check_case(OpsRand& r, OpPath path, const PoolCase& k, PoolKind kind, QuantizedType type) {
  const bool s8 = type == QuantizedType::kInt8;
  const QuantParams q{r.log_uniform(1e-3f, 1.0f), s8 ? r.pick(-128, 127) : r.pick(0, 255)};
  const Activation act = r.activation();
  const std::string op = kind == PoolKind::kMax ? "MAX_POOL_2D" : "AVERAGE_POOL_2D";
  Pool2DInt8Params p;
  try {
    p = prepare_pool2d_int8({k.batch, k.h, k.w, k.c}, {k.padding, k.sh, k.sw, k.fh, k.fw, act}, q, q, op, type);
  } catch (const Error&) {
    return;  // e.g. an activation range outside the type for this zero point
  }
  const std::vector<uint8_t> input = r.bytes(static_cast<size_t>(k.batch) * k.h * k.w * k.c);
  const size_t out_n = static_cast<size_t>(flat_size(p.output_dims));
  std::vector<uint8_t> want(out_n), got(out_n + kGuardBytes, kGuard);
  if (s8) {
    const auto* in = reinterpret_cast<const int8_t*>(input.data());
    auto* o = reinterpret_cast<int8_t*>(want.data());
    if (kind == PoolKind::kMax) eval_max_pool2d_int8(p, in, o);
    else eval_average_pool2d_int8(p, in, o);
  } else {
    if (kind == PoolKind::kMax) eval_max_pool2d_int8(p, input.data(), want.data());
    else eval_average_pool2d_int8(p, input.data(), want.data());
  }
  Pool2DInt8Optimized opt = prepare_pool2d_int8_optimized(p, kind, type, path);
  EXPECT_EQ(opt.path, path);
  eval_pool2d_int8_optimized(opt, input.data(), got.data());
  const std::string what = describe(k, kind, type) + " zp " + std::to_string(q.zero_point) + " act " +
                           std::to_string(static_cast<int>(act));
  for (size_t i = 0; i < out_n; ++i)
    if (got[i] != want[i]) {
      ADD_FAILURE() << what << ": output " << i << " is " << int(got[i]) << ", want " << int(want[i]);
      return;
    }
  for (size_t i = out_n; i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << what << ": wrote past the output";
  // A second run on the same prepared object gives the same bytes.
  std::vector<uint8_t> again(out_n);
  eval_pool2d_int8_optimized(opt, input.data(), again.data());
  ASSERT_TRUE(std::equal(again.begin(), again.end(), want.begin())) << what << ": second run differs";
}

TEST_P(PoolSweep, MatchesReferenceByteForByte) {
  OpsRand r(1234u + static_cast<uint32_t>(GetParam()));
  const int channels[] = {1, 3, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 128, 130};
  for (int iter = 0; iter < 600; ++iter) {
    PoolCase k;
    k.batch = r.pick(1, 3);
    k.h = r.pick(1, 11);
    k.w = r.pick(1, 11);
    k.c = iter % 3 == 0 ? r.pick(1, 80) : channels[r.pick(0, static_cast<int>(std::size(channels)) - 1)];
    k.fh = r.pick(1, 4);
    k.fw = r.pick(1, 4);
    if (iter % 10 == 0) {  // global pooling
      k.fh = k.h;
      k.fw = k.w;
    }
    k.sh = r.pick(1, 3);
    k.sw = r.pick(1, 3);
    k.padding = r.pick(0, 1) ? Padding::kSame : Padding::kValid;
    if (k.padding == Padding::kValid && (k.fh > k.h || k.fw > k.w)) k.padding = Padding::kSame;
    for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage})
      for (QuantizedType type : {QuantizedType::kInt8, QuantizedType::kUInt8}) {
        check_case(r, GetParam(), k, kind, type);
        if (HasFailure()) return;
      }
  }
}

// Windows of more than 65536 taps: AVERAGE keeps the reference kernel (float division
// would no longer be exact); MAX stays optimized. Both still match.
TEST_P(PoolSweep, HugeWindows) {
  OpsRand r(99u);
  const PoolCase k{1, 300, 260, 3, 300, 260, 1, 1, Padding::kValid};
  for (QuantizedType type : {QuantizedType::kInt8, QuantizedType::kUInt8}) {
    check_case(r, GetParam(), k, PoolKind::kMax, type);
    check_case(r, GetParam(), k, PoolKind::kAverage, type);
  }
  const Pool2DInt8Params p =
      prepare_pool2d_int8({1, 300, 260, 3}, {Padding::kValid, 1, 1, 300, 260, Activation::kNone}, {0.1f, 0},
                          {0.1f, 0}, "AVERAGE_POOL_2D");
  EXPECT_TRUE(prepare_pool2d_int8_optimized(p, PoolKind::kAverage, QuantizedType::kInt8, GetParam()).uses_reference());
  EXPECT_FALSE(prepare_pool2d_int8_optimized(p, PoolKind::kMax, QuantizedType::kInt8, GetParam()).uses_reference());
}

INSTANTIATE_TEST_SUITE_P(Paths, PoolSweep, ::testing::Values(OpPath::kPortable, OpPath::kAvx2, OpPath::kAvx512),
                         [](const ::testing::TestParamInfo<OpPath>& i) { return std::string(op_path_name(i.param)); });

TEST(OpPaths, AutoResolvesToAnAvailablePath) {
  const OpPath p = resolve_op_path(OpPath::kAuto);
  EXPECT_NE(p, OpPath::kAuto);
  EXPECT_TRUE(op_path_available(p));
  EXPECT_TRUE(op_path_available(OpPath::kPortable));
}

// ---- QUANTIZE float32 -> int8/uint8 ------------------------------------------------------
class QuantizeFloatSweep : public ::testing::TestWithParam<OpPath> {
 protected:
  void SetUp() override {
    if (!op_path_available(GetParam())) GTEST_SKIP() << op_path_name(GetParam()) << " not available";
  }
};

TEST_P(QuantizeFloatSweep, MatchesReferenceByteForByte) {
  OpsRand r(77u + static_cast<uint32_t>(GetParam()));
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                            1e10f, -1e10f, 3e38f, -3e38f, 2147483520.0f, -2147483648.0f};
  for (int iter = 0; iter < 400; ++iter) {
    const bool s8 = r.pick(0, 1) == 0;
    const QuantParams q{r.log_uniform(1e-4f, 10.0f), s8 ? r.pick(-128, 127) : r.pick(0, 255)};
    const int n = r.pick(0, 1) ? r.pick(0, 40) : r.pick(0, 700);
    std::vector<float> x(static_cast<size_t>(n));
    for (float& v : x) {
      const int mode = r.pick(0, 5);
      const float k = static_cast<float>(r.pick(-300, 300));
      if (mode == 0) v = (k + 0.5f) * q.scale;  // ties (and their float neighbours)
      else if (mode == 1) v = std::nextafter((k + 0.5f) * q.scale, r.pick(0, 1) ? 1e30f : -1e30f);
      else if (mode == 2) v = specials[r.pick(0, static_cast<int>(std::size(specials)) - 1)];
      else if (mode == 3) v = static_cast<float>(r.pick(-1000000, 1000000)) * q.scale;
      else v = std::uniform_real_distribution<float>(-200.0f, 200.0f)(r.rng) * q.scale;
    }
    const auto p = prepare_quantize_float({n}, q, s8 ? kInt8Range : kUInt8Range);
    std::vector<uint8_t> want(static_cast<size_t>(n)), got(static_cast<size_t>(n) + kGuardBytes, kGuard);
    if (s8) eval_quantize_float(p, x.data(), reinterpret_cast<int8_t*>(want.data()));
    else eval_quantize_float(p, x.data(), want.data());
    const auto opt = prepare_quantize_float_optimized(p, s8 ? QuantizedType::kInt8 : QuantizedType::kUInt8, GetParam());
    EXPECT_EQ(opt.path, GetParam());
    eval_quantize_float_optimized(opt, x.data(), got.data());
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_EQ(got[i], want[i]) << "x " << x[i] << " scale " << q.scale << " zp " << q.zero_point << " at " << i;
    for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "wrote past the output";
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, QuantizeFloatSweep,
                         ::testing::Values(OpPath::kPortable, OpPath::kAvx2, OpPath::kAvx512),
                         [](const ::testing::TestParamInfo<OpPath>& i) { return std::string(op_path_name(i.param)); });

// ---- QUANTIZE 8-bit -> 8-bit (requantize) and DEQUANTIZE: tables ---------------------------
class RequantizeTable : public ::testing::TestWithParam<OpPath> {
 protected:
  void SetUp() override {
    if (!op_path_available(GetParam())) GTEST_SKIP() << op_path_name(GetParam()) << " not available";
  }
};

TEST_P(RequantizeTable, MatchesReferenceByteForByte) {
  OpsRand r(5u);
  for (int iter = 0; iter < 300; ++iter) {
    const bool in_s8 = r.pick(0, 1) == 0, out_s8 = r.pick(0, 1) == 0;
    const QuantParams qi{r.log_uniform(1e-3f, 1.0f), in_s8 ? r.pick(-128, 127) : r.pick(0, 255)};
    const QuantParams qo{qi.scale * r.log_uniform(0.01f, 100.0f), out_s8 ? r.pick(-128, 127) : r.pick(0, 255)};
    const int n = r.pick(0, 600);
    RequantizeParams p;
    try {
      p = prepare_requantize({n}, qi, in_s8 ? kInt8Range : kUInt8Range, qo, out_s8 ? kInt8Range : kUInt8Range);
    } catch (const Error&) {
      continue;
    }
    const std::vector<uint8_t> x = r.bytes(static_cast<size_t>(n));
    std::vector<uint8_t> want(static_cast<size_t>(n)), got(static_cast<size_t>(n) + kGuardBytes, kGuard);
    const auto* xs = reinterpret_cast<const int8_t*>(x.data());
    auto* ws = reinterpret_cast<int8_t*>(want.data());
    if (in_s8 && out_s8) eval_requantize(p, xs, ws);
    else if (in_s8) eval_requantize(p, xs, want.data());
    else if (out_s8) eval_requantize(p, x.data(), ws);
    else eval_requantize(p, x.data(), want.data());
    const auto opt = prepare_requantize_optimized(p, in_s8 ? QuantizedType::kInt8 : QuantizedType::kUInt8,
                                                  out_s8 ? QuantizedType::kInt8 : QuantizedType::kUInt8, GetParam());
    EXPECT_EQ(opt.path, GetParam());
    eval_requantize_optimized(opt, x.data(), got.data());
    for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i], want[i]) << "iteration " << iter << " at " << i;
    for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "wrote past the output";
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, RequantizeTable, ::testing::Values(OpPath::kPortable, OpPath::kAvx2, OpPath::kAvx512),
                         [](const ::testing::TestParamInfo<OpPath>& i) { return std::string(op_path_name(i.param)); });

void expect_same_floats(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_GE(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0) << "at " << i << ": " << got[i] << " vs " << want[i];
}

TEST(DequantizeTable, MatchesReferenceBitForBit) {
  OpsRand r(6u);
  for (int iter = 0; iter < 300; ++iter) {
    const bool s8 = r.pick(0, 1) == 0;
    const QuantParams q{r.log_uniform(1e-6f, 100.0f), s8 ? r.pick(-128, 127) : r.pick(0, 255)};
    const int n = r.pick(0, 600);
    const auto p = prepare_dequantize({n}, q, s8 ? kInt8Range : kUInt8Range);
    const std::vector<uint8_t> x = r.bytes(static_cast<size_t>(n));
    std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n) + 16, -7.0f);
    if (s8) eval_dequantize(p, reinterpret_cast<const int8_t*>(x.data()), want.data());
    else eval_dequantize(p, x.data(), want.data());
    const auto opt = prepare_dequantize_optimized(p, s8 ? QuantizedType::kInt8 : QuantizedType::kUInt8);
    EXPECT_FALSE(opt.uses_reference());
    eval_dequantize_optimized(opt, x.data(), got.data());
    expect_same_floats(got, want);
    for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], -7.0f) << "wrote past the output";
  }
}

TEST(DequantizeTable, PerChannelMatchesReferenceBitForBit) {
  OpsRand r(8u);
  for (int iter = 0; iter < 200; ++iter) {
    const bool s8 = r.pick(0, 1) == 0;
    Dims dims;
    for (int d = r.pick(1, 4); d > 0; --d) dims.push_back(r.pick(1, 7));
    const int32_t axis = r.pick(0, static_cast<int>(dims.size()) - 1);
    const int channels = dims[static_cast<size_t>(axis)];
    std::vector<float> scales;
    std::vector<int64_t> zps;
    for (int c = 0; c < channels; ++c) {
      scales.push_back(r.log_uniform(1e-6f, 100.0f));
      zps.push_back(s8 ? r.pick(-128, 127) : r.pick(0, 255));
    }
    if (r.pick(0, 3) == 0) zps.clear();  // all zero
    const auto p = prepare_dequantize_per_channel(dims, scales, zps, axis, s8 ? kInt8Range : kUInt8Range);
    const size_t n = static_cast<size_t>(flat_size(dims));
    const std::vector<uint8_t> x = r.bytes(n);
    std::vector<float> want(n), got(n + 16, -7.0f);
    if (s8) eval_dequantize(p, reinterpret_cast<const int8_t*>(x.data()), want.data());
    else eval_dequantize(p, x.data(), want.data());
    const auto opt = prepare_dequantize_optimized(p, s8 ? QuantizedType::kInt8 : QuantizedType::kUInt8);
    EXPECT_FALSE(opt.uses_reference());
    eval_dequantize_optimized(opt, x.data(), got.data());
    expect_same_floats(got, want);
    for (size_t i = n; i < got.size(); ++i) ASSERT_EQ(got[i], -7.0f) << "wrote past the output";
  }
}

TEST(DequantizeTable, ManyChannelsRunTheReference) {
  OpsRand r(9u);
  const int channels = static_cast<int>(kMaxDequantizeTables) + 1;
  const std::vector<float> scales(static_cast<size_t>(channels), 0.25f);
  const auto p = prepare_dequantize_per_channel({2, channels}, scales, {}, 1, kInt8Range);
  const std::vector<uint8_t> x = r.bytes(static_cast<size_t>(2 * channels));
  std::vector<float> want(x.size()), got(x.size());
  eval_dequantize(p, reinterpret_cast<const int8_t*>(x.data()), want.data());
  const auto opt = prepare_dequantize_optimized(p, QuantizedType::kInt8);
  EXPECT_TRUE(opt.uses_reference());
  eval_dequantize_optimized(opt, x.data(), got.data());
  expect_same_floats(got, want);
}

// ---- ADD, MUL (int8) -------------------------------------------------------------------------
class BinarySweep : public ::testing::TestWithParam<OpPath> {
 protected:
  void SetUp() override {
    if (!op_path_available(GetParam())) GTEST_SKIP() << op_path_name(GetParam()) << " not available";
  }
};

TEST_P(BinarySweep, AddAndMulMatchReferenceByteForByte) {
  OpsRand r(31u + static_cast<uint32_t>(GetParam()));
  int optimized = 0;
  for (int iter = 0; iter < 800; ++iter) {
    const bool add = iter % 2 == 0;
    // Mostly equal shapes (the vector path); sometimes a broadcast (the reference).
    // Mostly equal shapes; else a broadcast: some dims of either operand set to 1, a
    // scalar, a per-channel vector, or a lower-rank operand.
    Dims d1 = {r.pick(1, 3), r.pick(1, 5), r.pick(1, 6), r.pick(1, 40)};
    Dims d2 = d1;
    switch (r.pick(0, 9)) {
      case 0: d2 = {1}; break;
      case 1: d2 = {d1[3]}; break;
      case 2: d2 = {d1[2], d1[3]}; break;
      case 3:
        for (auto& d : d2) if (r.pick(0, 1)) d = 1;
        for (auto& d : d1) if (r.pick(0, 3) == 0) d = 1;
        break;
      case 4: d2[static_cast<size_t>(r.pick(0, 3))] = 1; break;
      default: break;
    }
    if (r.pick(0, 1)) std::swap(d1, d2);
    const QuantParams q1{r.log_uniform(1e-3f, 1.0f), r.pick(-128, 127)};
    const QuantParams q2{r.pick(0, 3) ? r.log_uniform(1e-3f, 1.0f) : q1.scale, r.pick(-128, 127)};
    const float out_scale = add ? std::max(q1.scale, q2.scale) * r.log_uniform(0.05f, 20.0f)
                                : q1.scale * q2.scale * r.log_uniform(1e-3f, 3e4f);
    const QuantParams qo{out_scale, r.pick(-128, 127)};
    const Activation act = r.activation();
    const std::vector<uint8_t> b1 = r.bytes(static_cast<size_t>(flat_size(d1)));
    const std::vector<uint8_t> b2 = r.bytes(static_cast<size_t>(flat_size(d2)));
    const auto* x1 = reinterpret_cast<const int8_t*>(b1.data());
    const auto* x2 = reinterpret_cast<const int8_t*>(b2.data());
    std::vector<int8_t> want, got;
    bool used_reference = true;
    try {
      if (add) {
        const AddInt8Params p = prepare_add_int8(d1, d2, q1, q2, qo, act);
        want.assign(static_cast<size_t>(flat_size(p.output_dims)), 0);
        got.assign(want.size() + kGuardBytes, static_cast<int8_t>(kGuard));
        eval_add_int8(p, x1, x2, want.data());
        const auto opt = prepare_add_int8_optimized(p, GetParam());
        EXPECT_EQ(opt.path, GetParam());
        used_reference = opt.uses_reference();
        eval_add_int8_optimized(opt, x1, x2, got.data());
      } else {
        const MulInt8Params p = prepare_mul_int8(d1, d2, q1, q2, qo, act);
        want.assign(static_cast<size_t>(flat_size(p.output_dims)), 0);
        got.assign(want.size() + kGuardBytes, static_cast<int8_t>(kGuard));
        eval_mul_int8(p, x1, x2, want.data());
        const auto opt = prepare_mul_int8_optimized(p, GetParam());
        used_reference = opt.uses_reference();
        eval_mul_int8_optimized(opt, x1, x2, got.data());
      }
    } catch (const Error&) {
      continue;  // parameters the op rejects (e.g. ADD's output scale too small)
    }
    if (!used_reference) ++optimized;
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_EQ(got[i], want[i]) << (add ? "ADD" : "MUL") << " iteration " << iter << " at " << i;
    for (size_t i = want.size(); i < got.size(); ++i)
      ASSERT_EQ(got[i], static_cast<int8_t>(kGuard)) << "wrote past the output";
  }
  if (GetParam() == OpPath::kAvx512) {
    EXPECT_GT(optimized, 400);  // the vector path really ran
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, BinarySweep, ::testing::Values(OpPath::kPortable, OpPath::kAvx2, OpPath::kAvx512),
                         [](const ::testing::TestParamInfo<OpPath>& i) { return std::string(op_path_name(i.param)); });

}  // namespace
}  // namespace lq::kernels
