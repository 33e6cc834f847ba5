import CKernels
import GGUF

/// The engine's only door to the C kernels (`CKernels`, `augur_kernels.h`): every quantized dot product,
/// activation quantization and f16 conversion goes through here, so the forward pass never names a C symbol
/// and faster kernels (issue 5) slot in behind the same calls.
enum Kernels {
    /// The ggml type activations are quantized to before being dotted with `weightType` rows (Q8_0, Q8_1,
    /// Q8_K, F16 or F32, as ggml's `vec_dot_type`).
    @inline(__always)
    static func activationType(for weightType: GGMLType) -> Int32 {
        Int32(augur_vec_dot_type(Int32(weightType.rawValue)))
    }

    /// Bytes of one row of `n` elements of ggml type `type`.
    @inline(__always)
    static func rowBytes(type: Int32, count n: Int) -> Int {
        Int(augur_row_bytes(type, Int64(n)))
    }

    /// Quantizes one activation row of `n` floats the way ggml does for dots with `weightType` rows.
    @inline(__always)
    static func quantizeActivation(weightType: GGMLType, _ x: UnsafePointer<Float>,
                                   into xq: UnsafeMutableRawPointer, count n: Int) {
        augur_quantize_activation(Int32(weightType.rawValue), x, xq, Int64(n))
    }

    /// `out[t * ldo + r] = W[r] · xq[t]` for rows `r0..<r1` and tokens `0..<tokenCount`. A row's result does
    /// not depend on `tokenCount` or the row range (batch invariance).
    @inline(__always)
    static func matmul(_ w: WeightMatrix, rows: Range<Int>, xq: UnsafeRawPointer, xqStride: Int,
                       tokenCount: Int, out: UnsafeMutablePointer<Float>, ldo: Int) {
        augur_matmul(w.kernelType, w.data, w.rowBytes, Int64(rows.lowerBound), Int64(rows.upperBound),
                     Int64(w.columns), xq, xqStride, Int32(tokenCount), out, Int64(ldo))
    }

    /// Dequantizes row `r` of `w` to floats.
    @inline(__always)
    static func dequantizeRow(_ w: WeightMatrix, row r: Int, into y: UnsafeMutablePointer<Float>) {
        precondition(w.kernelType == Int32(w.type.rawValue), "\(w.name) is repacked: its rows are interleaved")
        augur_dequantize_row(Int32(w.type.rawValue), w.row(r), y, Int64(w.columns))
    }

    /// `Σ a[i]·b[i]` for an f16 row and an f32 row, accumulated in f32.
    @inline(__always)
    static func dot(f16 a: UnsafePointer<UInt16>, f32 b: UnsafePointer<Float>, count n: Int) -> Float {
        augur_dot_f16_f32(a, b, Int64(n))
    }

    /// `y[i] += alpha · x[i]` for an f16 row `x`.
    @inline(__always)
    static func axpy(_ alpha: Float, f16 x: UnsafePointer<UInt16>, into y: UnsafeMutablePointer<Float>, count n: Int) {
        augur_axpy_f16_f32(alpha, x, y, Int64(n))
    }

    /// Converts `n` floats to f16 bit patterns (round to nearest even).
    @inline(__always)
    static func toF16(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<UInt16>, count n: Int) {
        augur_f32_to_f16_row(x, y, Int64(n))
    }

    /// Positions per block of the cached keys (`KVCache.keyBase`).
    static let keyBlock = Int(AUGUR_KEY_BLOCK)

    /// Writes the key row `k` (`headDim` floats, rounded to f16) as `position` of the blocked key region `keys`.
    @inline(__always)
    static func storeKey(_ k: UnsafePointer<Float>, into keys: UnsafeMutablePointer<UInt16>, position: Int, headDim: Int) {
        augur_store_key_f16(k, keys, Int64(position), Int64(headDim))
    }
}

extension Model {
    /// The kernel level in use ("scalar", "avx2", "avx512", "avx512vnni").
    public static var isaName: String { String(cString: augur_isa_name(augur_isa_active())) }
}
