#pragma once
// Image classification datasets in IDX format (MNIST, Fashion-MNIST, ...).
#include <string>

#include "litequant/core/tensor.h"

namespace lq::data {

struct Dataset {
  Tensor images;  // [N, H, W] (or [N, H, W, C] for 4-d IDX), pixels scaled to [0, 1]
  Tensor labels;  // [N], class indices stored as floats
  int64_t size() const { return labels.size(); }
};

struct DatasetSplits {
  std::string name;  // e.g. "fashion-mnist"
  std::string directory;
  Dataset train;
  Dataset test;
  int num_classes = 0;  // max label + 1
};

// Directory Debian's dataset-fashion-mnist package installs to.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// `name_or_dir`: "fashion-mnist" (the default dataset), or a directory holding
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each optionally with ".gz".
// If both "x" and "x.gz" exist, the uncompressed file is used. `name` in the result is
// "fashion-mnist" or the directory's base name.
// Errors name the missing file (and for fashion-mnist say: apt-get install
// dataset-fashion-mnist), images that are not 3-d/4-d or labels that are not 1-d,
// image/label count mismatch, train/test image shape mismatch, and any read_idx error.
DatasetSplits load_dataset(const std::string& name_or_dir);

// What load_dataset() does after resolving the name: loads the four files from
// `directory` and stores `name` in the result. With `apt_hint`, a missing-file error
// tells the user to install dataset-fashion-mnist.
DatasetSplits load_dataset_dir(const std::string& directory, const std::string& name,
                               bool apt_hint);

}  // namespace lq::data
