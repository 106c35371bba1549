# lq_tflite's generated code: flatc turns the schema subset into a C++ header in the
# build tree (never committed). The include dir is SYSTEM so that generated code cannot
# trip -Werror; it is PUBLIC so that tests can build hand-crafted (hostile) files.
find_package(FlatBuffers CONFIG REQUIRED)
set(lq_tflite_fbs ${CMAKE_CURRENT_LIST_DIR}/tflite_subset.fbs)
set(lq_tflite_gen_dir ${CMAKE_CURRENT_BINARY_DIR}/tflite_generated)
set(lq_tflite_gen_header ${lq_tflite_gen_dir}/tflite_subset_generated.h)
add_custom_command(
  OUTPUT ${lq_tflite_gen_header}
  COMMAND flatbuffers::flatc --cpp --scoped-enums -o ${lq_tflite_gen_dir} ${lq_tflite_fbs}
  DEPENDS ${lq_tflite_fbs}
  COMMENT "flatc: generating tflite_subset_generated.h"
  VERBATIM)
add_custom_target(lq_tflite_schema DEPENDS ${lq_tflite_gen_header})
add_dependencies(lq_tflite lq_tflite_schema)
target_sources(lq_tflite PRIVATE ${lq_tflite_gen_header})
target_include_directories(lq_tflite SYSTEM PUBLIC ${lq_tflite_gen_dir})
target_link_libraries(lq_tflite PUBLIC flatbuffers::flatbuffers)
