/// A ggml tensor element type, as stored in a GGUF tensor info (`ggml_type` in llama.cpp's `ggml.h`).
///
/// Every type the current GGUF format can hold is listed, with its block geometry from ggml's
/// `type_traits` / `ggml-common.h`, even where Augur has no kernel for it yet: a model using one then gets
/// "unsupported tensor type X in tensor Y" from the engine rather than a parse error. Ids that ggml removed
/// (4, 5, 31–33, 36–38) are deliberately absent and read as unknown types.
public enum GGMLType: UInt32, Sendable, CaseIterable, Hashable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_XXS = 16
    case iq2_XS = 17
    case iq3_XXS = 18
    case iq1_S = 19
    case iq4_NL = 20
    case iq3_S = 21
    case iq2_S = 22
    case iq4_XS = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_M = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39
    case nvfp4 = 40

    /// The name llama.cpp's tools print ("F32", "Q4_K", "IQ2_XXS", …).
    public var name: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q8_1: "Q8_1"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        case .q8_K: "Q8_K"
        case .iq2_XXS: "IQ2_XXS"
        case .iq2_XS: "IQ2_XS"
        case .iq3_XXS: "IQ3_XXS"
        case .iq1_S: "IQ1_S"
        case .iq4_NL: "IQ4_NL"
        case .iq3_S: "IQ3_S"
        case .iq2_S: "IQ2_S"
        case .iq4_XS: "IQ4_XS"
        case .i8: "I8"
        case .i16: "I16"
        case .i32: "I32"
        case .i64: "I64"
        case .f64: "F64"
        case .iq1_M: "IQ1_M"
        case .bf16: "BF16"
        case .tq1_0: "TQ1_0"
        case .tq2_0: "TQ2_0"
        case .mxfp4: "MXFP4"
        case .nvfp4: "NVFP4"
        }
    }

    /// Elements per block (ggml's `blck_size`); a tensor row length must be a multiple of it.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_NL, .mxfp4: 32
        case .nvfp4: 64
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K,
             .iq2_XXS, .iq2_XS, .iq3_XXS, .iq1_S, .iq3_S, .iq2_S, .iq4_XS, .iq1_M,
             .tq1_0, .tq2_0: 256
        }
    }

    /// Bytes per block (ggml's `type_size`, the `sizeof` of the block struct in `ggml-common.h`).
    public var typeSize: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .f64, .i64: 8
        case .i8: 1
        case .i16: 2
        case .i32: 4
        case .q4_0: 18      // half d + 16 nibble bytes
        case .q4_1: 20      // half d, m + 16
        case .q5_0: 22      // half d + 4 high bits + 16
        case .q5_1: 24      // half d, m + 4 + 16
        case .q8_0: 34      // half d + 32
        case .q8_1: 36      // half d, s + 32
        case .q2_K: 84      // 16 scales + 64 quants + half d, dmin
        case .q3_K: 110     // 32 hmask + 64 quants + 12 scales + half d
        case .q4_K: 144     // half d, dmin + 12 scales + 128 quants
        case .q5_K: 176     // half d, dmin + 12 scales + 32 high bits + 128 quants
        case .q6_K: 210     // 128 low + 64 high + 16 scales + half d
        case .q8_K: 292     // float d + 256 quants + 16 int16 sums
        case .iq2_XXS: 66   // half d + 32 uint16
        case .iq2_XS: 74    // half d + 32 uint16 + 8 scales
        case .iq3_XXS: 98   // half d + 96
        case .iq1_S: 50     // half d + 32 + 8 uint16
        case .iq4_NL: 18    // half d + 16
        case .iq3_S: 110    // half d + 64 + 8 + 32 signs + 4 scales
        case .iq2_S: 82     // half d + 64 + 8 + 8
        case .iq4_XS: 136   // half d + uint16 scales_h + 4 scales_l + 128
        case .iq1_M: 56     // 32 + 16 + 8
        case .tq1_0: 54     // 48 + 4 + half d
        case .tq2_0: 66     // 64 + half d
        case .mxfp4: 17     // E8M0 exponent + 16
        case .nvfp4: 36     // 4 UE4M3 scales + 32
        }
    }

    /// Whether the type is a block-quantized format (anything but plain floats and integers).
    public var isQuantized: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: false
        default: true
        }
    }

    /// Names of ids that ggml once had and removed from GGUF files, for error messages.
    static func removedName(_ id: UInt32) -> String? {
        switch id {
        case 4: "Q4_2"
        case 5: "Q4_3"
        case 31: "Q4_0_4_4"
        case 32: "Q4_0_4_8"
        case 33: "Q4_0_8_8"
        case 36: "IQ4_NL_4_4"
        case 37: "IQ4_NL_4_8"
        case 38: "IQ4_NL_8_8"
        default: nil
        }
    }
}

extension GGMLType: CustomStringConvertible {
    public var description: String { name }
}
