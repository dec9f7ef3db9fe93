import CArgon2
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The allocator libargon2 uses for its block matrix (19 MiB per hash at our costs): pages straight from
/// the kernel, returned to it once no hash is running.
///
/// With libargon2's default `malloc`, glibc serves the first such buffer with mmap, but freeing it raises
/// the process-wide mmap threshold to 19 MiB (its dynamic threshold), so every later buffer comes from
/// the hashing thread's malloc arena, whose top is only trimmed beyond twice that threshold. Each
/// hashing thread then keeps 19 MiB for good, and fragmentation from the small allocations made between
/// hashes grows an arena to 38 MiB and beyond: a server idling at 30 MiB sat at 109 MiB after a login
/// flood. Mapping the buffer ourselves keeps it out of malloc entirely.
///
/// Fresh pages cost the kernel a fault and a zeroing per page: with 4 KiB pages a hash took ~50% longer
/// than in a reused heap buffer. So the pages are asked to be transparent huge pages, and during a flood
/// buffers pass from one hash to the next (`Argon2SpareBuffers`) instead of being unmapped each time.
enum Argon2Memory {
  private static let hugePageBytes = 2 << 20
  private static let buffers = Mutex(Argon2SpareBuffers())

  static let allocate: allocate_fptr = { memory, byteCount in
    guard let memory else { return ARGON2_MEMORY_ALLOCATION_ERROR.rawValue }
    memory.pointee = nil
    guard byteCount > 0 else { return ARGON2_MEMORY_ALLOCATION_ERROR.rawValue }
    let (reuse, stale) = buffers.withLock { $0.begin(byteCount: byteCount) }
    unmap(stale)
    if let reuse {
      memory.pointee = UnsafeMutablePointer(bitPattern: reuse.address)
      return ARGON2_OK.rawValue
    }
    guard let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      mapped != MAP_FAILED
    else {
      buffers.withLock { $0.abandon() }
      return ARGON2_MEMORY_ALLOCATION_ERROR.rawValue
    }
    #if os(Linux)
      // Advice only: where THP is off or unavailable the buffer simply uses small pages.
      if byteCount >= hugePageBytes { _ = madvise(mapped, byteCount, MADV_HUGEPAGE) }
    #endif
    memory.pointee = mapped.assumingMemoryBound(to: UInt8.self)
    return ARGON2_OK.rawValue
  }

  /// libargon2 has already wiped the buffer (its default `clear_internal_memory`) when this runs.
  static let release: deallocate_fptr = { memory, byteCount in
    guard let memory else { return }
    let buffer = Argon2SpareBuffers.Buffer(address: UInt(bitPattern: memory), byteCount: byteCount)
    unmap(buffers.withLock { $0.end(buffer) })
  }

  private static func unmap(_ unused: [Argon2SpareBuffers.Buffer]) {
    for buffer in unused {
      munmap(UnsafeMutableRawPointer(bitPattern: buffer.address), buffer.byteCount)
    }
  }
}
