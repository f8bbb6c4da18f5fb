package no.maskinporten

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The core's `GrantOptions::warnings()` reach the listener once per options, as `warn` events, never as errors. */
class OptionsWarningTest {
    @Test
    fun anUnusualExternalRefIsWarnedAboutOnce() {
        val body = """{"access_token":"tok-a","token_type":"Bearer","expires_in":120}"""
        val transport = ScriptedTransport(listOf(ScriptedTransport.ok(body)))
        val client = Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), Environment.test())
        val events = mutableListOf<FlowEvent>()
        val provider = TokenProvider(client, transport = transport, listener = { events += it }, clock = FakeClock(1_767_225_600_000))
        val options = GrantOptions(
            scopes = listOf("test:scope.read"),
            authorizationDetails = listOf(AuthorizationDetail.systemUser("313000001", "order 42/b")),
        )
        assertEquals("tok-a", provider.token(options).accessToken(), "a warning is not an error")
        provider.token(options)
        val warnings = events.filter { it.name == "options_warning" }
        assertEquals(1, warnings.size, "once per options: $events")
        assertEquals(EventLevel.WARN, warnings[0].level)
        assertTrue("externalRef" in warnings[0].message && "MP-303" in warnings[0].message, warnings[0].message)
        val json = Vectors.mapper.readTree(warnings[0].json)
        assertEquals(warnings[0].message, json["message"].asText())
        // Plain options warn about nothing.
        assertTrue(GrantOptions(scopes = listOf("a:b")).let { TokenFlow(client, FlowOptions()).key(it).warnings() }.isEmpty())
    }
}
