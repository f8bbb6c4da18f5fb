package no.maskinporten

import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.ReentrantLock
import java.util.function.LongSupplier
import kotlin.concurrent.withLock

/**
 * The executors' way of waiting for another caller's fetch: the flow's generation as last
 * reported, behind a lock and a condition. Every `handle*`/`cancel`/`reject` reports the new
 * generation here ([advance]); a caller told to wait ([await]) sleeps until it differs from the
 * one its `Wait` step saw, or until the step's deadline.
 */
internal class Generation(initial: ULong) {
    private val lock = ReentrantLock()
    private val changed = lock.newCondition()
    private var current = initial

    /** Records [generation] and wakes the waiters when it moved. */
    fun advance(generation: ULong) {
        lock.withLock {
            if (generation > current) {
                current = generation
                changed.signalAll()
            }
        }
    }

    /**
     * Waits while the generation is still [seen], at most until [untilMs] on [clock] (measured
     * once, then on the monotonic clock, so a fake clock in tests cannot stall it).
     */
    @Throws(InterruptedException::class)
    fun await(seen: ULong, untilMs: Long, clock: LongSupplier) {
        var left = TimeUnit.MILLISECONDS.toNanos((untilMs - clock.asLong).coerceAtLeast(0))
        lock.withLock {
            while (current <= seen && left > 0) {
                left = changed.awaitNanos(left)
            }
        }
    }
}
