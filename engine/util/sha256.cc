// SHA-256 (FIPS 180-4): a portable block function and one for the x86 SHA extensions, chosen
// once at run time from CPUID.
#include "util/sha256.h"

#include <atomic>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define RUNBOOK_SHA_X86 1
#endif

namespace runbook::util {

namespace {

constexpr std::uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::array<std::uint32_t, 8> kInit = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

inline std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void portable_blocks(std::uint32_t* h, const unsigned char* p, std::size_t count) {
  for (; count > 0; --count, p += 64) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = (std::uint32_t{p[4 * i]} << 24) | (std::uint32_t{p[4 * i + 1]} << 16) |
             (std::uint32_t{p[4 * i + 2]} << 8) | std::uint32_t{p[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; ++i) {
      std::uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[i] + w[i];
      std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
  }
}

#ifdef RUNBOOK_SHA_X86

bool cpu_has_sha() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = b & (1u << 29);
  return ssse3 && sse41 && sha;
}

// The state lives in two registers as the instructions want it: ABEF and CDGH. Each group of four
// rounds adds the round constants to four message words and runs two sha256rnds2 (two rounds each);
// the message schedule for later groups is built alongside with sha256msg1/msg2.
__attribute__((target("sha,sse4.1,ssse3"))) void sha_ni_blocks(std::uint32_t* h, const unsigned char* p,
                                                                std::size_t count) {
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

  for (; count > 0; --count, p += 64) {
    const __m128i abef_in = abef, cdgh_in = cdgh;
    __m128i w[4];
    for (int i = 0; i < 4; ++i)
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), swap);

#define RUNBOOK_SHA_GROUP(g)                                                                      \
  do {                                                                                            \
    __m128i m = _mm_add_epi32(w[(g) & 3], _mm_loadu_si128(reinterpret_cast<const __m128i*>(kK + 4 * (g)))); \
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);                                                  \
    if ((g) >= 3 && (g) <= 14) {                                                                  \
      __m128i t = _mm_alignr_epi8(w[(g) & 3], w[((g) + 3) & 3], 4);                                \
      w[((g) + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(w[((g) + 1) & 3], t), w[(g) & 3]);    \
    }                                                                                             \
    m = _mm_shuffle_epi32(m, 0x0E);                                                               \
    abef = _mm_sha256rnds2_epu32(abef, cdgh, m);                                                  \
    if ((g) >= 1 && (g) <= 12) w[((g) + 3) & 3] = _mm_sha256msg1_epu32(w[((g) + 3) & 3], w[(g) & 3]); \
  } while (0)

    RUNBOOK_SHA_GROUP(0);
    RUNBOOK_SHA_GROUP(1);
    RUNBOOK_SHA_GROUP(2);
    RUNBOOK_SHA_GROUP(3);
    RUNBOOK_SHA_GROUP(4);
    RUNBOOK_SHA_GROUP(5);
    RUNBOOK_SHA_GROUP(6);
    RUNBOOK_SHA_GROUP(7);
    RUNBOOK_SHA_GROUP(8);
    RUNBOOK_SHA_GROUP(9);
    RUNBOOK_SHA_GROUP(10);
    RUNBOOK_SHA_GROUP(11);
    RUNBOOK_SHA_GROUP(12);
    RUNBOOK_SHA_GROUP(13);
    RUNBOOK_SHA_GROUP(14);
    RUNBOOK_SHA_GROUP(15);
#undef RUNBOOK_SHA_GROUP

    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
  }

  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

const bool kHaveSha = cpu_has_sha();
#else
const bool kHaveSha = false;
#endif

std::atomic<bool> g_force_portable{false};

}  // namespace

Sha256Stream::Sha256Stream() : state_(kInit) {}

void Sha256Stream::reset() {
  state_ = kInit;
  buffered_ = 0;
  total_ = 0;
}

bool Sha256Stream::hardware() { return kHaveSha && !g_force_portable.load(std::memory_order_relaxed); }

bool Sha256Stream::force_portable(bool on) { return g_force_portable.exchange(on); }

void Sha256Stream::blocks(const unsigned char* data, std::size_t count) {
  if (count == 0) return;
#ifdef RUNBOOK_SHA_X86
  if (hardware()) {
    sha_ni_blocks(state_.data(), data, count);
    return;
  }
#endif
  portable_blocks(state_.data(), data, count);
}

void Sha256Stream::update(std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  total_ += n;
  if (buffered_ > 0) {
    std::size_t take = std::min(n, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, p, take);
    buffered_ += take, p += take, n -= take;
    if (buffered_ < buffer_.size()) return;
    blocks(buffer_.data(), 1);
    buffered_ = 0;
  }
  std::size_t full = n / 64;
  blocks(p, full);
  p += full * 64, n -= full * 64;
  std::memcpy(buffer_.data(), p, n);
  buffered_ = n;
}

void Sha256Stream::finish() {
  const std::uint64_t bits = total_ * 8;
  unsigned char tail[128] = {};
  std::memcpy(tail, buffer_.data(), buffered_);
  tail[buffered_] = 0x80;
  const std::size_t len = buffered_ + 9 <= 64 ? 64 : 128;
  for (int i = 0; i < 8; ++i) tail[len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  blocks(tail, len / 64);
}

std::string Sha256Stream::finish_hex() {
  finish();
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (std::uint32_t word : state_)
    for (int shift = 28; shift >= 0; shift -= 4) out += hex[(word >> shift) & 15];
  reset();
  return out;
}

std::string Sha256Stream::finish_bytes() {
  finish();
  std::string out;
  out.reserve(32);
  for (std::uint32_t word : state_)
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((word >> shift) & 0xff);
  reset();
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256Stream h;
  h.update(data);
  return h.finish_hex();
}

std::string sha256_bytes(std::string_view data) {
  Sha256Stream h;
  h.update(data);
  return h.finish_bytes();
}

}  // namespace runbook::util
