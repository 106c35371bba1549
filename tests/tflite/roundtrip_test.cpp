// write_model -> read_model gives the same Model; the bytes follow the TFLite schema
// (checked field by field with a schema-free reader).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "fb_peek.h"
#include "litequant/core/error.h"
#include "litequant/core/file.h"
#include "litequant/tflite/model.h"
#include "test_models.h"

namespace lq::tflite {
namespace {

std::shared_ptr<const std::vector<uint8_t>> shared(std::vector<uint8_t> b) {
  return std::make_shared<const std::vector<uint8_t>>(std::move(b));
}

TEST(TfliteRoundTrip, EveryOpAndOptionsTypeComesBackEqual) {
  const Model m = test::every_op_model();
  const std::vector<uint8_t> bytes = write_model(m);
  const Model r = read_model(shared(bytes), "every_op.tflite");
  EXPECT_EQ(r, m);
  // Field by field, for a readable failure.
  ASSERT_EQ(r.tensors.size(), m.tensors.size());
  for (size_t i = 0; i < m.tensors.size(); ++i)
    EXPECT_EQ(r.tensors[i], m.tensors[i]) << "tensor " << i;
  ASSERT_EQ(r.operators.size(), m.operators.size());
  for (size_t i = 0; i < m.operators.size(); ++i)
    EXPECT_EQ(r.operators[i], m.operators[i])
        << "operator " << i << " " << op_name(m.operators[i].opcode);
  ASSERT_EQ(r.buffers.size(), m.buffers.size());
  for (size_t i = 0; i < m.buffers.size(); ++i)
    EXPECT_EQ(r.buffers[i], m.buffers[i]) << "buffer " << i;
  EXPECT_EQ(r.description, "litequant test model");
  EXPECT_EQ(r.subgraph_name, "main");
  // Written again, the read model gives the same bytes: the writer is deterministic.
  EXPECT_EQ(write_model(r), bytes);
  EXPECT_EQ(write_model(m), bytes);
  // The one activation value the model does not use (TFLite's FC kernel rejects it).
  Model tanh = m;
  std::get<FullyConnectedOptions>(tanh.operators[5].options).activation = Activation::kTanh;
  EXPECT_EQ(read_model(shared(write_model(tanh)), "tanh"), tanh);
}

TEST(TfliteRoundTrip, ConstantDataIsReadInPlace) {
  const auto bytes = shared(write_model(test::every_op_model()));
  const Model r = read_model(bytes, "m");
  ASSERT_EQ(r.file, bytes);
  for (size_t i = 1; i < r.buffers.size(); ++i) {
    const auto d = r.buffers[i].data();
    EXPECT_TRUE(r.buffers[i].owned.empty());
    if (d.empty()) continue;
    EXPECT_GE(d.data(), bytes->data());
    EXPECT_LE(d.data() + d.size(), bytes->data() + bytes->size());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(d.data()) % 16, 0u)
        << "buffer " << i << " not 16-byte aligned";
  }
  // Copies of the model share the file; the data stays valid after the original is gone.
  Model copy;
  {
    Model tmp = read_model(bytes, "m");
    copy = tmp;
  }
  EXPECT_EQ(copy, r);
}

TEST(TfliteRoundTrip, BufferCopiesOwnTheirBytes) {
  Buffer a = Buffer::copy_of(std::vector<uint8_t>{1, 2, 3});
  Buffer b = a;
  EXPECT_EQ(b.data().data(), b.owned.data());
  EXPECT_NE(b.data().data(), a.data().data());
  a.owned.assign({9, 9, 9});
  EXPECT_EQ(b.data()[2], 3);
  Buffer c;
  c = b;
  b = Buffer{};
  EXPECT_EQ(c.data().size(), 3u);
  EXPECT_EQ(c.data()[0], 1);
  Buffer d = std::move(c);
  EXPECT_EQ(d.data().data(), d.owned.data());
  EXPECT_EQ(d, Buffer::copy_of(std::vector<uint8_t>{1, 2, 3}));
}

TEST(TfliteRoundTrip, FileLevelFieldsFollowTheSchema) {
  const Model m = test::every_op_model();
  const std::vector<uint8_t> bytes = write_model(m);
  const test::Peek p(bytes);
  EXPECT_EQ(p.identifier(), "TFL3");
  const size_t model = p.root();
  EXPECT_EQ(p.scalar<uint32_t>(model, 0, 0), 3u);      // version
  EXPECT_EQ(p.str(model, 3), "litequant test model");  // description

  // buffers (id 4): buffers[0] has no data; the others are 16-byte aligned in the file.
  const size_t buffers = p.ref(model, 4);
  ASSERT_NE(buffers, 0u);
  ASSERT_EQ(p.length(buffers), m.buffers.size());
  const size_t b0 = p.table_in(buffers, 0);
  EXPECT_TRUE(p.ref(b0, 0) == 0 || p.length(p.ref(b0, 0)) == 0);
  for (size_t i = 1; i < m.buffers.size(); ++i) {
    const size_t data = p.ref(p.table_in(buffers, i), 0);
    if (m.buffers[i].data().empty()) {
      EXPECT_EQ(data, 0u);
      continue;
    }
    ASSERT_NE(data, 0u);
    EXPECT_EQ(p.length(data), m.buffers[i].data().size());
    EXPECT_EQ((data + 4) % 16, 0u) << "buffer " << i;
    EXPECT_EQ(std::memcmp(bytes.data() + data + 4, m.buffers[i].data().data(), p.length(data)), 0);
  }

  // operator_codes (id 1): both code fields, deprecated = min(code, 127), one per (code, version).
  const size_t codes = p.ref(model, 1);
  ASSERT_NE(codes, 0u);
  std::set<std::pair<int32_t, int32_t>> distinct;
  for (const Operator& o : m.operators) distinct.insert({o.opcode, o.version});
  ASSERT_EQ(p.length(codes), distinct.size());
  std::set<std::pair<int32_t, int32_t>> seen;
  bool saw_gelu = false;
  for (size_t i = 0; i < p.length(codes); ++i) {
    const size_t oc = p.table_in(codes, i);
    ASSERT_NE(p.field(oc, 0), 0u) << "deprecated_builtin_code missing";
    ASSERT_NE(p.field(oc, 3), 0u) << "builtin_code missing";
    const int32_t code = p.scalar<int32_t>(oc, 3, -1);
    EXPECT_EQ(p.scalar<int8_t>(oc, 0, -1), std::min(code, 127));
    EXPECT_EQ(p.field(oc, 1), 0u);  // no custom_code
    seen.insert({code, p.scalar<int32_t>(oc, 2, 1)});
    saw_gelu |= code == 150;
  }
  EXPECT_EQ(seen, distinct);
  EXPECT_TRUE(saw_gelu);

  // subgraphs (id 2): one; tensors (0), inputs (1), outputs (2), operators (3), name (4).
  const size_t subgraphs = p.ref(model, 2);
  ASSERT_EQ(p.length(subgraphs), 1u);
  const size_t sg = p.table_in(subgraphs, 0);
  EXPECT_EQ(p.str(sg, 4), "main");
  const size_t outputs = p.ref(sg, 2);
  ASSERT_EQ(p.length(outputs), 2u);
  EXPECT_EQ(p.at<int32_t>(p.element(outputs, 1, 4)), m.outputs[1]);

  // Tensor 1, the per-channel int8 conv weights: shape (0), type (1) INT8 = 9, buffer (2),
  // name (3), quantization (4): scale (2), zero_point (3) int64, quantized_dimension (6).
  const size_t t1 = p.table_in(p.ref(sg, 0), 1);
  const size_t shape = p.ref(t1, 0);
  ASSERT_EQ(p.length(shape), 4u);
  EXPECT_EQ(p.at<int32_t>(p.element(shape, 0, 4)), 4);
  EXPECT_EQ(p.scalar<int8_t>(t1, 1, 0), 9);
  EXPECT_EQ(p.scalar<uint32_t>(t1, 2, 0), m.tensors[1].buffer);
  EXPECT_EQ(p.str(t1, 3), "conv/w");
  const size_t q = p.ref(t1, 4);
  ASSERT_NE(q, 0u);
  const size_t scale = p.ref(q, 2), zp = p.ref(q, 3);
  ASSERT_EQ(p.length(scale), 4u);
  EXPECT_EQ(p.at<float>(p.element(scale, 1, 4)), 0.25f);
  ASSERT_EQ(p.length(zp), 4u);
  EXPECT_EQ(p.at<int64_t>(p.element(zp, 0, 8)), 0);
  // The int16 tensor's zero point -7, read as a 64-bit value.
  const size_t t_int16 = p.table_in(p.ref(sg, 0), m.tensors.size() - 2);
  EXPECT_EQ(p.scalar<int8_t>(t_int16, 1, 0), 7);  // INT16
  EXPECT_EQ(p.at<int64_t>(p.element(p.ref(p.ref(t_int16, 4), 3), 0, 8)), -7);

  // Operator 0 (CONV_2D): opcode_index (0), inputs (1), outputs (2), options type (3) =
  // Conv2DOptions 1, options (4): padding (0), stride_w (1), stride_h (2), activation (3).
  const size_t op0 = p.table_in(p.ref(sg, 3), 0);
  const size_t code0 = p.table_in(codes, p.scalar<uint32_t>(op0, 0, 0));
  EXPECT_EQ(p.scalar<int32_t>(code0, 3, -1), 3);
  EXPECT_EQ(p.scalar<int32_t>(code0, 2, 1), 3);  // version
  EXPECT_EQ(p.length(p.ref(op0, 1)), 3u);
  EXPECT_EQ(p.scalar<uint8_t>(op0, 3, 0), 1);
  const size_t conv = p.ref(op0, 4);
  EXPECT_EQ(p.scalar<int8_t>(conv, 0, 0), 0);  // SAME (the default: may be omitted)
  EXPECT_EQ(p.scalar<int32_t>(conv, 1, 0), 2);
  EXPECT_EQ(p.scalar<int32_t>(conv, 2, 0), 2);
  EXPECT_EQ(p.scalar<int8_t>(conv, 3, 0), 1);  // RELU
  // The other ops' union indices (TFLite's BuiltinOptions numbering).
  const std::map<int32_t, uint8_t> want = {
      {3, 1},   {4, 2},   {1, 5},   {17, 5},  {9, 8},  {25, 9},   {2, 10}, {0, 11},
      {22, 17}, {18, 21}, {34, 22}, {40, 27}, {6, 38}, {114, 89}, {19, 0}, {150, 0}};
  for (size_t i = 0; i < m.operators.size(); ++i) {
    const auto it = want.find(m.operators[i].opcode);
    if (it == want.end()) continue;
    const size_t op = p.table_in(p.ref(sg, 3), i);
    EXPECT_EQ(p.scalar<uint8_t>(op, 3, 0), it->second) << op_name(m.operators[i].opcode);
  }
  // SOFTMAX beta (id 0) and DEPTHWISE depth_multiplier (3), dilation_h (6).
  for (size_t i = 0; i < m.operators.size(); ++i) {
    const size_t opts = p.ref(p.table_in(p.ref(sg, 3), i), 4);
    if (m.operators[i].opcode == static_cast<int32_t>(Op::kSoftmax)) {
      EXPECT_EQ(p.scalar<float>(opts, 0, 0.0f), 0.5f);
    }
    if (m.operators[i].opcode == static_cast<int32_t>(Op::kDepthwiseConv2D)) {
      EXPECT_EQ(p.scalar<int32_t>(opts, 3, 0), 2);
      EXPECT_EQ(p.scalar<int32_t>(opts, 6, 1), 2);
    }
  }
}

TEST(TfliteRoundTrip, ReadModelFileNamesThePath) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("lq_tflite_" + std::to_string(::getpid()) + ".tflite"))
                               .string();
  const std::vector<uint8_t> bytes = write_model(test::every_op_model());
  write_file_atomic(path, bytes.data(), bytes.size());
  EXPECT_EQ(read_model_file(path), test::every_op_model());
  const std::vector<uint8_t> junk(100, 0x41);
  write_file_atomic(path, junk.data(), junk.size());
  try {
    read_model_file(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(read_model_file(path), Error);
}

TEST(TfliteRoundTrip, MissingOptionsReadAsTfliteDefaults) {
  // FULLY_CONNECTED without options: TFLite's defaults (no activation); SOFTMAX: beta 0.
  Model m = test::empty_model();
  const int32_t x = test::add_tensor(m, "x", {1, 4}, TensorType::kFloat32);
  const int32_t w = test::add_tensor(m, "w", {2, 4}, TensorType::kFloat32,
                                     test::float_bytes(test::pseudo_random(8, 3)));
  const int32_t y = test::add_tensor(m, "y", {1, 2}, TensorType::kFloat32);
  const int32_t z = test::add_tensor(m, "z", {1, 2}, TensorType::kFloat32);
  test::add_op(m, Op::kFullyConnected, {x, w}, {y}, FullyConnectedOptions{});
  test::add_op(m, Op::kSoftmax, {y}, {z}, SoftmaxOptions{0.0f});
  m.inputs = {x};
  m.outputs = {z};
  std::vector<uint8_t> bytes = write_model(m);
  // Clear builtin_options_type of both ops (the tables stay, unreferenced by type).
  const test::Peek p(bytes);
  const size_t ops = p.ref(p.table_in(p.ref(p.root(), 2), 0), 3);
  for (size_t i = 0; i < 2; ++i) bytes[p.field(p.table_in(ops, i), 3)] = 0;
  const Model r = read_model(shared(bytes), "no_options");
  EXPECT_EQ(r, m);
}

}  // namespace
}  // namespace lq::tflite
