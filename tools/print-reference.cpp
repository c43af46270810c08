// Reference generator for torchlite's tensor printer.
//
// Builds a batch of tensors with libtorch, formats each one with libtorch's
// own `operator<<(std::ostream&, const at::Tensor&)`, applies the line
// truncation that R torch's `cpp_torch_tensor_print()` performs (keep the
// first `n` lines, a notice line, and the final `[ ... ]` line), and writes
// everything to stdout in a small text format that
// tests/testthat/test-print.R parses:
//
//   #case <name>
//   #type <Float|Double|Long|Int|Bool>
//   #shape <d1> <d2> ...        (nothing after "#shape" for a 0-d tensor)
//   #n <n>                      (R torch's print(n = ...) argument)
//   #values <v1> <v2> ...       (row-major, after conversion to the dtype)
//   <output lines, verbatim>
//   #end
//
// The values are read back from the tensor, so float32 rounding is exactly
// what libtorch stores.  Build and run with tools/print-reference.sh.

#include <ATen/ATen.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Case {
  std::string name;
  at::ScalarType dtype;
  std::vector<int64_t> shape;
  std::vector<double> values;
  int n;
};

std::vector<Case> g_cases;

void add(const std::string& name, at::ScalarType dtype,
         std::vector<int64_t> shape, std::vector<double> values, int n = 30) {
  g_cases.push_back(Case{name, dtype, std::move(shape), std::move(values), n});
}

// Deterministic pseudo random numbers (no dependence on torch's RNG).
struct Lcg {
  uint64_t state;
  explicit Lcg(uint64_t seed) : state(seed) {}
  double unif() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  }
  double normal() {
    double s = 0;
    for (int i = 0; i < 12; i++) s += unif();
    return s - 6.0;
  }
};

std::vector<double> seq(double from, double by, int count) {
  std::vector<double> v;
  for (int i = 0; i < count; i++) v.push_back(from + by * i);
  return v;
}

std::vector<double> normals(uint64_t seed, int count, double scale = 1.0) {
  Lcg g(seed);
  std::vector<double> v;
  for (int i = 0; i < count; i++) v.push_back(g.normal() * scale);
  return v;
}

std::vector<double> uniforms(uint64_t seed, int count, double lo, double hi) {
  Lcg g(seed);
  std::vector<double> v;
  for (int i = 0; i < count; i++) v.push_back(lo + (hi - lo) * g.unif());
  return v;
}

const char* type_label(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "Float";
    case at::kDouble: return "Double";
    case at::kLong: return "Long";
    case at::kInt: return "Int";
    case at::kBool: return "Bool";
    default: return "?";
  }
}

std::string value_token(double v) {
  if (std::isnan(v)) return std::signbit(v) ? "-NaN" : "NaN";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// Same line handling as R torch's cpp_torch_tensor_print(x, n).
std::vector<std::string> r_torch_lines(const std::string& text, int n) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      std::string rest = text.substr(start);
      if (!rest.empty()) lines.push_back(rest);
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (n > 1 && lines.size() > static_cast<size_t>(n)) {
    std::string last = lines.back();
    lines.resize(n);
    lines.push_back("... [the output was truncated (use n=-1 to disable)]");
    lines.push_back(last);
  }
  return lines;
}

void define_cases() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  using at::kBool;
  using at::kDouble;
  using at::kFloat;
  using at::kInt;
  using at::kLong;

  // Examples from the brief.
  add("float_2x2_quarter", kFloat, {2, 2}, {0.25, 0.25, 0.25, 0.25});
  add("float_1d_single_negative", kFloat, {1}, {-3.4});
  add("float_1d_two", kFloat, {2}, {0.9918, 0.9830});

  // 0-d tensors.
  add("float_0d_fraction", kFloat, {}, {0.1});
  add("float_0d_integer", kFloat, {}, {3});
  add("double_0d_pi", kDouble, {}, {3.14159265358979});
  add("long_0d", kLong, {}, {42});
  add("long_0d_2pow53", kLong, {}, {9007199254740992.0});
  add("int_0d_negative", kInt, {}, {-7});
  add("bool_0d_true", kBool, {}, {1});
  add("float_0d_nan", kFloat, {}, {nan});
  add("float_0d_neg_inf", kFloat, {}, {-inf});
  add("float_0d_neg_zero", kFloat, {}, {-0.0});
  add("double_0d_tiny", kDouble, {}, {1e-10});
  add("double_0d_large", kDouble, {}, {123456789.0});

  // Empty tensors.
  add("float_empty_0", kFloat, {0}, {});
  add("float_empty_2x0", kFloat, {2, 0}, {});
  add("long_empty_0x3", kLong, {0, 3}, {});
  add("float_empty_2x0x3", kFloat, {2, 0, 3}, {});

  // 1-d.
  add("float_1d_ints", kFloat, {5}, {1, 2, 3, 4, 5});
  add("long_1d_mixed_sign", kLong, {6}, {-3, 10, 200, 0, 7, -15});
  add("int_1d", kInt, {4}, {1, -20, 300, 4});
  add("bool_1d", kBool, {4}, {1, 0, 1, 1});
  add("float_1d_tenths", kFloat, {3}, {0.1, 0.2, 0.3});
  add("double_1d_tenths", kDouble, {3}, {0.1, 0.2, 0.3});
  add("float_1d_negative_fractions", kFloat, {3}, {-1.5, 2.25, -0.125});
  add("double_1d_third", kDouble, {2}, {1.0 / 3.0, -2.0 / 3.0});
  add("float_1d_below_one", kFloat, {2}, {0.5, 0.25});
  add("float_1d_two_digit", kFloat, {3}, {0.01, 12.5, -3.75});
  add("double_1d_four_digit", kDouble, {3}, {1234.5, 5678.25, 9999.5});

  // Scale factor lines.
  add("float_1d_scale_1e-05", kFloat, {3}, {1e-5, 2e-5, 3.5e-5});
  add("float_1d_scale_0.01", kFloat, {2}, {0.05, 0.02});
  add("double_1d_scale_1e+05", kDouble, {2}, {123456.7, 234567.8});
  add("double_1d_scale_1e+07", kDouble, {2}, {12345678.5, 23456789.25});
  add("double_1d_scale_1e+10", kDouble, {2}, {1.5e10 + 0.5, 2.5e10 + 0.5});
  add("double_1d_scale_1e-10", kDouble, {2}, {1.5e-10, 2.5e-10});
  add("double_1d_scale_1e+06", kDouble, {3}, {1234567.5, 2345678.25, -3456789.125});
  add("float_2x3_scale_small", kFloat, {2, 3}, {1e-4, 2.5e-4, -3e-4, 4e-4, 5.5e-4, 6e-4});
  add("double_3x2_scale_large", kDouble, {3, 2}, {123456.5, 2.5e5, 3.25e5, -4e5, 5e5, 6.125e5});

  // Scientific notation.
  add("double_1d_sci_range", kDouble, {3}, {1e-10, 1.0, 1e10 + 0.5});
  add("double_1d_sci_three_digit_exp", kDouble, {2}, {1e-120, 1.5});
  add("double_1d_mixed_mag", kDouble, {2}, {0.001, 1000.5});
  add("float_2x2_sci", kFloat, {2, 2}, {1e-6, 1.5, -2.5e3, 4e2});
  add("double_1d_int_sci", kDouble, {3}, {1e10, 2e10, 3});
  add("long_1d_large", kLong, {2}, {9007199254740992.0, 1});
  add("int_1d_extremes", kInt, {2}, {-2147483647, 5});
  add("long_1d_seven_digits", kLong, {2}, {1234567, 1});
  add("int_1d_int_min", kInt, {2}, {1, -2147483648.0});

  // Non-finite values and signed zeros.
  add("float_1d_nan_inf", kFloat, {4}, {nan, inf, -inf, 1.5});
  add("float_1d_all_nonfinite", kFloat, {2}, {nan, inf});
  add("double_1d_int_with_nan", kDouble, {3}, {1, nan, 3});
  add("float_1d_negative_nan", kFloat, {2}, {-nan, 2.5});
  add("float_1d_neg_zero_frac", kFloat, {2}, {-0.0, 1.5});
  add("float_1d_neg_zero_int", kFloat, {2}, {-0.0, 1});
  add("float_2x2_zeros", kFloat, {2, 2}, {0, 0, 0, 0});
  add("float_2x2_nan_scale", kFloat, {2, 2}, {nan, 1e-4, 2e-4, -inf});

  // Quirk of libtorch's max search: only positive values can raise it.
  add("float_1d_negative_dominates", kFloat, {2}, {1.5, -100.25});
  add("long_1d_negative_dominates", kLong, {3}, {5, -12345, 7});

  // 2-d.
  add("float_5x5_normal", kFloat, {5, 5}, normals(1, 25));
  add("double_4x3_uniform", kDouble, {4, 3}, uniforms(2, 12, 0, 100));
  add("long_3x3", kLong, {3, 3}, {1, -2, 3, 40, 50, -600, 7, 8, 9});
  add("int_2x4", kInt, {2, 4}, {0, 1, 2, 3, -4, 5, 6, 7});
  add("bool_2x3", kBool, {2, 3}, {1, 0, 0, 1, 1, 0});

  // Wide rows: "Columns a to b" chunks.
  add("float_1x20_normal", kFloat, {1, 20}, normals(3, 20));
  add("float_3x25_scale_chunks", kFloat, {3, 25}, normals(4, 75, 1e-3));
  add("long_2x40", kLong, {2, 40}, seq(0, 7, 80));
  add("int_1x100", kInt, {1, 100}, seq(0, 1, 100));
  add("double_2x12_sci_chunks", kDouble, {2, 12}, uniforms(5, 24, -1e6, 1e6));
  add("double_2x12_sci_chunks_2", kDouble, {2, 12}, normals(6, 24, 1e3));

  // 3-d and higher.
  add("float_2x3x4_normal", kFloat, {2, 3, 4}, normals(7, 24), -1);
  add("long_2x2x2", kLong, {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  add("float_2x1x2_precision_leak", kFloat, {2, 1, 2}, {0.5, 1.5, 1234567, 2});
  add("float_2x1x2_int_then_fraction", kFloat, {2, 1, 2}, {1234567, 2, 0.5, 1.5});
  add("double_3x1x2_sci_then_int", kDouble, {3, 1, 2}, {1e-8, 5.5, 1234567, 3, -0.25, 7.5});
  add("float_2x2x30_chunks_n12", kFloat, {2, 2, 30}, normals(13, 120), 12);
  add("long_empty_0x2x2x2", kLong, {0, 2, 2, 2}, {});
  add("float_2x2x3_scale", kFloat, {2, 2, 3}, normals(8, 12, 1e-4), -1);
  add("float_2x3x2x2", kFloat, {2, 3, 2, 2}, seq(0.5, 1, 24), -1);
  add("bool_2x2x2", kBool, {2, 2, 2}, {1, 0, 0, 1, 1, 1, 0, 0});
  add("float_2x1x2x30_chunks", kFloat, {2, 1, 2, 30}, normals(9, 120), -1);
  add("int_2x1x1x1x2", kInt, {2, 1, 1, 1, 2}, {1, 2, 3, 4});
  add("double_1x2x2_default_n", kDouble, {1, 2, 2}, {1.25, -2.5, 3.75, 1e-3});

  // R torch truncation.
  add("float_1d_100_n30", kFloat, {100}, normals(10, 100));
  add("float_20x3_n10", kFloat, {20, 3}, normals(11, 60), 10);
  add("long_1d_40_no_limit", kLong, {40}, seq(1, 1, 40), -1);
  add("long_1d_40_n1", kLong, {40}, seq(1, 1, 40), 1);
  add("long_1d_35_n2", kLong, {35}, seq(1, 1, 35), 2);
  add("float_3x4x3_n30", kFloat, {3, 4, 3}, normals(12, 36));
  // 30 values + type line = 31 lines > n = 30: truncated (nothing dropped
  // but the notice still appears); 29 values give exactly 30 lines.
  add("long_1d_30_default_n", kLong, {30}, seq(1, 1, 30));
  add("long_1d_29_default_n", kLong, {29}, seq(1, 1, 29));
}

}  // namespace

int main() {
  define_cases();
  for (const auto& c : g_cases) {
    auto src = at::tensor(at::ArrayRef<double>(c.values), at::kDouble);
    at::Tensor t = src.reshape(c.shape).to(c.dtype);

    std::ostringstream ss;
    ss << t;
    // Also echo libtorch's own output to stderr for eyeballing.
    std::cerr << "== " << c.name << "\n" << t << "\n";

    auto back = t.to(at::kDouble).contiguous();
    const double* p = back.data_ptr<double>();

    std::cout << "#case " << c.name << "\n";
    std::cout << "#type " << type_label(c.dtype) << "\n";
    std::cout << "#shape";
    for (auto d : c.shape) std::cout << " " << d;
    std::cout << "\n#n " << c.n << "\n#values";
    for (int64_t i = 0; i < back.numel(); i++) std::cout << " " << value_token(p[i]);
    std::cout << "\n";
    for (const auto& line : r_torch_lines(ss.str(), c.n)) std::cout << line << "\n";
    std::cout << "#end\n";
  }
  return 0;
}
