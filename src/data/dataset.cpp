#include "litequant/data/dataset.h"

#include <algorithm>
#include <array>
#include <filesystem>

#include "litequant/core/error.h"
#include "litequant/data/idx.h"

namespace lq::data {
namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 4> kFileNames = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};

// "dir/name" if it exists, else "dir/name.gz" if that exists, else "".
std::string find_file(const std::string& directory, const std::string& name) {
  std::error_code ec;
  for (const std::string& candidate : {name, name + ".gz"}) {
    fs::path p = fs::path(directory) / candidate;
    if (fs::exists(p, ec)) return p.string();
  }
  return "";
}

std::string missing_files_message(const std::string& directory, const std::string& name,
                                  const std::vector<std::string>& missing, bool apt_hint) {
  std::string list;
  for (size_t i = 0; i < missing.size(); ++i)
    list += (i ? ", " : "") + (fs::path(directory) / missing[i]).string() + "[.gz]";
  if (apt_hint)
    return name + " dataset not found: missing " + list +
           "; install it with `apt-get install dataset-fashion-mnist`";
  std::error_code ec;
  std::string what = fs::is_directory(directory, ec) ? "missing " + list : "no such directory";
  return directory + ": " + what + "; a dataset directory must hold " + kFileNames[0] + ", " +
         kFileNames[1] + ", " + kFileNames[2] + " and " + kFileNames[3] +
         " (each optionally gzip-compressed, with a .gz suffix)";
}

std::string shape_string(const std::vector<int64_t>& dims, size_t from) {
  std::string s;
  for (size_t i = from; i < dims.size(); ++i)
    s += (i > from ? " x " : "") + std::to_string(dims[i]);
  return s;
}

Dataset make_dataset(const IdxArray& images, const std::string& images_path, const IdxArray& labels,
                     const std::string& labels_path) {
  if (images.dims.size() != 3 && images.dims.size() != 4)
    throw Error(images_path + ": images must be 3-d [N, H, W] or 4-d [N, H, W, C], got shape " +
                to_string(images.dims));
  if (labels.dims.size() != 1)
    throw Error(labels_path + ": labels must be 1-d [N], got shape " + to_string(labels.dims));
  if (images.dims[0] != labels.dims[0])
    throw Error(images_path + " has " + std::to_string(images.dims[0]) + " images but " +
                labels_path + " has " + std::to_string(labels.dims[0]) + " labels");

  Dataset d;
  d.images = Tensor(Shape(images.dims.begin(), images.dims.end()));
  float* px = d.images.data();
  for (size_t i = 0; i < images.values.size(); ++i)
    px[i] = static_cast<float>(images.values[i]) / 255.0f;
  d.labels = Tensor(Shape{labels.dims[0]});
  float* lb = d.labels.data();
  for (size_t i = 0; i < labels.values.size(); ++i) lb[i] = static_cast<float>(labels.values[i]);
  return d;
}

}  // namespace

DatasetSplits load_dataset_dir(const std::string& directory, const std::string& name,
                               bool apt_hint) {
  std::array<std::string, 4> paths;
  std::vector<std::string> missing;
  for (size_t i = 0; i < kFileNames.size(); ++i) {
    paths[i] = find_file(directory, kFileNames[i]);
    if (paths[i].empty()) missing.push_back(kFileNames[i]);
  }
  if (!missing.empty()) throw Error(missing_files_message(directory, name, missing, apt_hint));

  std::array<IdxArray, 4> idx;
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = read_idx(paths[i]);
  const IdxArray& train_images = idx[0];
  const IdxArray& test_images = idx[2];
  if (train_images.dims.size() != test_images.dims.size() ||
      !std::equal(train_images.dims.begin() + 1, train_images.dims.end(),
                  test_images.dims.begin() + 1))
    throw Error("image shapes differ: " + paths[0] + " holds " +
                shape_string(train_images.dims, 1) + " images but " + paths[2] + " holds " +
                shape_string(test_images.dims, 1));

  DatasetSplits splits;
  splits.name = name;
  splits.directory = directory;
  splits.train = make_dataset(idx[0], paths[0], idx[1], paths[1]);
  splits.test = make_dataset(idx[2], paths[2], idx[3], paths[3]);
  uint8_t max_label = 0;
  for (const IdxArray* labels : {&idx[1], &idx[3]})
    for (uint8_t v : labels->values) max_label = std::max(max_label, v);
  splits.num_classes = max_label + 1;  // labels are bytes: at most 256 classes
  return splits;
}

DatasetSplits load_dataset(const std::string& name_or_dir) {
  if (name_or_dir == "fashion-mnist") return load_dataset_dir(kFashionMnistDir, name_or_dir, true);
  if (name_or_dir.empty()) throw Error("load_dataset: empty dataset name");
  // Base name of the directory, ignoring trailing slashes and "." components.
  fs::path p = fs::path(name_or_dir).lexically_normal();
  if (!p.has_filename() || p.filename() == "." || p.filename() == "..") {
    std::error_code ec;
    fs::path abs = fs::weakly_canonical(p, ec);
    if (!ec) p = abs;
  }
  while (!p.has_filename() && p.has_parent_path() && p.parent_path() != p) p = p.parent_path();
  std::string name = p.filename().string();
  return load_dataset_dir(name_or_dir, name.empty() ? name_or_dir : name, false);
}

}  // namespace lq::data
