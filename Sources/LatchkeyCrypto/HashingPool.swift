import LatchkeyConcurrency

// The argon2 pool is the shared bounded pool. These names keep existing
// callers compiling; new code should say `BoundedThreadPool` and catch
// `BoundedThreadPoolError.queueFull` (deprecated names, to be removed once
// the callers have moved).

/// Deprecated name: use `BoundedThreadPool`.
public typealias HashingPool = BoundedThreadPool
/// Deprecated name: use `BoundedThreadPoolError` (its one case is `queueFull`).
public typealias HashingPoolError = BoundedThreadPoolError
