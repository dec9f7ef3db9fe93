import CLibCrypto

public enum ConstantTime {
  /// Compares contents without data-dependent timing. Lengths are treated as public: different
  /// lengths return false at once.
  public static func equals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
  where A.Element == UInt8, B.Element == UInt8 {
    a.withContiguousBytes { left in
      b.withContiguousBytes { right in
        guard left.count == right.count else { return false }
        if left.isEmpty { return true }
        return CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
      }
    }
  }
}
