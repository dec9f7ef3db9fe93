/// Parameters laid out for PQexecPrepared: one buffer holding every value, text values
/// NUL-terminated, `bytes` raw with an explicit length and the binary format flag.
struct EncodedParameters {
  private var storage: [UInt8] = []
  private var offsets: [Int?] = []
  private var lengths: [Int32] = []
  private var formats: [Int32] = []
  private var hasBinary = false

  init(_ params: [PostgresBind]) throws(PostgresError) {
    // Reserved up front: growing four arrays one append at a time cost a
    // reallocation each time a count passed 1, 2 and 4.
    offsets.reserveCapacity(params.count)
    lengths.reserveCapacity(params.count)
    formats.reserveCapacity(params.count)
    storage.reserveCapacity(params.count * 24 + 1)
    for (position, param) in params.enumerated() {
      switch param {
      case .null:
        offsets.append(nil)
        lengths.append(0)
        formats.append(0)
      case .bytes(let bytes):
        offsets.append(storage.count)
        storage.append(contentsOf: bytes)
        lengths.append(Int32(bytes.count))
        formats.append(1)
        hasBinary = true
      default:
        let text = param.textValue ?? ""
        // A text parameter ends at its first NUL; cut short it would store different data.
        // PostgreSQL rejects NUL in text with 22021 itself, so report the same.
        if text.utf8.withContiguousStorageIfAvailable({ $0.contains(0) }) ?? text.utf8.contains(0) {
          throw PostgresError(
            kind: .query, sqlState: "22021", serverMessage: "parameter \(position + 1) contains NUL")
        }
        offsets.append(storage.count)
        storage.append(contentsOf: text.utf8)
        storage.append(0)
        lengths.append(0)
        formats.append(0)
      }
    }
    // libpq reads a nil value pointer as SQL NULL, so an empty `bytes` must point somewhere.
    storage.append(0)
  }

  func withPointers<R>(
    _ body: (
      UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?
    ) -> R
  ) -> R {
    storage.withUnsafeBufferPointer { buffer in
      let base = UnsafeRawPointer(buffer.baseAddress!)
      let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
        offset.map { (base + $0).assumingMemoryBound(to: CChar.self) }
      }
      return pointers.withUnsafeBufferPointer { values in
        lengths.withUnsafeBufferPointer { lengths in
          formats.withUnsafeBufferPointer { formats in
            body(
              values.baseAddress, hasBinary ? lengths.baseAddress : nil, hasBinary ? formats.baseAddress : nil
            )
          }
        }
      }
    }
  }
}
