package no.maskinporten

/**
 * Receives the core's flow events (`fetch_started`, `retry_scheduled`, `refused`,
 * `refresh_ahead_failed`, `token_rejected`, `jwks_refreshed`, `jwks_failed`, ...): [FlowEvent.name],
 * [FlowEvent.level], a human [FlowEvent.message] and every field as [FlowEvent.json]. No event
 * holds a token, a grant or a key. Called on the thread that drove the flow, after the call.
 *
 * The default, [systemLogger], writes them to the JDK's `System.Logger` named `maskinporten`
 * (java.util.logging unless SLF4J's or Log4j's `System.Logger` bridge is on the classpath).
 */
fun interface FlowEventListener {
    /** One event; exceptions thrown here are ignored. */
    fun onEvent(event: FlowEvent)

    companion object {
        /** Events to `System.getLogger("maskinporten")`, at the event's level. */
        @JvmStatic
        fun systemLogger(): FlowEventListener {
            val logger = System.getLogger("maskinporten")
            return FlowEventListener { event ->
                val level = when (event.level) {
                    EventLevel.DEBUG -> System.Logger.Level.DEBUG
                    EventLevel.INFO -> System.Logger.Level.INFO
                    EventLevel.WARN -> System.Logger.Level.WARNING
                    EventLevel.ERROR -> System.Logger.Level.ERROR
                }
                if (logger.isLoggable(level)) logger.log(level, event.message)
            }
        }

        /** Drops every event. */
        @JvmField
        val NONE: FlowEventListener = FlowEventListener { }
    }
}

internal fun FlowEventListener.deliver(events: List<FlowEvent>) {
    for (event in events) {
        try {
            onEvent(event)
        } catch (_: RuntimeException) {
            // A failing listener must not fail the token or validation it reports on.
        }
    }
}
