// Model::fit / evaluate / predict / train_on_batch.
#include <cmath>
#include <cstring>
#include <iostream>
#include <numeric>

#include "litequant/core/error.h"
#include "model_impl.h"
#include "progress.h"

namespace lq {
namespace {

// dst = rows idx[begin..end) of src (first dimension).
void gather_rows(const Tensor& src, const std::vector<int64_t>& idx, int64_t begin, int64_t end,
                 Tensor& dst) {
  Shape shape = src.shape();
  shape[0] = end - begin;
  dst.resize(shape);
  const int64_t row = src.dim(0) ? src.size() / src.dim(0) : 0;
  for (int64_t i = begin; i < end; ++i)
    std::memcpy(dst.data() + (i - begin) * row, src.data() + idx[static_cast<size_t>(i)] * row,
                static_cast<size_t>(row) * sizeof(float));
}

// Rows [begin, end) of src, as a copy.
Tensor slice_rows(const Tensor& src, int64_t begin, int64_t end) {
  std::vector<int64_t> idx(static_cast<size_t>(end - begin));
  std::iota(idx.begin(), idx.end(), begin);
  Tensor out;
  gather_rows(src, idx, 0, end - begin, out);
  return out;
}

void check_pair(const Tensor& x, const Tensor& y, const std::string& what) {
  if (x.rank() == 0 || y.rank() == 0 || x.dim(0) != y.dim(0))
    throw Error(what + ": " + std::to_string(x.rank() ? x.dim(0) : 0) + " inputs but " +
                std::to_string(y.rank() ? y.dim(0) : 0) + " targets");
  if (x.dim(0) == 0) throw Error(what + ": no samples");
}

bool wants_accuracy(const std::vector<std::string>& metrics) {
  for (const auto& m : metrics)
    if (m == "accuracy" || m == "acc") return true;
  return false;
}

}  // namespace

double Model::train_on_batch(const Tensor& x, const Tensor& y) {
  if (!compiled()) throw Error("model '" + name_ + "' must be compiled before training");
  const Tensor& out = forward(x, true);
  Tensor grad;
  const double loss = loss_->compute(out, y, &grad);
  backward(grad);
  optimizer_->apply(trainable_weights(), impl_->pool.get());
  return loss;
}

History Model::fit(const Tensor& x_all, const Tensor& y_all, const FitOptions& o) {
  if (!compiled()) throw Error("model '" + name_ + "' must be compiled before fit()");
  check_pair(x_all, y_all, "fit");
  if (o.epochs < 0) throw Error("fit: epochs must not be negative");
  if (o.batch_size <= 0) throw Error("fit: batch_size must be positive");
  if (!(o.validation_split >= 0.0f && o.validation_split < 1.0f))
    throw Error("fit: validation_split must be in [0, 1)");
  if ((o.validation_x == nullptr) != (o.validation_y == nullptr))
    throw Error("fit: validation_data needs both inputs and targets");
  std::ostream& out = o.out ? *o.out : std::cout;

  // Validation split: the last fraction of the data, before shuffling (as Keras).
  const Tensor* x = &x_all;
  const Tensor* y = &y_all;
  const Tensor* vx = o.validation_x;
  const Tensor* vy = o.validation_y;
  Tensor split_x, split_y, split_vx, split_vy;
  if (o.validation_split > 0.0f && !vx) {
    const int64_t n = x_all.dim(0);
    const int64_t at = static_cast<int64_t>(std::floor(static_cast<double>(n) * (1.0 - o.validation_split)));
    if (at <= 0 || at >= n) throw Error("fit: validation_split leaves no training or validation data");
    split_x = slice_rows(x_all, 0, at);
    split_y = slice_rows(y_all, 0, at);
    split_vx = slice_rows(x_all, at, n);
    split_vy = slice_rows(y_all, at, n);
    x = &split_x;
    y = &split_y;
    vx = &split_vx;
    vy = &split_vy;
  }
  if (vx) check_pair(*vx, *vy, "fit (validation data)");

  const int64_t n = x->dim(0);
  const int64_t steps = (n + o.batch_size - 1) / o.batch_size;
  const bool accuracy = wants_accuracy(metrics_);
  Rng shuffle_rng(o.seed);
  impl_->rng = Rng(o.seed ^ 0x5bd1e995ULL);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  const std::vector<Weight*> weights = trainable_weights();
  History history;
  Tensor bx, by, grad;

  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    if (o.verbose) out << "Epoch " << epoch + 1 << "/" << o.epochs << "\n" << std::flush;
    if (o.shuffle) shuffle_rng.shuffle(order);
    ProgressBar bar(out, steps, o.verbose == 1 && is_terminal(out));
    double loss_sum = 0.0;
    int64_t seen = 0, correct = 0;
    for (int64_t step = 0; step < steps; ++step) {
      const int64_t b = step * o.batch_size, e = std::min(n, b + o.batch_size);
      gather_rows(*x, order, b, e, bx);
      gather_rows(*y, order, b, e, by);
      const Tensor& pred = forward(bx, true);
      const double loss = loss_->compute(pred, by, &grad);
      if (!std::isfinite(loss))
        throw Error("fit: the loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") +
                    " at epoch " + std::to_string(epoch + 1) + ", step " + std::to_string(step + 1) +
                    "/" + std::to_string(steps) +
                    "; training stopped. Lower the learning rate or check the data for NaN/Inf.");
      if (accuracy) correct += count_correct(pred, by);
      backward(grad);
      optimizer_->apply(weights, impl_->pool.get());
      loss_sum += loss * static_cast<double>(e - b);
      seen += e - b;
      MetricList live{{"loss", loss_sum / static_cast<double>(seen)}};
      if (accuracy) live.push_back({"accuracy", static_cast<double>(correct) / static_cast<double>(seen)});
      if (o.verbose) bar.update(step + 1, live);
    }
    Logs logs{{"loss", loss_sum / static_cast<double>(n)}};
    if (accuracy) logs["accuracy"] = static_cast<double>(correct) / static_cast<double>(n);
    const double seconds = bar.elapsed_seconds();
    if (vx) {
      for (const auto& [k, v] : evaluate(*vx, *vy, {.batch_size = std::max<int64_t>(o.batch_size, 256)}))
        logs["val_" + k] = v;
    }
    MetricList shown{{"loss", logs["loss"]}};
    for (const char* k : {"accuracy", "val_loss", "val_accuracy"})
      if (logs.count(k)) shown.push_back({k, logs[k]});
    if (o.verbose) bar.finish(shown);
    for (const auto& [k, v] : logs) history.history[k].push_back(v);
    history.epoch_seconds.push_back(seconds);
    if (o.on_epoch_end) o.on_epoch_end(epoch, logs);
  }
  return history;
}

Logs Model::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& o) {
  if (!compiled()) throw Error("model '" + name_ + "' must be compiled before evaluate()");
  check_pair(x, y, "evaluate");
  if (o.batch_size <= 0) throw Error("evaluate: batch_size must be positive");
  std::ostream& out = o.out ? *o.out : std::cout;
  const int64_t n = x.dim(0);
  const int64_t steps = (n + o.batch_size - 1) / o.batch_size;
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  ProgressBar bar(out, steps, o.verbose == 1 && is_terminal(out));
  double loss_sum = 0.0;
  int64_t correct = 0;
  Tensor bx, by;
  for (int64_t step = 0; step < steps; ++step) {
    const int64_t b = step * o.batch_size, e = std::min(n, b + o.batch_size);
    gather_rows(x, order, b, e, bx);
    gather_rows(y, order, b, e, by);
    const Tensor& pred = forward(bx, false);
    loss_sum += loss_->compute(pred, by, nullptr) * static_cast<double>(e - b);
    correct += count_correct(pred, by);
  }
  Logs logs{{"loss", loss_sum / static_cast<double>(n)}};
  if (wants_accuracy(metrics_)) logs["accuracy"] = static_cast<double>(correct) / static_cast<double>(n);
  if (o.verbose) {
    MetricList shown{{"loss", logs["loss"]}};
    if (logs.count("accuracy")) shown.push_back({"accuracy", logs["accuracy"]});
    bar.finish(shown);
  }
  return logs;
}

Tensor Model::predict(const Tensor& x, int64_t batch_size) {
  if (batch_size <= 0) throw Error("predict: batch_size must be positive");
  if (x.rank() == 0 || x.dim(0) == 0) throw Error("predict: no samples");
  const int64_t n = x.dim(0);
  Tensor result(with_batch(n, output_shape()));
  const int64_t row = result.size() / n;
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Tensor bx;
  for (int64_t b = 0; b < n; b += batch_size) {
    const int64_t e = std::min(n, b + batch_size);
    gather_rows(x, order, b, e, bx);
    const Tensor& pred = forward(bx, false);
    std::memcpy(result.data() + b * row, pred.data(), static_cast<size_t>(pred.size()) * sizeof(float));
  }
  return result;
}

}  // namespace lq
