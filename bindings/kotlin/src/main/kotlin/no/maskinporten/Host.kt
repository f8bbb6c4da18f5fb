package no.maskinporten

import java.util.concurrent.ThreadLocalRandom
import java.util.function.DoubleSupplier
import java.util.function.LongSupplier

/**
 * Waits, for the token flow's back-off. The default is [Thread.sleep]; tests pass one that moves
 * a fake clock.
 */
fun interface Sleeper {
    /** Sleeps [millis] milliseconds (more than 0). */
    @Throws(InterruptedException::class)
    fun sleep(millis: Long)
}

/** The executors' defaults for the host hooks they take (clock, sleep, jitter). */
object HostDefaults {
    /** Unix milliseconds from the system clock. */
    @JvmField
    val CLOCK: LongSupplier = LongSupplier { System.currentTimeMillis() }

    /** [Thread.sleep]. */
    @JvmField
    val SLEEPER: Sleeper = Sleeper { Thread.sleep(it) }

    /** A uniform random number in [0, 1), placing each back-off (the core's equal jitter). */
    @JvmField
    val JITTER: DoubleSupplier = DoubleSupplier { ThreadLocalRandom.current().nextDouble() }
}
