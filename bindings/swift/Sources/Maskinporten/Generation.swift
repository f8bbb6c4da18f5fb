import Foundation

/// The executors' way of waiting for another caller's fetch: the flow's generation as last
/// reported (`advance`, after every `handle*`, `cancel` and `reject`), and the callers told to
/// wait until it moves past the one their `wait` step saw, or until the step's deadline.
final class Generation: @unchecked Sendable {
    private let lock = NSLock()
    private var current: UInt64
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    private var early: Set<UUID> = []

    init(_ generation: UInt64) {
        current = generation
    }

    /// Records `generation` and wakes the waiters when it moved.
    func advance(_ generation: UInt64) {
        lock.lock()
        guard generation > current else {
            lock.unlock()
            return
        }
        current = generation
        let ready = Array(waiters.values)
        waiters.removeAll()
        lock.unlock()
        for waiter in ready { waiter.resume() }
    }

    /// Waits while the generation is still `seen`, at most `milliseconds`; a cancelled task
    /// stops waiting at once.
    func wait(seen: UInt64, milliseconds: Int64) async {
        guard milliseconds > 0 else { return }
        let id = UUID()
        let timer = Task { [weak self] in
            do { try await Task.sleep(nanoseconds: UInt64(milliseconds) * 1_000_000) } catch { return }
            self?.wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.lock()
                if current > seen || early.remove(id) != nil || Task.isCancelled {
                    lock.unlock()
                    continuation.resume()
                    return
                }
                waiters[id] = continuation
                lock.unlock()
            }
        } onCancel: {
            self.wake(id)
        }
        timer.cancel()
        forget(id)
    }

    private func forget(_ id: UUID) {
        lock.lock()
        early.remove(id)
        lock.unlock()
    }

    private func wake(_ id: UUID) {
        lock.lock()
        let waiter = waiters.removeValue(forKey: id)
        if waiter == nil { early.insert(id) }
        lock.unlock()
        waiter?.resume()
    }
}
