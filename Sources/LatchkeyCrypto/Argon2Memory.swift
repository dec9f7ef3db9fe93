import CArgon2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The allocator libargon2 uses for its block matrix (19 MiB per hash at our costs): pages straight from
/// the kernel, returned to it when the hash ends.
///
/// With libargon2's default `malloc`, glibc serves the first such buffer with mmap, but freeing it raises
/// the process-wide mmap threshold to 19 MiB (its dynamic threshold), so every later buffer comes from
/// the hashing thread's malloc arena, whose top is only trimmed beyond twice that threshold. Each
/// hashing thread then keeps 19 MiB for good, and fragmentation from the small allocations made between
/// hashes grows an arena to 38 MiB and beyond: a server idling at 30 MiB sat at 109 MiB after a login
/// flood. Mapping the buffer ourselves keeps it out of malloc entirely.
///
/// The pages are asked to be transparent huge pages: faulting 19 MiB in 4 KiB pages for every hash
/// made a hash about 50% slower than reusing a warm heap buffer, 2 MiB pages bring that to a few percent.
enum Argon2Memory {
  private static let hugePageBytes = 2 << 20

  static let allocate: allocate_fptr = { memory, byteCount in
    guard let memory else { return ARGON2_MEMORY_ALLOCATION_ERROR.rawValue }
    memory.pointee = nil
    guard byteCount > 0,
      let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      mapped != MAP_FAILED
    else { return ARGON2_MEMORY_ALLOCATION_ERROR.rawValue }
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
    munmap(memory, byteCount)
  }
}
