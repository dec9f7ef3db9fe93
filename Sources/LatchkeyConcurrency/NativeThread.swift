import CLatchkeyThreads

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A detached POSIX thread, for the few long-lived loops (acceptor, listener, logger, timers):
/// Foundation's `Thread` would pull all of Foundation, and ICU with it, into the binary.
public enum NativeThread {
  /// Starts `body` on a new detached thread named `name` (cut to the 15 bytes the kernel keeps,
  /// which ps, top and gdb show). `stackSize` nil keeps the system default (RLIMIT_STACK).
  /// Failing to start a thread is a resource exhaustion the server cannot run without, so it traps.
  public static func start(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(NativeThreadContext(name: name, body: body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    if let stackSize {
      pthread_attr_setstacksize(&attributes, max(stackSize, Int(PTHREAD_STACK_MIN)))
    }
    #if canImport(Glibc)
      var thread = pthread_t()
    #else
      var thread: pthread_t?
    #endif
    let result = pthread_create(&thread, &attributes, nativeThreadEntry, context)
    if result != 0 {
      Unmanaged<NativeThreadContext>.fromOpaque(context).release()
      fatalError("cannot start thread \(name): error \(result)")
    }
  }
}

private final class NativeThreadContext {
  let name: String
  let body: @Sendable () -> Void

  init(name: String, body: @escaping @Sendable () -> Void) {
    self.name = name
    self.body = body
  }
}

private func nativeThreadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
  guard let raw else { return nil }
  let context = Unmanaged<NativeThreadContext>.fromOpaque(raw).takeRetainedValue()
  // Cut on a UTF-8 boundary the kernel would otherwise refuse (ERANGE past 15 bytes).
  var name = Array(context.name.utf8.prefix(15))
  while !name.isEmpty, String(validating: name, as: UTF8.self) == nil { name.removeLast() }
  name.append(0)
  name.withUnsafeBufferPointer { bytes in
    bytes.withMemoryRebound(to: CChar.self) { _ = latchkey_name_current_thread($0.baseAddress!) }
  }
  context.body()
  return nil
}
