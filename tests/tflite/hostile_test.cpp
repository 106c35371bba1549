// read_model on broken and hostile files: always lq::Error naming the file and the
// tensor, buffer or operator at fault; never a crash, never a model that breaks a rule.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "fb_peek.h"
#include "litequant/core/error.h"
#include "litequant/tflite/model.h"
#include "test_models.h"
#include "tflite/fb.h"
#include "tflite/writer.h"

namespace lq::tflite {
namespace {

std::shared_ptr<const std::vector<uint8_t>> shared(std::vector<uint8_t> b) {
  return std::make_shared<const std::vector<uint8_t>>(std::move(b));
}

// The message of the lq::Error read_model throws, "" when it does not throw.
std::string read_error(const std::vector<uint8_t>& bytes) {
  try {
    read_model(shared(bytes), "bad.tflite");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_rejected(const std::vector<uint8_t>& bytes, const std::vector<std::string>& parts) {
  const std::string msg = read_error(bytes);
  ASSERT_FALSE(msg.empty()) << "accepted; expected an error with: " << parts.front();
  EXPECT_EQ(msg.rfind("bad.tflite: ", 0), 0u) << msg;
  for (const std::string& p : parts)
    EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
}

TEST(TfliteHostile, EmptyTinyAndForeignFiles) {
  expect_rejected({}, {"empty file"});
  expect_rejected({1, 2, 3, 4, 5}, {"5 bytes, too small"});
  const std::string text = "hello world, this is not a model at all";
  expect_rejected(std::vector<uint8_t>(text.begin(), text.end()),
                  {"not a TFLite model", "\"o wo\""});
  std::vector<uint8_t> fake(64, 0);
  fake[0] = 0xf0;
  fake[1] = 0xff;
  fake[2] = 0xff;
  fake[3] = 0x7f;
  std::memcpy(fake.data() + 4, "TFL3", 4);
  expect_rejected(fake, {"not a valid TFLite flatbuffer"});
  std::vector<uint8_t> binary = {0x00, 0x01, 0x02, 0x03, 0xfe, 0x0a, 'x', 0x7f, 0, 0};
  expect_rejected(binary, {"\\xfe\\x0ax\\x7f"});
}

TEST(TfliteHostile, EveryTruncationIsAnError) {
  const std::vector<uint8_t> bytes = write_model(test::every_op_model());
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::string msg = read_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n));
    ASSERT_FALSE(msg.empty()) << "a prefix of " << n << " of " << bytes.size()
                              << " bytes was accepted";
  }
}

// A model read from damaged bytes must still obey every rule: write it and read it back.
void check_survivor(const Model& m) {
  const std::vector<uint8_t> again = write_model(m);
  EXPECT_EQ(read_model(shared(again), "again"), m);
}

TEST(TfliteHostile, RandomBitFlipsNeverCrash) {
  const std::vector<uint8_t> bytes = write_model(test::every_op_model());
  std::mt19937 rng(7);
  size_t rejected = 0, accepted = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<uint8_t> b = bytes;
    const size_t pos = rng() % b.size();
    b[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
    try {
      const Model m = read_model(shared(b), "flipped");
      ++accepted;
      check_survivor(m);
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000u);
  EXPECT_GT(accepted, 1000u);  // flips in constant data and names are harmless
}

TEST(TfliteHostile, RandomByteGarbageNeverCrashes) {
  const std::vector<uint8_t> bytes = write_model(test::every_op_model());
  std::mt19937 rng(11);
  for (int trial = 0; trial < 5000; ++trial) {
    std::vector<uint8_t> b = bytes;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < n; ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    try {
      check_survivor(read_model(shared(b), "garbage"));
    } catch (const Error&) {
    }
  }
}

struct Mutation {
  std::string what;
  std::function<void(Model&)> apply;
  std::vector<std::string> read_error;   // what read_model says
  std::vector<std::string> write_error;  // what write_model says (empty: same as read)
};

// Models that break one rule each, written with the unchecked writer: read_model must
// reject the file and write_model must refuse the model.
TEST(TfliteHostile, ModelsBreakingOneRule) {
  using T = TensorType;
  const std::vector<Mutation> cases = {
      {"op input out of range",
       [](Model& m) { m.operators[0].inputs[0] = 999; },
       {"operator 0 (CONV_2D): input 0: tensor index 999 out of range"}},
      {"op output absent",
       [](Model& m) { m.operators[0].outputs[0] = -1; },
       {"operator 0 (CONV_2D): output 0: tensor index -1 out of range"}},
      {"required input absent",
       [](Model& m) { m.operators[0].inputs[1] = -1; },
       {"operator 0 (CONV_2D): input 1: tensor index -1"}},
      {"-1 bias for CONV_2D (TFLite wants 2 inputs)",
       [](Model& m) { m.operators[0].inputs[2] = -1; },
       {"operator 0 (CONV_2D): input 2: tensor index -1"}},
      {"negative input",
       [](Model& m) { m.operators[1].inputs[0] = -5; },
       {"operator 1 (DEPTHWISE_CONV_2D): input 0: tensor index -5"}},
      {"model input out of range",
       [](Model& m) { m.inputs = {-1}; },
       {"model input 0: tensor index -1"}},
      {"model output out of range",
       [](Model& m) { m.outputs[1] = 12345; },
       {"model output 1: tensor index 12345"}},
      {"buffer index out of range",
       [](Model& m) { m.tensors[1].buffer = 77; },
       {"tensor 1 (\"conv/w\"): buffer index 77 out of range"}},
      {"huge shape",
       [](Model& m) {
         m.tensors[3].shape = {1 << 30, 1 << 30};
       },
       {"tensor 3 (\"conv\")", "more than 2^31 elements"}},
      {"huge shape, many dims",
       [](Model& m) { m.tensors[3].shape = std::vector<int32_t>(16, 1 << 20); },
       {"tensor 3", "more than 2^31 elements"}},
      {"negative dimension",
       [](Model& m) {
         m.tensors[3].shape = {1, -4, 4, 4};
       },
       {"tensor 3", "negative dimension in shape [1, -4, 4, 4]"}},
      {"rank above 16",
       [](Model& m) { m.tensors[3].shape = std::vector<int32_t>(17, 1); },
       {"tensor 3", "rank 17"}},
      {"buffer size mismatch",
       [](Model& m) {
         m.tensors[1].shape = {4, 3, 3, 2};
       },
       {"tensor 1 (\"conv/w\")", "holds 108 bytes", "needs 72"}},
      {"float16 counted as 4 bytes",
       [](Model& m) { m.tensors[4].type = T::kFloat32; },
       {"tensor 4 (\"dw/w\")", "holds 144 bytes", "needs 288"}},
      {"int4 packing",
       [](Model& m) {
         m.tensors[m.tensors.size() - 3].shape = {3, 4};
       },
       {"holds 5 bytes", "int4 [3, 4] needs 6"}},
      {"quantized_dimension out of range",
       [](Model& m) { m.tensors[1].quantization.quantized_dimension = 4; },
       {"tensor 1", "quantized_dimension 4 out of range"}},
      {"quantized_dimension negative",
       [](Model& m) { m.tensors[1].quantization.quantized_dimension = -1; },
       {"tensor 1", "quantized_dimension -1 out of range"}},
      {"scale count is not the channel count",
       [](Model& m) { m.tensors[1].quantization.quantized_dimension = 1; },
       {"tensor 1", "4 scales, but dimension 1"}},
      {"zero scale",
       [](Model& m) { m.tensors[1].quantization.scale[2] = 0.0f; },
       {"tensor 1", "scale 2 is 0"}},
      {"negative scale",
       [](Model& m) { m.tensors[1].quantization.scale[0] = -1.0f; },
       {"tensor 1", "scale 0 is -1"}},
      {"NaN scale",
       [](Model& m) { m.tensors[2].quantization.scale[3] = std::nanf(""); },
       {"tensor 2 (\"conv/b\")", "scale 3 is"}},
      {"infinite scale",
       [](Model& m) {
         m.tensors[2].quantization.scale[0] = std::numeric_limits<float>::infinity();
       },
       {"tensor 2", "must be finite"}},
      {"zero point count",
       [](Model& m) { m.tensors[1].quantization.zero_point.pop_back(); },
       {"tensor 1", "4 scales but 3 zero points"}},
      {"int8 zero point out of range",
       [](Model& m) { m.tensors[1].quantization.zero_point[1] = 200; },
       {"tensor 1", "zero point 1 is 200, outside the int8 range"}},
      {"unknown tensor type",
       [](Model& m) { m.tensors[3].type = static_cast<T>(8); },
       {"tensor 3", "unsupported type 8"}},
      {"constant string",
       [](Model& m) { m.tensors[m.tensors.size() - 1].type = T::kString; },
       {"constant string tensors are not supported"}},
      {"wrong options type",
       [](Model& m) {
         m.operators[0].options = Pool2DOptions{Padding::kSame, 1, 1, 1, 1, Activation::kNone};
       },
       {"operator 0 (CONV_2D)", "options are Pool2DOptions, but the op takes Conv2DOptions"},
       {"operator 0 (CONV_2D)", "options must be Conv2DOptions, got Pool2DOptions"}},
      {"options on an op without options",
       [](Model& m) {
         for (Operator& o : m.operators)
           if (o.opcode == static_cast<int32_t>(Op::kRelu)) o.options = ActivationOptions{};
       },
       {"(RELU)", "options are AddOptions, but the op takes none"},
       {"(RELU)", "options must be no options, got ActivationOptions"}},
      {"stride 0",
       [](Model& m) { std::get<Conv2DOptions>(m.operators[0].options).stride_h = 0; },
       {"operator 0 (CONV_2D)", "stride_h must be > 0, got 0"}},
      {"dilation 0",
       [](Model& m) { std::get<DepthwiseConv2DOptions>(m.operators[1].options).dilation_w = -2; },
       {"operator 1 (DEPTHWISE_CONV_2D)", "dilation_w must be > 0, got -2"}},
      {"pool filter 0",
       [](Model& m) { std::get<Pool2DOptions>(m.operators[2].options).filter_width = 0; },
       {"operator 2 (AVERAGE_POOL_2D)", "filter_width must be > 0"}},
      {"unknown padding",
       [](Model& m) {
         std::get<Conv2DOptions>(m.operators[0].options).padding = static_cast<Padding>(7);
       },
       {"operator 0", "unknown padding 7"}},
      {"unknown activation",
       [](Model& m) {
         std::get<Pool2DOptions>(m.operators[3].options).activation = static_cast<Activation>(5);
       },
       {"operator 3 (MAX_POOL_2D)", "unsupported fused activation 5"}},
      {"softmax beta infinite",
       [](Model& m) {
         for (Operator& o : m.operators)
           if (auto* s = std::get_if<SoftmaxOptions>(&o.options)) s->beta = INFINITY;
       },
       {"(SOFTMAX)", "beta is inf"}},
      {"reshape two unknown dims",
       [](Model& m) {
         std::get<ReshapeOptions>(m.operators[4].options).new_shape = {-1, -1};
       },
       {"operator 4 (RESHAPE)", "more than one -1"}},
      {"reshape dim below -1",
       [](Model& m) {
         std::get<ReshapeOptions>(m.operators[4].options).new_shape = {1, -3};
       },
       {"operator 4 (RESHAPE)", "below -1"}},
      {"reshape rank 17",
       [](Model& m) { std::get<ReshapeOptions>(m.operators[4].options).new_shape.assign(17, 1); },
       {"operator 4 (RESHAPE)", "new_shape has 17 dimensions"},
       {"operator 4 (RESHAPE)", "new_shape has rank 17"}},
      {"too few inputs",
       [](Model& m) { m.operators[0].inputs = {0}; },
       {"operator 0 (CONV_2D): 1 inputs (takes 2 to 3)"}},
      {"too many outputs",
       [](Model& m) { m.operators[2].outputs.push_back(3); },
       {"operator 2 (AVERAGE_POOL_2D): 2 outputs (takes 1)"}},
      {"version 0",
       [](Model& m) { m.operators[2].version = 0; },
       {"operator 2", "invalid version 0"}},
      {"custom op",
       [](Model& m) { m.operators[5].opcode = 32; },
       {"operator 5: custom op '' is not supported"},
       {"operator 5 (CUSTOM): custom ops are not supported"}},
      {"negative builtin code",
       [](Model& m) { m.operators[5].opcode = -3; },
       {"operator 5 (BUILTIN_-3): invalid builtin code -3"}},
      {"schema version", [](Model& m) { m.version = 2; }, {"schema version 2 is not supported"}},
      {"sentinel with data",
       [](Model& m) { m.buffers[0] = Buffer::copy_of(std::vector<uint8_t>{1}); },
       {"buffer 0 holds 1 bytes; it must be the empty sentinel"}},
      {"no buffers",
       [](Model& m) {
         m.buffers.clear();
         for (Tensor& t : m.tensors) t.buffer = 0;
       },
       {"no buffers"}},
  };
  const Model base = test::every_op_model();
  for (const Mutation& c : cases) {
    SCOPED_TRACE(c.what);
    Model m = base;
    c.apply(m);
    expect_rejected(detail::write_model_unchecked(m), c.read_error);
    const auto& want = c.write_error.empty() ? c.read_error : c.write_error;
    try {
      write_model(m);
      ADD_FAILURE() << "write_model accepted it";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind("write_model: ", 0), 0u) << msg;
      for (const std::string& p : want)
        EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
  }
}

// Patches one scalar of a valid file, found with the schema-free reader.
class Patched : public ::testing::Test {
 protected:
  std::vector<uint8_t> bytes = write_model(test::every_op_model());
  test::Peek p{bytes};
  size_t subgraph() const { return p.table_in(p.ref(p.root(), 2), 0); }
  size_t op(size_t i) const { return p.table_in(p.ref(subgraph(), 3), i); }
  size_t opcode_of(size_t i) const {
    return p.table_in(p.ref(p.root(), 1), p.scalar<uint32_t>(op(i), 0, 0));
  }
  template <class T>
  void put(size_t pos, T v) {
    ASSERT_NE(pos, 0u);
    std::memcpy(bytes.data() + pos, &v, sizeof v);
  }
};

TEST_F(Patched, OpcodeIndexOutOfRange) {
  put<uint32_t>(p.field(op(1), 0), 200);
  expect_rejected(bytes, {"operator 1: opcode_index 200 out of range"});
}

TEST_F(Patched, ZeroSubgraphs) {
  put<uint32_t>(p.ref(p.root(), 2), 0);
  expect_rejected(bytes, {"the model has no subgraphs"});
}

TEST_F(Patched, UnknownOptionsUnionMember) {
  put<uint8_t>(p.field(op(0), 3), 50);
  expect_rejected(bytes, {"operator 0 (CONV_2D)", "options are BuiltinOptions #50"});
}

TEST_F(Patched, AddWithMulOptions) {
  const Model m = test::every_op_model();
  size_t add = 0;
  while (m.operators[add].opcode != static_cast<int32_t>(Op::kAdd)) ++add;
  put<uint8_t>(p.field(op(add), 3), 21);  // MulOptions: same layout, so it verifies
  expect_rejected(bytes, {"operator " + std::to_string(add) + " (ADD)",
                          "options are MulOptions, but the op takes AddOptions"});
}

TEST_F(Patched, CustomOpCode) {
  put<int32_t>(p.field(opcode_of(0), 3), 32);
  put<int8_t>(p.field(opcode_of(0), 0), 32);
  expect_rejected(bytes, {"operator 0: custom op '' is not supported"});
}

TEST_F(Patched, OldFilesWithOnlyTheDeprecatedCode) {
  // Before schema 3a only the byte existed: TFLite takes max(builtin_code, deprecated).
  put<int32_t>(p.field(opcode_of(0), 3), 0);
  EXPECT_EQ(read_model(shared(bytes), "old"), test::every_op_model());
}

TEST_F(Patched, TensorTypeOutsideTheEnum) {
  put<int8_t>(p.field(p.table_in(p.ref(subgraph(), 0), 1), 1), 100);
  expect_rejected(bytes, {"tensor 1 (\"conv/w\"): unsupported type 100"});
}

// Files the Model struct cannot express, built with the generated flatbuffers API.
class Crafted : public ::testing::Test {
 protected:
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  std::vector<flatbuffers::Offset<fb::Operator>> ops;
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers;
  std::vector<flatbuffers::Offset<fb::Metadata>> metadata;
  int subgraphs = 1;

  flatbuffers::Offset<fb::Tensor> tensor(std::vector<int32_t> shape, uint32_t buffer,
                                         flatbuffers::Offset<fb::QuantizationParameters> q = 0,
                                         flatbuffers::Offset<fb::SparsityParameters> sparsity = 0,
                                         const std::vector<int32_t>* signature = nullptr) {
    return fb::CreateTensorDirect(fbb, &shape, fb::TensorType::FLOAT32, buffer, "t", q, false,
                                  sparsity, signature);
  }
  // x [1, 4] -> FULLY_CONNECTED (w [2, 4], buffer 1) -> y [1, 2]
  void fully_connected(fb::FullyConnectedOptionsWeightsFormat format =
                           fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    buffers.push_back(fb::CreateBuffer(fbb));
    std::vector<uint8_t> w(32, 0);
    buffers.push_back(fb::CreateBufferDirect(fbb, &w));
    tensors = {tensor({1, 4}, 0), tensor({2, 4}, 1), tensor({1, 2}, 0)};
    codes.push_back(fb::CreateOperatorCode(fbb, 9, 0, 1, fb::BuiltinOperator::FULLY_CONNECTED));
    const auto options =
        fb::CreateFullyConnectedOptions(fbb, fb::ActivationFunctionType::NONE, format);
    const std::vector<int32_t> in = {0, 1, -1}, out = {2};
    ops.push_back(fb::CreateOperatorDirect(
        fbb, 0, &in, &out, fb::BuiltinOptions::FullyConnectedOptions, options.Union()));
  }
  std::vector<uint8_t> finish() {
    const std::vector<int32_t> in = {0}, out = {2};
    const auto tv = fbb.CreateVector(tensors);
    const auto ov = fbb.CreateVector(ops);
    std::vector<flatbuffers::Offset<fb::SubGraph>> sgs;
    for (int i = 0; i < subgraphs; ++i)
      sgs.push_back(fb::CreateSubGraph(fbb, tv, fbb.CreateVector(in), fbb.CreateVector(out), ov,
                                       fbb.CreateString("sg" + std::to_string(i))));
    const auto model = fb::CreateModel(fbb, 3, fbb.CreateVector(codes), fbb.CreateVector(sgs),
                                       fbb.CreateString("crafted"), fbb.CreateVector(buffers), 0,
                                       fbb.CreateVector(metadata));
    fb::FinishModelBuffer(fbb, model);
    return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  }
};

TEST_F(Crafted, TheBaseFileReads) {
  fully_connected();
  const Model m = read_model(shared(finish()), "crafted");
  EXPECT_EQ(m.subgraph_name, "sg0");
  ASSERT_EQ(m.operators.size(), 1u);
  EXPECT_EQ(m.operators[0].inputs, (std::vector<int32_t>{0, 1, -1}));
}

TEST_F(Crafted, OnlySubgraphZeroIsRead) {
  fully_connected();
  subgraphs = 3;
  const Model m = read_model(shared(finish()), "crafted");
  EXPECT_EQ(m.subgraph_name, "sg0");
  EXPECT_EQ(m.tensors.size(), 3u);
}

TEST_F(Crafted, CustomOpNamed) {
  fully_connected();
  codes[0] = fb::CreateOperatorCodeDirect(fbb, 32, "MyFancyOp", 1, fb::BuiltinOperator::CUSTOM);
  expect_rejected(finish(), {"operator 0: custom op 'MyFancyOp' is not supported"});
}

TEST_F(Crafted, UnknownOpIsReadWithoutOptions) {
  fully_connected();
  codes[0] = fb::CreateOperatorCode(fbb, 127, 0, 2, static_cast<fb::BuiltinOperator>(150));
  const Model m = read_model(shared(finish()), "crafted");
  EXPECT_EQ(m.operators[0].opcode, 150);
  EXPECT_EQ(m.operators[0].version, 2);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(m.operators[0].options));
}

TEST_F(Crafted, ShuffledFullyConnectedWeights) {
  fully_connected(fb::FullyConnectedOptionsWeightsFormat::SHUFFLED4x16INT8);
  expect_rejected(finish(), {"operator 0 (FULLY_CONNECTED)", "weights_format 1 is not supported"});
}

TEST_F(Crafted, SparseTensor) {
  fully_connected();
  tensors[1] = tensor({2, 4}, 1, 0, fb::CreateSparsityParameters(fbb));
  expect_rejected(finish(), {"tensor 1: sparse tensors are not supported"});
}

TEST_F(Crafted, QuantizationDetails) {
  fully_connected();
  const std::vector<float> scale = {1.0f};
  const std::vector<int64_t> zp = {0};
  const auto details = fb::CreateCustomQuantization(fbb);
  const auto q = fb::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &scale, &zp,
                                                        fb::QuantizationDetails::CustomQuantization,
                                                        details.Union());
  tensors[1] = tensor({2, 4}, 1, q);
  expect_rejected(finish(), {"tensor 1: custom quantization details are not supported"});
}

TEST_F(Crafted, ZeroPointsWithoutScales) {
  fully_connected();
  const std::vector<int64_t> zp = {0};
  tensors[1] = tensor({2, 4}, 1,
                      fb::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, nullptr, &zp));
  expect_rejected(finish(), {"tensor 1: quantization has zero points but no scales"});
}

TEST_F(Crafted, ShapeSignature) {
  fully_connected();
  const std::vector<int32_t> good = {-1, 4}, bad = {3, 4};
  tensors[0] = tensor({1, 4}, 0, 0, 0, &good);
  EXPECT_NO_THROW(read_model(shared(finish()), "crafted"));
  fbb.Clear();
  buffers.clear(), codes.clear(), ops.clear();
  fully_connected();
  tensors[0] = tensor({1, 4}, 0, 0, 0, &bad);
  expect_rejected(finish(), {"tensor 0: shape_signature does not match the shape"});
}

TEST_F(Crafted, DataOutsideTheFlatbuffer) {
  fully_connected();
  buffers[1] = fb::CreateBuffer(fbb, 0, 4096, 32);
  expect_rejected(finish(), {"buffer 1: data stored outside the flatbuffer"});
}

TEST_F(Crafted, MetadataBufferOutOfRange) {
  fully_connected();
  metadata.push_back(fb::CreateMetadataDirect(fbb, "min_runtime_version", 9));
  expect_rejected(finish(), {"metadata buffer index 9 out of range"});
}

TEST_F(Crafted, HugeReshapeVectorIsNotCopied) {
  buffers.push_back(fb::CreateBuffer(fbb));
  tensors = {tensor({1, 4}, 0), tensor({1, 4}, 0), tensor({4}, 0)};
  codes.push_back(fb::CreateOperatorCode(fbb, 22, 0, 1, fb::BuiltinOperator::RESHAPE));
  const std::vector<int32_t> new_shape(1 << 20, 1);
  const auto options = fb::CreateReshapeOptionsDirect(fbb, &new_shape);
  const std::vector<int32_t> in = {0}, out = {2};
  ops.push_back(fb::CreateOperatorDirect(fbb, 0, &in, &out, fb::BuiltinOptions::ReshapeOptions,
                                         options.Union()));
  expect_rejected(finish(), {"operator 0 (RESHAPE)", "new_shape has 1048576 dimensions"});
}

// One tensor with 200k per-channel scales, listed 20000 times: 48 GB if each copy were
// made. The reader charges every copied element against the file size and stops.
TEST_F(Crafted, SharedTablesCannotBlowUpMemory) {
  buffers.push_back(fb::CreateBuffer(fbb));
  const int n = 200000;
  const std::vector<float> scale(n, 1.0f);
  const std::vector<int64_t> zp(n, 0);
  const auto q = fb::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &scale, &zp);
  const auto t = tensor({n}, 0, q);
  tensors.assign(20000, t);
  codes.push_back(fb::CreateOperatorCode(fbb, 19, 0, 1, fb::BuiltinOperator::RELU));
  const std::vector<int32_t> in = {0}, out = {2};
  ops.push_back(fb::CreateOperatorDirect(fbb, 0, &in, &out));
  expect_rejected(finish(), {"references more data than it holds"});
}

}  // namespace
}  // namespace lq::tflite
