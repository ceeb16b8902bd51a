/* Runtime functions that code lowered by upstream MLIR calls but that the torch-mlir wheel does
 * not ship (it has no libmlir_c_runner_utils). Linked into every shared library the upstream
 * engine builds, so the library is self-contained. */

#include <stdint.h>
#include <string.h>

/* An unranked memref as MLIR passes it: the rank and a pointer to a ranked descriptor
 * { void *allocated; void *aligned; int64_t offset; int64_t sizes[rank]; int64_t strides[rank]; } */
typedef struct {
  int64_t rank;
  void *descriptor;
} UnrankedMemRef;

typedef struct {
  void *allocated;
  char *aligned;
  int64_t offset;
  int64_t shape_and_strides[];
} RankedMemRef;

/* memref.copy between any two strided memrefs of the same shape and element size. */
void memrefCopy(int64_t element_size, UnrankedMemRef *source, UnrankedMemRef *target) {
  int64_t rank = source->rank;
  RankedMemRef *src = (RankedMemRef *)source->descriptor;
  RankedMemRef *dst = (RankedMemRef *)target->descriptor;
  const int64_t *sizes = src->shape_and_strides;
  const int64_t *src_strides = src->shape_and_strides + rank;
  const int64_t *dst_strides = dst->shape_and_strides + rank;
  char *src_base = src->aligned + src->offset * element_size;
  char *dst_base = dst->aligned + dst->offset * element_size;

  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes[d] == 0) return;
    count *= sizes[d];
  }
  /* Contiguous row-major on both sides: one memcpy. */
  int contiguous = 1;
  int64_t expected = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (sizes[d] != 1 && (src_strides[d] != expected || dst_strides[d] != expected)) contiguous = 0;
    expected *= sizes[d];
  }
  if (contiguous) {
    memmove(dst_base, src_base, (size_t)(count * element_size));
    return;
  }
  /* General case: walk the index space like an odometer. */
  int64_t index[rank > 0 ? rank : 1];
  memset(index, 0, sizeof(index));
  int64_t src_offset = 0, dst_offset = 0;
  for (int64_t n = 0; n < count; ++n) {
    memcpy(dst_base + dst_offset * element_size, src_base + src_offset * element_size,
           (size_t)element_size);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < sizes[d]) {
        src_offset += src_strides[d];
        dst_offset += dst_strides[d];
        break;
      }
      src_offset -= (sizes[d] - 1) * src_strides[d];
      dst_offset -= (sizes[d] - 1) * dst_strides[d];
      index[d] = 0;
    }
  }
}
