// Peer benchmark (issue 6): the zoo models in litequant's interpreter, oneDNN 2.6 and
// XNNPACK (2022 snapshot), from the same weights, in one run.
//
//   build/bench/peer_bench [--quick] [--models cnn,mlp,convnet] [--output docs/PERFORMANCE.md]
//                          [--no-write] [--verbose]
//
// Each model is converted with lq::TFLiteConverter (float32, and int8 "int8 only" with int8
// input/output calibrated on 100 random images in [0, 1)). The peers are built from the
// converted tflite::Model: the same float weights, or the same int8 weights (per-channel
// CONV_2D, per-tensor FULLY_CONNECTED), int32 biases, scales and zero points, so every
// runtime computes the same network. Weights are packed/reordered once, outside the timed
// loop; the timed loop is one forward pass from an NHWC input already in memory.
//
// Cases per model and type: batch 1 on 1 thread (median latency) and batch 256 on 2 threads
// (images/s from the median batch time). Warm-up, then the median of N repeats, N chosen
// for about 1 s per runtime and case (0.1 s with --quick).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include "litequant/convert/converter.h"
#include "litequant/core/rng.h"
#include "litequant/nn/zoo.h"
#include "litequant/runtime/interpreter.h"

namespace {

namespace tfl = lq::tflite;

// ---------------------------------------------------------------------------------------
// The network as the peers see it: a chain of CONV_2D / MAX_POOL_2D / FULLY_CONNECTED read
// from the converted model (RESHAPE only renames the same NHWC bytes).

enum class Kind { kConv, kPool, kFc };

struct Layer {
  Kind kind = Kind::kConv;
  int h = 0, w = 0, c = 0;     // input per image (FC: the NHWC tensor it flattens)
  int oh = 0, ow = 0, oc = 0;  // output per image (FC: oh = ow = 1)
  int kh = 1, kw = 1, sh = 1, sw = 1;
  int pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0;
  bool relu = false;
  std::vector<float> wf, bf;           // float32: OHWI / [O, I] weights, bias
  std::vector<int8_t> wq;              // int8 weights, same layouts
  std::vector<int32_t> bq;             // int32 bias (scale in_scale * w_scale)
  std::vector<float> w_scale;          // per output channel (conv) or one (FC)
  float in_scale = 1, out_scale = 1;
  int in_zp = 0, out_zp = 0;
};

struct Net {
  bool int8 = false;
  int in_h = 0, in_w = 0, in_c = 0;
  int out_features = 0;
  float in_scale = 1, out_scale = 1;
  int in_zp = 0, out_zp = 0;
  std::vector<Layer> layers;
};

template <typename T>
std::vector<T> buffer_as(const tfl::Model& m, int tensor) {
  const auto bytes = m.buffers.at(m.tensors.at(tensor).buffer).data();
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

void same_padding(int in, int out, int k, int s, int& before, int& after) {
  const int total = std::max((out - 1) * s + k - in, 0);
  before = total / 2;
  after = total - before;
}

Net read_net(const tfl::Model& m) {
  Net net;
  const tfl::Tensor& in = m.tensors.at(m.inputs.at(0));
  net.int8 = in.type == tfl::TensorType::kInt8;
  // [N, H, W] or [N, H, W, C]
  int h = in.shape.size() > 1 ? in.shape[1] : 1, w = in.shape.size() > 2 ? in.shape[2] : 1;
  int c = in.shape.size() > 3 ? in.shape[3] : 1;
  if (in.shape.size() == 2) { h = 1; w = 1; c = in.shape[1]; }
  net.in_h = h, net.in_w = w, net.in_c = c;
  if (net.int8) {
    net.in_scale = in.quantization.scale.at(0);
    net.in_zp = static_cast<int>(in.quantization.zero_point.at(0));
  }
  auto quant = [&](Layer& l, int in_t, int out_t) {
    if (!net.int8) return;
    l.in_scale = m.tensors[in_t].quantization.scale.at(0);
    l.in_zp = static_cast<int>(m.tensors[in_t].quantization.zero_point.at(0));
    l.out_scale = m.tensors[out_t].quantization.scale.at(0);
    l.out_zp = static_cast<int>(m.tensors[out_t].quantization.zero_point.at(0));
  };
  for (size_t i = 0; i < m.operators.size(); ++i) {
    const tfl::Operator& op = m.operators[i];
    const auto code = static_cast<tfl::Op>(op.opcode);
    if (code == tfl::Op::kReshape) continue;
    Layer l;
    l.h = h, l.w = w, l.c = c;
    const int out_t = op.outputs.at(0);
    const auto& os = m.tensors[out_t].shape;
    if (code == tfl::Op::kConv2D) {
      const auto& o = std::get<tfl::Conv2DOptions>(op.options);
      if (o.dilation_h != 1 || o.dilation_w != 1) throw std::runtime_error("dilated conv");
      const auto& ws = m.tensors[op.inputs[1]].shape;  // OHWI
      l.kind = Kind::kConv;
      l.oc = ws[0], l.kh = ws[1], l.kw = ws[2];
      l.sh = o.stride_h, l.sw = o.stride_w;
      l.oh = os[1], l.ow = os[2];
      if (o.padding == tfl::Padding::kSame) {
        same_padding(h, l.oh, l.kh, l.sh, l.pad_t, l.pad_b);
        same_padding(w, l.ow, l.kw, l.sw, l.pad_l, l.pad_r);
      }
      l.relu = o.activation == tfl::Activation::kRelu;
      if (o.activation != tfl::Activation::kNone && !l.relu) throw std::runtime_error("conv activation");
    } else if (code == tfl::Op::kMaxPool2D) {
      const auto& o = std::get<tfl::Pool2DOptions>(op.options);
      l.kind = Kind::kPool;
      l.oc = c, l.kh = o.filter_height, l.kw = o.filter_width, l.sh = o.stride_h, l.sw = o.stride_w;
      l.oh = os[1], l.ow = os[2];
      if (o.padding == tfl::Padding::kSame) {
        same_padding(h, l.oh, l.kh, l.sh, l.pad_t, l.pad_b);
        same_padding(w, l.ow, l.kw, l.sw, l.pad_l, l.pad_r);
      }
      if (o.activation != tfl::Activation::kNone) throw std::runtime_error("pool activation");
    } else if (code == tfl::Op::kFullyConnected) {
      const auto& o = std::get<tfl::FullyConnectedOptions>(op.options);
      l.kind = Kind::kFc;
      l.oc = m.tensors[op.inputs[1]].shape[0];
      l.oh = l.ow = 1;
      l.relu = o.activation == tfl::Activation::kRelu;
      if (o.activation != tfl::Activation::kNone && !l.relu) throw std::runtime_error("fc activation");
      if (m.tensors[op.inputs[1]].shape[1] != h * w * c) throw std::runtime_error("fc input size");
    } else {
      throw std::runtime_error("peer_bench: unsupported op " + tfl::op_name(op.opcode));
    }
    quant(l, op.inputs[0], out_t);
    if (l.kind != Kind::kPool) {
      const bool has_bias = op.inputs.size() > 2 && op.inputs[2] >= 0;
      if (net.int8) {
        l.wq = buffer_as<int8_t>(m, op.inputs[1]);
        l.w_scale = m.tensors[op.inputs[1]].quantization.scale;
        if (l.kind == Kind::kConv && l.w_scale.size() == 1) l.w_scale.assign(l.oc, l.w_scale[0]);
        l.bq = has_bias ? buffer_as<int32_t>(m, op.inputs[2]) : std::vector<int32_t>(l.oc, 0);
        for (int64_t z : m.tensors[op.inputs[1]].quantization.zero_point)
          if (z != 0) throw std::runtime_error("asymmetric weights");
      } else {
        l.wf = buffer_as<float>(m, op.inputs[1]);
        l.bf = has_bias ? buffer_as<float>(m, op.inputs[2]) : std::vector<float>(l.oc, 0.0f);
      }
    }
    h = l.oh, w = l.ow, c = l.oc;
    net.layers.push_back(std::move(l));
  }
  net.out_features = h * w * c;
  if (net.int8) {
    const tfl::Tensor& out = m.tensors.at(m.outputs.at(0));
    net.out_scale = out.quantization.scale.at(0);
    net.out_zp = static_cast<int>(out.quantization.zero_point.at(0));
  }
  return net;
}

// ---------------------------------------------------------------------------------------
// A runtime under test: set up for (batch, threads), then run() repeatedly.

struct Runner {
  virtual ~Runner() = default;
  virtual void run() = 0;
  // Output of the last run, as float (int8 outputs as their integer values).
  virtual std::vector<float> output() const = 0;
  std::string note;  // implementation detail to print (e.g. oneDNN's kernels)
};

// --- litequant -------------------------------------------------------------------------

struct LitequantRunner : Runner {
  lq::runtime::Interpreter it;
  int out_index = 0, in_index = 0;
  tfl::TensorType in_dtype = tfl::TensorType::kFloat32;
  const void* in_data = nullptr;
  size_t in_bytes = 0;
  bool int8, reset_input = false;
  LitequantRunner(const std::vector<uint8_t>& bytes, bool q, int batch, int threads, const void* input,
                  size_t input_bytes)
      : it(lq::runtime::Interpreter::from_bytes(bytes, "peer_bench", {.num_threads = threads})), int8(q) {
    auto d = it.get_input_details()[0];
    d.shape[0] = batch;
    it.resize_input_tensor(0, d.shape);
    it.allocate_tensors();
    in_index = d.index, in_dtype = d.dtype, in_data = input, in_bytes = input_bytes;
    it.set_tensor(in_index, in_data, in_bytes, in_dtype);
    out_index = it.get_output_details()[0].index;
    // The arena may place later activations over the input tensor (TFLite keeps inputs):
    // then every run copies the input in again, as a user would have to.
    it.invoke();
    const auto after = it.tensor_bytes(in_index);
    reset_input = std::memcmp(after.data(), in_data, in_bytes) != 0;
    if (reset_input) note = "input tensor overwritten by invoke(): set_tensor() timed with each invoke()";
  }
  void run() override {
    if (reset_input) it.set_tensor(in_index, in_data, in_bytes, in_dtype);
    it.invoke();
  }
  std::vector<float> output() const override {
    if (int8) {
      auto o = it.get_tensor<int8_t>(out_index);
      return {o.begin(), o.end()};
    }
    auto o = it.get_tensor<float>(out_index);
    return {o.begin(), o.end()};
  }
};

// --- oneDNN ----------------------------------------------------------------------------

struct OnednnRunner : Runner {
  using tag = dnnl::memory::format_tag;
  using dt = dnnl::memory::data_type;
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  std::vector<std::pair<dnnl::primitive, std::unordered_map<int, dnnl::memory>>> steps;
  dnnl::memory input_mem, output_mem;
  int batch;

  // Adds a reorder of `m` to `want` to the timed steps when the layouts differ.
  dnnl::memory to_layout(const dnnl::memory& m, const dnnl::memory::desc& want) {
    if (m.get_desc() == want) return m;
    dnnl::memory r(want, eng);
    steps.push_back({dnnl::reorder(m, r), {{DNNL_ARG_FROM, m}, {DNNL_ARG_TO, r}}});
    return r;
  }
  // Reorders constant data once, now (not timed).
  dnnl::memory constant(const void* data, const dnnl::memory::desc& user, const dnnl::memory::desc& want) {
    dnnl::memory u(user, eng, const_cast<void*>(data));
    dnnl::memory r(want, eng);
    dnnl::reorder(u, r).execute(strm, u, r);
    strm.wait();
    return r;
  }

  dnnl::memory scalar_s32(int32_t v) {
    dnnl::memory m({{1}, dt::s32, tag::x}, eng);
    *static_cast<int32_t*>(m.get_data_handle()) = v;
    return m;
  }

  OnednnRunner(const Net& net, int batch_, const void* input) : batch(batch_) {
    const dt act = net.int8 ? dt::s8 : dt::f32;
    const dnnl::memory::dim n = batch;
    input_mem = dnnl::memory({{n, net.in_c, net.in_h, net.in_w}, act, tag::nhwc}, eng, const_cast<void*>(input));
    dnnl::memory cur = input_mem;
    std::vector<std::string> impls;
    for (const Layer& l : net.layers) {
      dnnl::primitive_attr attr;
      dnnl::post_ops po;
      if (l.kind == Kind::kConv) {
        const dnnl::memory::dims src{n, l.c, l.h, l.w}, wei{l.oc, l.c, l.kh, l.kw}, dst{n, l.oc, l.oh, l.ow};
        const dt bias_dt = net.int8 ? dt::s32 : dt::f32;
        dnnl::convolution_forward::desc d(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
            {src, act, tag::any}, {wei, net.int8 ? dt::s8 : dt::f32, tag::any}, {{l.oc}, bias_dt, tag::x},
            {dst, act, tag::any}, {l.sh, l.sw}, {l.pad_t, l.pad_l}, {l.pad_b, l.pad_r});
        std::unordered_map<int, dnnl::memory> args;
        if (net.int8) {
          std::vector<float> scales(l.oc);
          for (int o = 0; o < l.oc; ++o) scales[o] = l.in_scale * l.w_scale[o] / l.out_scale;
          attr.set_output_scales(1 << 1, scales);
          attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
          attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
          args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = scalar_s32(l.in_zp);
          args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = scalar_s32(l.out_zp);
        }
        if (l.relu) po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        attr.set_post_ops(po);
        dnnl::convolution_forward::primitive_desc pd(d, attr, eng);
        impls.push_back(pd.impl_info_str());
        const void* wdata = net.int8 ? static_cast<const void*>(l.wq.data()) : l.wf.data();
        const void* bdata = net.int8 ? static_cast<const void*>(l.bq.data()) : l.bf.data();
        dnnl::memory w = constant(wdata, {wei, net.int8 ? dt::s8 : dt::f32, tag::ohwi}, pd.weights_desc());
        dnnl::memory b = constant(bdata, {{l.oc}, bias_dt, tag::x}, pd.bias_desc());
        cur = to_layout(cur, pd.src_desc());
        dnnl::memory out(pd.dst_desc(), eng);
        args[DNNL_ARG_SRC] = cur;
        args[DNNL_ARG_WEIGHTS] = w;
        args[DNNL_ARG_BIAS] = b;
        args[DNNL_ARG_DST] = out;
        steps.push_back({dnnl::convolution_forward(pd), std::move(args)});
        cur = out;
      } else if (l.kind == Kind::kPool) {
        const dnnl::memory::dims dst{n, l.oc, l.oh, l.ow};
        dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                      cur.get_desc(), {dst, act, tag::any}, {l.sh, l.sw}, {l.kh, l.kw},
                                      {l.pad_t, l.pad_l}, {l.pad_b, l.pad_r});
        dnnl::pooling_forward::primitive_desc pd(d, eng);
        impls.push_back(pd.impl_info_str());
        dnnl::memory out(pd.dst_desc(), eng);
        steps.push_back({dnnl::pooling_forward(pd), {{DNNL_ARG_SRC, cur}, {DNNL_ARG_DST, out}}});
        cur = out;
      } else {
        // Inner product over the NHWC tensor: logical src {N, C, H, W}, weights
        // {O, C, H, W} given as ohwi = TFLite's [O, H*W*C]. oneDNN 2.6's int8 inner product
        // has no zero-point attribute: both zero points go into an f32 bias (exact for
        // the source: no padding; the destination one is an integer added before rounding),
        // and the fused ReLU becomes a clip at the output zero point.
        const bool flat = l.h == 1 && l.w == 1;
        const dnnl::memory::dims src = flat ? dnnl::memory::dims{n, l.c} : dnnl::memory::dims{n, l.c, l.h, l.w};
        const dnnl::memory::dims wei = flat ? dnnl::memory::dims{l.oc, l.c} : dnnl::memory::dims{l.oc, l.c, l.h, l.w};
        const tag wtag = flat ? tag::oi : tag::ohwi;
        std::vector<float> bias(l.oc);
        if (net.int8) {
          const float scale = l.in_scale * l.w_scale[0] / l.out_scale;
          const int k = l.h * l.w * l.c;
          for (int o = 0; o < l.oc; ++o) {
            int64_t sum = 0;
            for (int i = 0; i < k; ++i) sum += l.wq[static_cast<size_t>(o) * k + i];
            bias[o] = static_cast<float>(l.bq[o] - l.in_zp * sum) + static_cast<float>(l.out_zp) / scale;
          }
          attr.set_output_scales(0, {scale});
          if (l.relu) po.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(l.out_zp), 127.0f);
        } else {
          bias = l.bf;
          if (l.relu) po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        }
        attr.set_post_ops(po);
        if (flat && cur.get_desc().dims().size() == 4) {
          // A flat input arriving as {N, C, 1, 1}: same bytes as {N, C} when nhwc/nchw.
          cur = to_layout(cur, {{n, l.c, 1, 1}, act, tag::nhwc});
          cur = dnnl::memory({{n, l.c}, act, tag::nc}, eng, cur.get_data_handle());
        }
        dnnl::inner_product_forward::desc d(dnnl::prop_kind::forward_inference, {src, act, tag::any},
                                            {wei, net.int8 ? dt::s8 : dt::f32, tag::any},
                                            {{l.oc}, dt::f32, tag::x}, {{n, l.oc}, act, tag::any});
        dnnl::inner_product_forward::primitive_desc pd(d, attr, eng);
        impls.push_back(pd.impl_info_str());
        const void* wdata = net.int8 ? static_cast<const void*>(l.wq.data()) : l.wf.data();
        dnnl::memory w = constant(wdata, {wei, net.int8 ? dt::s8 : dt::f32, wtag}, pd.weights_desc());
        dnnl::memory b = constant(bias.data(), {{l.oc}, dt::f32, tag::x}, pd.bias_desc());
        cur = to_layout(cur, pd.src_desc());
        dnnl::memory out(pd.dst_desc(), eng);
        steps.push_back({dnnl::inner_product_forward(pd),
                         {{DNNL_ARG_SRC, cur}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, out}}});
        cur = out;
      }
    }
    output_mem = to_layout(cur, {{n, net.out_features}, act, tag::nc});
    for (size_t i = 0; i < impls.size(); ++i) note += (i ? "," : "") + impls[i];
  }
  void run() override {
    for (auto& [p, args] : steps) p.execute(strm, args);
    strm.wait();
  }
  std::vector<float> output() const override {
    const size_t count = output_mem.get_desc().get_size();
    std::vector<float> v;
    if (output_mem.get_desc().data_type() == dt::s8) {
      const auto* p = static_cast<const int8_t*>(output_mem.get_data_handle());
      v.assign(p, p + count);
    } else {
      const auto* p = static_cast<const float*>(output_mem.get_data_handle());
      v.assign(p, p + count / sizeof(float));
    }
    return v;
  }
};

// --- XNNPACK ---------------------------------------------------------------------------

void xnn_check(xnn_status s, const char* what) {
  if (s != xnn_status_success) throw std::runtime_error(std::string("XNNPACK: ") + what + " failed, status " + std::to_string(s));
}

struct XnnpackRunner : Runner {
  std::vector<xnn_operator_t> ops;
  std::vector<std::vector<float>> fbufs;
  std::vector<std::vector<int8_t>> qbufs;
  pthreadpool_t pool = nullptr;
  bool int8;

  XnnpackRunner(const Net& net, int batch, int threads, const void* input) : int8(net.int8) {
    if (threads > 1) pool = pthreadpool_create(threads);
    const size_t n = batch;
    const float inf = std::numeric_limits<float>::infinity();
    const void* cur = input;
    for (const Layer& l : net.layers) {
      const size_t out_elems = n * l.oh * l.ow * l.oc;
      void* out;
      if (int8) out = qbufs.emplace_back(out_elems).data();
      else out = fbufs.emplace_back(out_elems).data();
      xnn_operator_t op = nullptr;
      if (l.kind == Kind::kConv) {
        if (int8) {
          const int8_t lo = static_cast<int8_t>(l.relu ? std::max(l.out_zp, -128) : -128);
          xnn_check(xnn_create_convolution2d_nhwc_qc8(
                        l.pad_t, l.pad_r, l.pad_b, l.pad_l, l.kh, l.kw, l.sh, l.sw, 1, 1, 1, l.c, l.oc, l.c, l.oc,
                        static_cast<int8_t>(l.in_zp), l.in_scale, l.w_scale.data(), l.wq.data(), l.bq.data(),
                        static_cast<int8_t>(l.out_zp), l.out_scale, lo, 127, 0, &op),
                    "create conv qc8");
          xnn_check(xnn_setup_convolution2d_nhwc_qc8(op, n, l.h, l.w, static_cast<const int8_t*>(cur),
                                                     static_cast<int8_t*>(out), pool),
                    "setup conv qc8");
        } else {
          xnn_check(xnn_create_convolution2d_nhwc_f32(l.pad_t, l.pad_r, l.pad_b, l.pad_l, l.kh, l.kw, l.sh, l.sw, 1,
                                                      1, 1, l.c, l.oc, l.c, l.oc, l.wf.data(), l.bf.data(),
                                                      l.relu ? 0.0f : -inf, inf, 0, &op),
                    "create conv f32");
          xnn_check(xnn_setup_convolution2d_nhwc_f32(op, n, l.h, l.w, static_cast<const float*>(cur),
                                                     static_cast<float*>(out), pool),
                    "setup conv f32");
        }
      } else if (l.kind == Kind::kPool) {
        if (int8) {
          xnn_check(xnn_create_max_pooling2d_nhwc_s8(l.pad_t, l.pad_r, l.pad_b, l.pad_l, l.kh, l.kw, l.sh, l.sw, 1,
                                                     1, l.c, l.c, l.c, -128, 127, 0, &op),
                    "create maxpool s8");
          xnn_check(xnn_setup_max_pooling2d_nhwc_s8(op, n, l.h, l.w, static_cast<const int8_t*>(cur),
                                                    static_cast<int8_t*>(out), pool),
                    "setup maxpool s8");
        } else {
          xnn_check(xnn_create_max_pooling2d_nhwc_f32(l.pad_t, l.pad_r, l.pad_b, l.pad_l, l.kh, l.kw, l.sh, l.sw,
                                                      1, 1, l.c, l.c, l.c, -inf, inf, 0, &op),
                    "create maxpool f32");
          xnn_check(xnn_setup_max_pooling2d_nhwc_f32(op, n, l.h, l.w, static_cast<const float*>(cur),
                                                     static_cast<float*>(out), pool),
                    "setup maxpool f32");
        }
      } else {
        const size_t k = static_cast<size_t>(l.h) * l.w * l.c;
        if (int8) {
          const int8_t lo = static_cast<int8_t>(l.relu ? std::max(l.out_zp, -128) : -128);
          xnn_check(xnn_create_fully_connected_nc_qs8(k, l.oc, k, l.oc, static_cast<int8_t>(l.in_zp), l.in_scale,
                                                      l.w_scale[0], l.wq.data(), l.bq.data(),
                                                      static_cast<int8_t>(l.out_zp), l.out_scale, lo, 127, 0, &op),
                    "create fully_connected qs8");
          xnn_check(xnn_setup_fully_connected_nc_qs8(op, n, static_cast<const int8_t*>(cur),
                                                     static_cast<int8_t*>(out), pool),
                    "setup fully_connected qs8");
        } else {
          xnn_check(xnn_create_fully_connected_nc_f32(k, l.oc, k, l.oc, l.wf.data(), l.bf.data(),
                                                      l.relu ? 0.0f : -inf, inf, 0, &op),
                    "create fully_connected f32");
          xnn_check(xnn_setup_fully_connected_nc_f32(op, n, static_cast<const float*>(cur),
                                                     static_cast<float*>(out), pool),
                    "setup fully_connected f32");
        }
      }
      ops.push_back(op);
      cur = out;
    }
    note = int8 ? "conv qc8 (per-channel), fc qs8, maxpool s8" : "conv/fc/maxpool f32";
  }
  ~XnnpackRunner() override {
    for (xnn_operator_t op : ops) xnn_delete_operator(op);
    if (pool) pthreadpool_destroy(pool);
  }
  void run() override {
    for (xnn_operator_t op : ops) xnn_check(xnn_run_operator(op, pool), "run");
  }
  std::vector<float> output() const override {
    if (int8) return {qbufs.back().begin(), qbufs.back().end()};
    return fbufs.back();
  }
};

// ---------------------------------------------------------------------------------------

// Warm-up (at least 1 run and about a tenth of the budget; skipped when `per_run`, the
// time of one run measured by an earlier call, is above that), then appends about
// `budget_seconds` of timed runs (at least `min_repeats`) to `samples`.
void time_runs(Runner& r, double budget_seconds, int min_repeats, double& per_run, std::vector<double>& samples) {
  using clock = std::chrono::steady_clock;
  if (per_run == 0 || per_run < budget_seconds / 10) {
    const auto w0 = clock::now();
    int warm = 0;
    while (warm < 1 || std::chrono::duration<double>(clock::now() - w0).count() < budget_seconds / 10) {
      r.run();
      ++warm;
    }
    per_run = std::chrono::duration<double>(clock::now() - w0).count() / warm;
  }
  const int repeats = std::clamp(static_cast<int>(budget_seconds / per_run), min_repeats, 100000);
  for (int i = 0; i < repeats; ++i) {
    const auto s = clock::now();
    r.run();
    samples.push_back(std::chrono::duration<double>(clock::now() - s).count());
  }
}

double median(std::vector<double> t) {
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

struct PeerResult {
  bool ok = false;
  double seconds = 0, fastest = 0;
  double diff = 0;  // float: max |peer - lq| / max |lq|; int8: max |peer - lq| in LSB
  std::string error;
};

struct CaseResult {
  std::string model, dtype;
  int batch = 1, threads = 1;
  double lq_seconds = 0, lq_fastest = 0;
  PeerResult onednn, xnnpack;
};

double agreement(const std::vector<float>& peer, const std::vector<float>& ref, bool int8) {
  if (peer.size() != ref.size()) return std::numeric_limits<double>::infinity();
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    max_diff = std::max(max_diff, static_cast<double>(std::fabs(peer[i] - ref[i])));
    max_ref = std::max(max_ref, static_cast<double>(std::fabs(ref[i])));
  }
  return int8 ? max_diff : max_diff / std::max(max_ref, 1e-30);
}

bool agrees(double diff, bool int8) { return int8 ? diff <= 2 : diff < 1e-3; }

std::string cpu_name() {
  std::ifstream f("/proc/cpuinfo");
  std::string line, name = "unknown", flags, family, model;
  while (std::getline(f, line)) {
    if (name == "unknown" && line.rfind("model name", 0) == 0) name = line.substr(line.find(':') + 2);
    if (family.empty() && line.rfind("cpu family", 0) == 0) family = line.substr(line.find(':') + 2);
    if (model.empty() && line.rfind("model\t", 0) == 0) model = line.substr(line.find(':') + 2);
    if (flags.empty() && line.rfind("flags", 0) == 0) flags = line;
  }
  std::string extra;
  for (const char* fl : {"avx2", "avx512f", "avx512_vnni", "avx512_bf16"})
    if (flags.find(std::string(" ") + fl) != std::string::npos) extra += std::string(extra.empty() ? "" : ", ") + fl;
  if (name.find("AMD") != std::string::npos && family == "25") family += " (Zen 3/Zen 4)";
  if (name.find("AMD") != std::string::npos && family == "26") family += " (Zen 5)";
  return name + ", family " + family + ", model " + model + " (" + std::to_string(std::thread::hardware_concurrency()) +
         " logical CPUs; " + extra + ")";
}

// Jiffies of the whole machine from /proc/stat: {busy, idle}.
std::pair<double, double> machine_jiffies() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  double v[8] = {};
  f >> cpu;
  for (double& x : v) f >> x;
  return {v[0] + v[1] + v[2] + v[5] + v[6] + v[7], v[3] + v[4]};
}

double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

// A figure: latency in µs at batch 1, images/s otherwise.
std::string figure(double seconds, int batch) {
  char b[64];
  if (batch == 1) std::snprintf(b, sizeof b, "%.1f µs", seconds * 1e6);
  else std::snprintf(b, sizeof b, "%.0f img/s", batch / seconds);
  return b;
}

std::string peer_cell(const PeerResult& p, int batch, bool int8) {
  if (!p.ok) return "n/a (" + p.error + ")";
  char d[64];
  if (int8) std::snprintf(d, sizeof d, "%.0f LSB", p.diff);
  else std::snprintf(d, sizeof d, "%.1e", p.diff);
  return figure(p.seconds, batch) + " [" + d + (agrees(p.diff, int8) ? "" : " MISMATCH") + "]";
}

// The figures of ../shared/docs/PEERS.md (measured 2026-11-23) for the cases this program
// also measures: latency in seconds at batch 1, images/s otherwise; 0 = not measured there.
struct Reference {
  const char* model;
  const char* dtype;
  int batch, threads;
  double onednn, xnnpack;
};
constexpr Reference kPeersMd[] = {
    {"convnet", "float32", 1, 1, 854e-6, 0},
    {"convnet", "int8", 1, 1, 230e-6, 699e-6},
    {"convnet", "int8", 256, 2, 7640, 2750},
    {"cnn", "float32", 1, 1, 7.7e-6, 10.1e-6},
    {"cnn", "int8", 1, 1, 10.5e-6, 15.7e-6},
    {"mlp", "int8", 1, 1, 2.3e-6, 2.1e-6},
};

// "854 µs (this run 2.3x faster)": a PEERS.md figure against this run's.
std::string against(double reference, const PeerResult& here, int batch) {
  if (reference == 0) return "—";
  const double ref_seconds = batch == 1 ? reference : batch / reference;
  std::string out = figure(ref_seconds, batch);
  if (here.ok) {
    char b[64];
    const double f = ref_seconds / here.seconds;
    std::snprintf(b, sizeof b, " (this run %.2fx %s)", f >= 1 ? f : 1 / f, f >= 1 ? "faster" : "slower");
    out += b;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, write = true, verbose = false;
  std::string models = "cnn,mlp,convnet", output = "docs/PERFORMANCE.md";
  std::string command = argv[0];
  std::string runtimes = "litequant,onednn,xnnpack";
  for (int i = 1; i < argc; ++i) {
    command += std::string(" ") + argv[i];
    const std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--no-write") write = false;
    else if (a == "--verbose") verbose = true;
    else if (a == "--models" && i + 1 < argc) { models = argv[++i]; command += std::string(" ") + argv[i]; }
    else if (a == "--runtimes" && i + 1 < argc) { runtimes = argv[++i]; command += std::string(" ") + argv[i]; }
    else if (a == "--output" && i + 1 < argc) { output = argv[++i]; command += std::string(" ") + argv[i]; }
    else {
      std::fprintf(stderr, "usage: %s [--quick] [--models cnn,mlp,convnet] [--output FILE] [--no-write] [--verbose]\n"
                   "       [--runtimes litequant,onednn,xnnpack]  (which to time; litequant always runs once)\n", argv[0]);
      return 2;
    }
  }
  const double target = quick ? 0.1 : 1.0;
  const int min_repeats = quick ? 3 : 5;
  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "xnn_initialize failed\n");
    return 1;
  }
  const std::string cpu = cpu_name();
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  const std::string load_start = load_average();
  const auto jiffies_start = machine_jiffies();
  const double own_start = own_cpu_seconds();
  std::printf("peer_bench: %s\nCPU: %s\nload average: %s\n", date, cpu.c_str(), load_start.c_str());

  std::vector<CaseResult> results;
  std::vector<std::string> notes;
  std::stringstream names(models);
  for (std::string name; std::getline(names, name, ',');) {
    lq::Model m = lq::zoo::by_name(name, name == "convnet" ? lq::Shape{32, 32, 3} : lq::Shape{28, 28});
    m.initialize(1);
    lq::Shape shape = m.input_shape();
    shape.insert(shape.begin(), 100);
    lq::Tensor representative(shape);
    lq::Rng rng(3);
    for (int64_t i = 0; i < representative.size(); ++i) representative[i] = rng.uniform(0.0f, 1.0f);
    int64_t image = 1;
    for (int64_t d : m.input_shape()) image *= d;

    for (const bool int8 : {false, true}) {
      lq::TFLiteConverter conv = lq::TFLiteConverter::from_keras_model(m);
      if (int8) {
        conv.optimizations = {lq::Optimize::kDefault};
        conv.target_spec.supported_ops = {lq::OpsSet::kBuiltinsInt8};
        conv.representative_dataset = {representative};
        conv.inference_input_type = conv.inference_output_type = tfl::TensorType::kInt8;
      }
      const tfl::Model model = conv.convert_to_model();
      const std::vector<uint8_t> bytes = tfl::write_model(model);
      const Net net = read_net(model);
      for (const std::pair<int, int>& bt : {std::pair{1, 1}, std::pair{256, 2}}) {
        const int batch = bt.first, threads = bt.second;
        // One random input in [0, 1) for every runtime (int8: quantized with the input's
        // scale and zero point).
        std::vector<float> xf(static_cast<size_t>(batch) * image);
        lq::Rng irng(7 + batch);
        for (float& v : xf) v = irng.uniform(0.0f, 1.0f);
        std::vector<int8_t> xq(xf.size());
        for (size_t i = 0; i < xf.size(); ++i)
          xq[i] = static_cast<int8_t>(std::clamp(std::lround(xf[i] / net.in_scale) + net.in_zp, -128L, 127L));
        const void* x = int8 ? static_cast<const void*>(xq.data()) : xf.data();
        const size_t x_bytes = int8 ? xq.size() : xf.size() * sizeof(float);

        CaseResult r{name, int8 ? "int8" : "float32", batch, threads, 0, 0, {}, {}};
        auto add_note = [&](const char* who, const std::string& what) {
          const std::string note = name + " " + r.dtype + " " + who + ": " + what;
          if (!what.empty() && std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
        };
        // All three runtimes are set up, then timed in kRounds alternating rounds (each
        // with 1/kRounds of the budget), so that other load on the machine falls on all
        // of them alike; median and fastest over the pooled samples.
        omp_set_num_threads(threads);
        std::vector<std::unique_ptr<Runner>> runners(3);
        std::vector<PeerResult*> slots{nullptr, &r.onednn, &r.xnnpack};
        runners[0] = std::make_unique<LitequantRunner>(bytes, int8, batch, threads, x, x_bytes);
        auto make_peer = [&](int i, auto make) {
          try {
            runners[i] = make();
          } catch (const std::exception& e) {
            slots[i]->error = e.what();
          }
        };
        if (runtimes.find("onednn") != std::string::npos)
          make_peer(1, [&] { return std::make_unique<OnednnRunner>(net, batch, x); });
        else
          r.onednn.error = "not run";
        if (runtimes.find("xnnpack") != std::string::npos)
          make_peer(2, [&] { return std::make_unique<XnnpackRunner>(net, batch, threads, x); });
        else
          r.xnnpack.error = "not run";
        const bool time_lq = runtimes.find("litequant") != std::string::npos;
        constexpr int kRounds = 3;
        std::vector<std::vector<double>> samples(3);
        std::vector<double> per_run(3, 0.0);
        for (int round = 0; round < kRounds; ++round) {
          for (size_t i = 0; i < runners.size(); ++i) {
            if (!runners[i] || (i == 0 && !time_lq)) continue;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let other runtimes' threads sleep
            try {
              time_runs(*runners[i], target / kRounds, (min_repeats + kRounds - 1) / kRounds, per_run[i], samples[i]);
            } catch (const std::exception& e) {
              if (!slots[i]) throw;
              slots[i]->error = e.what();
              runners[i].reset();
            }
          }
        }
        const std::vector<float> ref = runners[0]->output();
        if (samples[0].empty()) samples[0].push_back(std::numeric_limits<double>::quiet_NaN());
        r.lq_seconds = median(samples[0]);
        r.lq_fastest = *std::min_element(samples[0].begin(), samples[0].end());
        add_note("litequant", runners[0]->note);
        for (size_t i = 1; i < runners.size(); ++i) {
          if (!runners[i]) continue;
          PeerResult& p = *slots[i];
          p.ok = true;
          p.seconds = median(samples[i]);
          p.fastest = *std::min_element(samples[i].begin(), samples[i].end());
          p.diff = agreement(runners[i]->output(), ref, int8);
          if (verbose || batch == 1) add_note(i == 1 ? "oneDNN" : "XNNPACK", runners[i]->note);
        }
        results.push_back(r);
        std::printf("%-8s %-8s b%-3d %dT  litequant %-14s oneDNN %-34s XNNPACK %s\n", name.c_str(), r.dtype.c_str(),
                    batch, threads, figure(r.lq_seconds, batch).c_str(), peer_cell(r.onednn, batch, int8).c_str(),
                    peer_cell(r.xnnpack, batch, int8).c_str());
        std::fflush(stdout);
      }
    }
  }

  // The table.
  std::ostringstream t;
  t << "| model | type | case | litequant | oneDNN 2.6 [agreement] | XNNPACK 2022 [agreement] | "
       "litequant vs best peer | same, fastest runs |\n|---|---|---|---|---|---|---|---|\n";
  for (const CaseResult& r : results) {
    const bool int8 = r.dtype == "int8";
    double best = 0, best_fastest = 0;
    const char* best_name = "";
    for (const auto& [p, pname] : {std::pair{&r.onednn, "oneDNN"}, std::pair{&r.xnnpack, "XNNPACK"}}) {
      if (p->ok && (best == 0 || p->seconds < best)) best = p->seconds, best_name = pname;
      if (p->ok && (best_fastest == 0 || p->fastest < best_fastest)) best_fastest = p->fastest;
    }
    char ratio[128] = "— | —";
    if (best > 0)
      std::snprintf(ratio, sizeof ratio, "%.2fx (%s) | %.2fx", best / r.lq_seconds, best_name,
                    best_fastest / r.lq_fastest);
    t << "| " << r.model << " | " << r.dtype << " | b" << r.batch << " " << r.threads << "T"
      << (r.batch == 1 ? " latency" : " throughput") << " | " << figure(r.lq_seconds, r.batch) << " | "
      << peer_cell(r.onednn, r.batch, int8) << " | " << peer_cell(r.xnnpack, r.batch, int8) << " | " << ratio
      << " |\n";
  }
  std::ostringstream ref;
  ref << "| case | litequant here | oneDNN here | oneDNN in PEERS.md | XNNPACK here | XNNPACK in PEERS.md |\n"
         "|---|---|---|---|---|---|\n";
  for (const Reference& p : kPeersMd) {
    for (const CaseResult& r : results) {
      if (r.model != p.model || r.dtype != p.dtype || r.batch != p.batch || r.threads != p.threads) continue;
      auto here = [&](const PeerResult& x) { return x.ok ? figure(x.seconds, r.batch) : std::string("n/a"); };
      ref << "| " << r.model << " " << r.dtype << " b" << r.batch << " " << r.threads << "T | "
          << figure(r.lq_seconds, r.batch) << " | " << here(r.onednn) << " | " << against(p.onednn, r.onednn, r.batch)
          << " | " << here(r.xnnpack) << " | " << against(p.xnnpack, r.xnnpack, r.batch) << " |\n";
    }
  }
  // Summary: geometric means of the ratios per type and case kind; cases litequant wins.
  std::ostringstream summary;
  for (const int batch : {1, 256}) {
    for (const char* dtype : {"float32", "int8"}) {
      double log_sum = 0, log_sum_fast = 0, lo = 1e300, hi = 0;
      int count = 0;
      for (const CaseResult& r : results) {
        if (r.batch != batch || r.dtype != dtype) continue;
        double best = 0, best_fast = 0;
        for (const PeerResult* p : {&r.onednn, &r.xnnpack}) {
          if (p->ok && (best == 0 || p->seconds < best)) best = p->seconds;
          if (p->ok && (best_fast == 0 || p->fastest < best_fast)) best_fast = p->fastest;
        }
        if (best == 0 || !(r.lq_seconds > 0)) continue;
        const double ratio = best / r.lq_seconds;
        log_sum += std::log(ratio), log_sum_fast += std::log(best_fast / r.lq_fastest);
        lo = std::min(lo, ratio), hi = std::max(hi, ratio);
        ++count;
      }
      if (!count) continue;
      char line[256];
      std::snprintf(line, sizeof line,
                    "- %s, batch %d: litequant / best peer speed, geometric mean over %d model(s) %.2fx "
                    "(%.2fx to %.2fx; fastest runs %.2fx)\n",
                    dtype, batch, count, std::exp(log_sum / count), lo, hi, std::exp(log_sum_fast / count));
      summary << line;
    }
  }
  std::string wins;
  for (const CaseResult& r : results) {
    double best = 0;
    for (const PeerResult* p : {&r.onednn, &r.xnnpack})
      if (p->ok && (best == 0 || p->seconds < best)) best = p->seconds;
    if (best > 0 && r.lq_seconds <= best)
      wins += (wins.empty() ? "" : ", ") + r.model + " " + r.dtype + " b" + std::to_string(r.batch);
  }
  summary << "- litequant at least as fast as the best peer (medians): " << (wins.empty() ? "no case" : wins) << "\n";
  std::printf("\n%s", summary.str().c_str());
  const std::string load_end = load_average();
  const auto jiffies_end = machine_jiffies();
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double busy = (jiffies_end.first - jiffies_start.first) / hz;
  const double idle = (jiffies_end.second - jiffies_start.second) / hz;
  const double own = own_cpu_seconds() - own_start;
  char cpu_share[256];
  std::snprintf(cpu_share, sizeof cpu_share,
                "%.0f s of CPU time on all cores during the run: this benchmark %.0f s, other processes "
                "%.0f s, idle %.0f s",
                busy + idle, own, std::max(busy - own, 0.0), idle);
  std::printf("%s\n", cpu_share);
  std::printf("\n%s\nAgreement vs litequant: float32 = max|peer - litequant| / max|litequant| over the outputs "
              "(pass < 1e-3); int8 = max |peer - litequant| in output LSB (pass <= 2).\n"
              "Ratio = best peer time / litequant time (> 1: litequant faster), from the medians; the last\n"
              "column from each runtime's fastest run (less sensitive to other load on the machine).\n\n%s",
              t.str().c_str(), ref.str().c_str());
  if (!notes.empty()) {
    std::printf("\nImplementations:\n");
    for (const auto& n : notes) std::printf("  %s\n", n.c_str());
  }

  if (write) {
    std::ofstream f(output);
    if (!f) {
      std::fprintf(stderr, "cannot write %s\n", output.c_str());
      return 1;
    }
    f << "# Performance: litequant against oneDNN and XNNPACK\n\n"
      << "Written by `bench/peer_bench` (issue 6); every figure below comes from the one run\n"
      << "described here. The machine is shared (2 cores, other builds may run): compare the\n"
      << "ratios within a run, not absolute times across runs.\n\n"
      << "- Command: `" << command << "` (built with `-DCMAKE_BUILD_TYPE=Release`)\n"
      << "- Date: " << date << "\n"
      << "- CPU: " << cpu << "\n"
      << "- Load average (1, 5, 15 min) at start / end: " << load_start << " / " << load_end << "\n"
      << "- " << cpu_share << "\n"
      << "- Peers: oneDNN 2.6 (Debian `libdnnl-dev`, OpenMP threads), XNNPACK 2022 snapshot\n"
      << "  (Debian `libxnnpack-dev`, operator API with a pthreadpool)\n\n"
      << "## Method\n\n"
      << "Models from `include/litequant/nn/zoo.h` (`cnn`, `mlp` at 28x28, `convnet` at 32x32x3),\n"
      << "`initialize(1)`. litequant converts them with `lq::TFLiteConverter` (float32; int8 =\n"
      << "`Optimize::kDefault` with 100 random calibration images in [0, 1), int8 input and output)\n"
      << "and runs the `.tflite` bytes in `lq::runtime::Interpreter`. The peers are built from the\n"
      << "converted model: the same float weights, or the same int8 weights (per-channel CONV_2D,\n"
      << "per-tensor FULLY_CONNECTED), int32 biases, scales and zero points, so all three compute\n"
      << "the same network. Weights are reordered or packed once, before timing (oneDNN:\n"
      << "`format_tag::any` and a reorder; XNNPACK: operator creation). The timed region is one\n"
      << "forward pass from an NHWC input in memory, including any layout reorder a peer needs;\n"
      << "litequant's input is checked to survive `invoke()` (as in TFLite); were it overwritten,\n"
      << "`set_tensor()` would be timed with each `invoke()` (noted under Implementations).\n"
      << "Each case: the three runtimes are set up, then timed in 3 alternating rounds (warm-up,\n"
      << "then repeats for a third of about " << (quick ? "0.1" : "1")
      << " s per runtime), so that other load on the machine\n"
      << "falls on all of them alike; figures come from the pooled repeats.\n"
      << "Batch 1 on 1 thread: median latency; batch 256 on 2 threads: images/s of the median\n"
      << "batch time.\n\n"
      << "How each peer expresses the int8 network:\n\n"
      << "- oneDNN: convolution with per-channel output scales, src and dst zero points (common,\n"
      << "  given at run time), an s32 bias and ReLU as an eltwise post-op; max pooling on s8;\n"
      << "  inner product with both zero points folded into an f32 bias (oneDNN 2.6's int8 inner\n"
      << "  product takes no zero points; exact for the source, which has no padding) and the fused\n"
      << "  ReLU as a clip at the output zero point.\n"
      << "- XNNPACK: per-channel convolution needs the `qc8` operator (`qs8` convolution is\n"
      << "  per-tensor only); fully connected `qs8` (per-tensor, as in TFLite); max pooling `s8`.\n"
      << "  XNNPACK requantizes in fp32, TFLite and litequant in fixed point: 1 LSB apart at times.\n\n"
      << "## Summary\n\n"
      << summary.str() << "\n"
      << "## Results\n\n"
      << t.str() << "\n"
      << "In brackets, agreement with litequant's output for the case's random input: float32 =\n"
      << "max |peer - litequant| / max |litequant| over all outputs (pass < 1e-3); int8 =\n"
      << "max |peer - litequant| in output LSB (pass <= 2). Ratio = best peer time / litequant time:\n"
      << "above 1 litequant is faster; below 1 the best peer is 1/ratio times faster. The last\n"
      << "column is the same ratio from each runtime's fastest run instead of its median: it moves\n"
      << "less when other work shares the 2 cores (2-thread runs suffer most from that).\n\n"
      << (std::stod(load_start) > std::thread::hardware_concurrency() || std::stod(load_end) > std::thread::hardware_concurrency()
              ? "**The machine was busy during this run** (1-minute load average above its CPU count,\n"
                "see above). The 2-thread figures suffer most: a pool's worker that loses its core to\n"
                "another process holds up the whole batch, for some runtimes more than for others. The\n"
                "fastest-run ratio shows what the runtimes do when they get both cores.\n\n"
              : "")
      << "## Against the figures in shared/docs/PEERS.md\n\n"
      << "PEERS.md (2026-11-23) measured each peer with its own harness on 2 vCPUs of an AMD EPYC\n"
      << "Zen 4 (family 25); this run's CPU is given above. Its peer figures next to this run's,\n"
      << "for the cases both measure, with litequant's figure of this run:\n\n"
      << ref.str() << "\n"
      << "Where the same peer is much faster here than in PEERS.md, the CPU differs (a wider FMA\n"
      << "and VNNI datapath doubles the peak per core): set litequant against PEERS.md's figures\n"
      << "only through the ratios measured here, in one run, never through absolute times.\n\n";
    if (!notes.empty()) {
      f << "## Implementations\n\n";
      for (const auto& n : notes) f << "- " << n << "\n";
      f << "\n";
    }
    std::printf("\nwrote %s\n", output.c_str());
  }
  return 0;
}
