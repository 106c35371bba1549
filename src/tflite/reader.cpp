// read_model(): .tflite bytes -> Model, verified and validated (see model.h).
#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "fb.h"
#include "litequant/core/error.h"
#include "litequant/core/file.h"
#include "litequant/tflite/model.h"
#include "options_codec.h"

namespace lq::tflite {
namespace {

constexpr flatbuffers::uoffset_t kMaxDepth = 64;
constexpr flatbuffers::uoffset_t kMaxTables = 1u << 22;
constexpr int32_t kCustom = 32;

std::string printable(const uint8_t* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (p[i] >= 0x20 && p[i] < 0x7f) {
      s += static_cast<char>(p[i]);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      s += "\\x";
      s += kHex[p[i] >> 4];
      s += kHex[p[i] & 15];
    }
  }
  return s;
}

class Reader {
 public:
  Reader(const fb::Model& fm, const std::string& name, size_t file_size)
      : fm_(fm), name_(name), budget_(file_size + 1024) {}

  Model read() {
    Model m;
    m.version = fm_.version();
    if (fm_.description()) m.description = string(fm_.description());
    buffers(m);
    const auto* subgraphs = fm_.subgraphs();
    if (!subgraphs || subgraphs->size() == 0) fail("the model has no subgraphs");
    const fb::SubGraph& sg = *subgraphs->Get(0);  // the main one; the others are not run
    if (sg.name()) m.subgraph_name = string(sg.name());
    if (const auto* ts = sg.tensors()) {
      m.tensors.reserve(ts->size());
      for (flatbuffers::uoffset_t i = 0; i < ts->size(); ++i)
        m.tensors.push_back(tensor(*ts->Get(i), i));
    }
    m.inputs = ints(sg.inputs());
    m.outputs = ints(sg.outputs());
    if (const auto* ops = sg.operators()) {
      m.operators.reserve(ops->size());
      for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i)
        m.operators.push_back(op(*ops->Get(i), i));
    }
    references(m);
    return m;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(name_ + ": " + what); }

  // Every element copied out of the file is charged here. A file can reference one
  // vector many times; this bounds the work and memory such a file can cause.
  void charge(size_t n) {
    if (n > budget_) fail("the file references more data than it holds (shared or looping tables)");
    budget_ -= n;
  }
  std::string string(const flatbuffers::String* s) {
    charge(s->size());
    return s->str();
  }
  template <class T>
  std::vector<T> vec(const flatbuffers::Vector<T>* v) {
    if (!v) return {};
    charge(v->size());
    return std::vector<T>(v->begin(), v->end());
  }
  std::vector<int32_t> ints(const flatbuffers::Vector<int32_t>* v) { return vec(v); }
  // The verifier checks 4-byte alignment of vectors only: 8-byte elements are copied
  // bytewise, never loaded in place.
  std::vector<int64_t> int64s(const flatbuffers::Vector<int64_t>* v) {
    if (!v) return {};
    charge(v->size());
    std::vector<int64_t> out(v->size());
    static_assert(std::endian::native == std::endian::little);
    if (!out.empty()) std::memcpy(out.data(), v->Data(), out.size() * sizeof(int64_t));
    return out;
  }

  void buffers(Model& m) {
    const auto* bs = fm_.buffers();
    if (!bs) return;  // validate() reports the missing sentinel
    m.buffers.resize(bs->size());
    for (flatbuffers::uoffset_t i = 0; i < bs->size(); ++i) {
      const fb::Buffer& b = *bs->Get(i);
      if (b.offset() > 1)
        fail("buffer " + std::to_string(i) +
             ": data stored outside the flatbuffer (offset/size) is not supported");
      if (const auto* data = b.data()) m.buffers[i].view = {data->data(), data->size()};
    }
  }

  Tensor tensor(const fb::Tensor& ft, uint32_t i) {
    const std::string label = "tensor " + std::to_string(i);
    Tensor t;
    if (ft.name()) t.name = string(ft.name());
    const auto* shape = ft.shape();
    if (shape && shape->size() > 16)
      fail(label + ": rank " + std::to_string(shape->size()) + " exceeds 16");
    t.shape = ints(shape);
    t.type = static_cast<TensorType>(ft.type());
    t.buffer = ft.buffer();
    t.is_variable = ft.is_variable();
    if (ft.sparsity()) fail(label + ": sparse tensors are not supported");
    if (ft.external_buffer() != 0) fail(label + ": external buffers are not supported");
    if (const auto* sig = ft.shape_signature()) {
      bool ok = sig->size() == t.shape.size();
      for (flatbuffers::uoffset_t d = 0; ok && d < sig->size(); ++d)
        ok = sig->Get(d) == -1 || sig->Get(d) == t.shape[d];
      if (!ok) fail(label + ": shape_signature does not match the shape");
    }
    if (const auto* q = ft.quantization()) {
      if (q->details_type() != fb::QuantizationDetails::NONE)
        fail(label + ": custom quantization details are not supported");
      if (q->scale() && q->scale()->size() > 0) {
        t.quantization.scale = vec(q->scale());
        t.quantization.zero_point = int64s(q->zero_point());
        t.quantization.quantized_dimension = q->quantized_dimension();
      } else if (q->zero_point() && q->zero_point()->size() > 0) {
        fail(label + ": quantization has zero points but no scales");
      }
    }
    return t;
  }

  Operator op(const fb::Operator& fo, uint32_t i) {
    const std::string label = "operator " + std::to_string(i);
    const auto* codes = fm_.operator_codes();
    const uint32_t n_codes = codes ? codes->size() : 0;
    if (fo.opcode_index() >= n_codes)
      fail(label + ": opcode_index " + std::to_string(fo.opcode_index()) + " out of range (" +
           std::to_string(n_codes) + " operator codes)");
    const fb::OperatorCode& oc = *codes->Get(fo.opcode_index());
    // TFLite's GetBuiltinCode(): files from before schema 3a only set the byte.
    const int32_t code = std::max(static_cast<int32_t>(oc.builtin_code()),
                                  static_cast<int32_t>(oc.deprecated_builtin_code()));
    if (code == kCustom) {
      const std::string custom = oc.custom_code() ? oc.custom_code()->str() : "";
      fail(label + ": custom op '" + custom.substr(0, 100) + "' is not supported");
    }
    Operator o;
    o.opcode = code;
    o.version = oc.version();
    o.inputs = ints(fo.inputs());
    o.outputs = ints(fo.outputs());
    o.options = read_options(fo, code, name_ + ": " + label + " (" + op_name(code) + ")");
    return o;
  }

  // Buffer and tensor indices outside subgraph 0 (metadata, signatures).
  void references(const Model& m) const {
    if (const auto* mb = fm_.metadata_buffer())
      for (int32_t b : *mb)
        if (b < 0 || static_cast<size_t>(b) >= m.buffers.size())
          fail("metadata_buffer " + std::to_string(b) + " out of range");
    if (const auto* md = fm_.metadata())
      for (const auto* e : *md)
        if (e->buffer() >= m.buffers.size())
          fail("metadata buffer index " + std::to_string(e->buffer()) + " out of range");
    if (const auto* sigs = fm_.signature_defs())
      for (const auto* s : *sigs) {
        if (s->subgraph_index() != 0) continue;
        for (const auto* maps : {s->inputs(), s->outputs()})
          if (maps)
            for (const auto* tm : *maps)
              if (tm->tensor_index() >= m.tensors.size())
                fail("signature tensor index " + std::to_string(tm->tensor_index()) +
                     " out of range");
      }
  }

  const fb::Model& fm_;
  const std::string& name_;
  size_t budget_;
};

}  // namespace

Model read_model(std::shared_ptr<const std::vector<uint8_t>> bytes, const std::string& name) {
  if (!bytes || bytes->empty()) throw Error(name + ": empty file, not a TFLite model");
  const std::vector<uint8_t>& b = *bytes;
  if (b.size() < 8)
    throw Error(name + ": " + std::to_string(b.size()) + " bytes, too small for a TFLite model");
  if (b.size() >= FLATBUFFERS_MAX_BUFFER_SIZE)
    throw Error(name + ": files of 2 GiB or more are not supported");
  if (!flatbuffers::BufferHasIdentifier(b.data(), fb::ModelIdentifier()))
    throw Error(name + ": not a TFLite model (file identifier \"" + printable(b.data() + 4, 4) +
                "\", expected \"TFL3\")");
  flatbuffers::Verifier verifier(b.data(), b.size(), kMaxDepth, kMaxTables);
  if (!fb::VerifyModelBuffer(verifier))
    throw Error(name + ": not a valid TFLite flatbuffer (the flatbuffers verifier rejected it: " +
                "truncated, corrupt or not a TFLite schema 3 file)");
  Model m = Reader(*fb::GetModel(b.data()), name, b.size()).read();
  validate(m, name);
  m.file = std::move(bytes);
  return m;
}

Model read_model_file(const std::string& path) {
  return read_model(std::make_shared<const std::vector<uint8_t>>(read_file(path)), path);
}

}  // namespace lq::tflite
