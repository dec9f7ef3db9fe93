/// The bookkeeping behind `Argon2Memory`, apart from the system calls so it can be tested alone: which
/// buffer a starting hash reuses and which buffers go back to the kernel.
///
/// A finished buffer is kept only while another hash is still running, and the last hash to finish
/// releases everything. Every buffer therefore belongs to a hash that ran at the same time as the others,
/// so no more are ever mapped than hashes ran at once, and none once the hashing is over.
struct Argon2SpareBuffers: Sendable {
  struct Buffer: Sendable, Equatable {
    var address: UInt
    var byteCount: Int
  }

  private(set) var running = 0
  private(set) var spare: [Buffer] = []

  /// A hash starts: the spare buffer of that size to reuse (nil: map a new one), and the buffers to
  /// unmap first. Spares of another size (a stored hash with other costs) go, so the count bound holds.
  mutating func begin(byteCount: Int) -> (reuse: Buffer?, unmap: [Buffer]) {
    running += 1
    if let index = spare.firstIndex(where: { $0.byteCount == byteCount }) {
      return (spare.remove(at: index), [])
    }
    defer { spare.removeAll() }
    return (nil, spare)
  }

  /// The buffer for a hash that `begin` let start could not be mapped: that hash never runs.
  mutating func abandon() {
    running -= 1
  }

  /// A hash finished with `buffer` (already wiped): the buffers to unmap now.
  mutating func end(_ buffer: Buffer) -> [Buffer] {
    running -= 1
    guard running == 0 else {
      spare.append(buffer)
      return []
    }
    defer { spare.removeAll() }
    return spare + [buffer]
  }
}
