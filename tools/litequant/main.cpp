// litequant: train, quantize and deploy Keras-style models as TensorFlow Lite files.
#include <iostream>

#include "commands.h"
#include "litequant/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"litequant: train Keras-style models, quantize them, deploy as TensorFlow Lite"};
  app.require_subcommand(1);
  lq::cli::add_train(app);
  lq::cli::add_qat(app);
  lq::cli::add_evaluate(app);
  lq::cli::add_summary(app);
  lq::cli::add_convert(app);
  lq::cli::add_compare(app);
  lq::cli::add_tflite_commands(app);
  lq::cli::add_bench(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const lq::Error& e) {
    std::cerr << "litequant: error: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "litequant: error: out of memory\n";
    return 1;
  }
  return 0;
}
