# Project-wide compiler flags and helpers.
# GCC 12 warns about fields omitted from designated initializers, the idiom of our
# Keras-style option structs: Conv2D(12, {3, 3}, {.activation = "relu"}).
# GCC 12 at -O3 also reports false -Wrestrict overlaps inside std::string (GCC bug 105329).
set(LQ_WARNINGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND LQ_WARNINGS -Wshadow=local -Wno-psabi -Wno-restrict)
endif()
if(LITEQUANT_WERROR)
  list(APPEND LQ_WARNINGS -Werror)
endif()
add_compile_options(${LQ_WARNINGS})
# No errno from math functions: lets std::sqrt/exp loops vectorise. IEEE semantics
# (NaN, Inf, rounding) are unchanged.
add_compile_options(-fno-math-errno)

if(LITEQUANT_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(LITEQUANT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  # GCC's flow analysis under the sanitizers reports false "maybe uninitialized" values
  # inside the standard library (std::function in <regex>).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  add_link_options(-fsanitize=address,undefined)
endif()

# Kernels for a specific ISA live in files named *_avx2.cpp / *_avx512.cpp and are
# only called after a runtime CPU check (see core/cpu.h).
function(lq_set_isa_flags)
  foreach(src ${ARGN})
    if(src MATCHES "_avx512\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS
        "-mavx512f;-mavx512vl;-mavx512bw;-mavx512dq;-mavx2;-mfma;-mf16c")
    elseif(src MATCHES "_avx2\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
    endif()
  endforeach()
endfunction()

# lq_module(NAME dir DEPS ...): a static library from every .cpp under src/<dir>.
function(lq_module name dir)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  add_library(${name} STATIC ${srcs})
  lq_set_isa_flags(${srcs})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${M_DEPS})
endfunction()
