package no.maskinporten

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.node.ObjectNode
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/**
 * tests/vectors/flows.json through the real [TokenProvider] and [TokenValidator]: a fake clock
 * (Unix ms), a sleep that moves it and records each pause, the document's jitter, a scripted
 * transport (failures thrown as java.net.http's exceptions), and each phase's callers on their
 * own threads at once. Compared as `flow_runner::check_scenario` does: requests sent, sleeps,
 * and every caller's result.
 */
class FlowVectorsTest {
    private val doc = Vectors.document("flows.json")
    private val start = doc["start_ms"].asLong()

    @TestFactory
    fun tokenScenarios(): List<DynamicTest> = doc["token_scenarios"].toList().also { assertTrue(it.size >= 10) }.map {
        DynamicTest.dynamicTest(it["name"].asText()) { runTokenScenario(it) }
    }

    @TestFactory
    fun exchangeScenarios(): List<DynamicTest> = doc["exchange_scenarios"].toList().also { assertTrue(it.size >= 6) }.map {
        DynamicTest.dynamicTest(it["name"].asText()) { runExchangeScenario(it) }
    }

    @TestFactory
    fun validationScenarios(): List<DynamicTest> = doc["validation_scenarios"].toList().also { assertTrue(it.size >= 5) }.map {
        DynamicTest.dynamicTest(it["name"].asText()) { runValidationScenario(it) }
    }

    private fun provider(clock: FakeClock, sleeper: Sleeper, transport: HttpTransport, events: MutableList<String>): TokenProvider {
        val spec = doc["client"]
        val key = Key.fromPkcs12(Vectors.bytes(spec["key"]["file"].asText()), spec["key"]["password"].asText())
        val client = Client(spec["client_id"].asText(), key, Environment.fromName(spec["environment"].asText()))
        val jitter = doc["jitter"].asDouble()
        return TokenProvider(client, FlowOptions(), transport, null, { events += it.name }, clock, sleeper, { jitter })
    }

    private fun runTokenScenario(scenario: JsonNode) {
        val name = scenario["name"].asText()
        val clock = FakeClock(start)
        val sleeper = RecordingSleeper(clock)
        val transport = ScriptedTransport()
        val events = Collections.synchronizedList(mutableListOf<String>())
        val provider = provider(clock, sleeper, transport, events)
        val options = GrantOptions(scopes = doc["client"]["scopes"].map(JsonNode::asText))
        for ((index, phase) in scenario["phases"].withIndex()) {
            clock.set(start + phase["at_ms"].asLong())
            sleeper.sleeps.clear()
            val before = transport.requests.size
            transport.script(phase["answers"].toList())
            val rejected = Vectors.str(phase, "reject")
            val results = concurrently(phase["callers"].asInt()) {
                rejected?.let(provider::reject)
                try {
                    json().put("token", provider.token(options).accessToken())
                } catch (e: MaskinportenException) {
                    json().put("error", e.kind.stableName).put("status", e.status?.toInt()).put("mp_code", e.mpCode)
                }
            }
            val expect = phase["expect"]
            val where = "$name phase $index"
            assertEquals(expect["requests"].asInt(), transport.requests.size - before, "$where: token requests")
            assertEquals(0, transport.left, "$where: answers left over")
            expect["sleeps_ms"]?.let { assertEquals(it.map(JsonNode::asLong), sleeper.sleeps.toList(), "$where: sleeps") }
            for (result in results) assertEquals(expect["result"], result, where)
            if (sleeper.sleeps.isNotEmpty()) assertTrue("retry_scheduled" in events, "$where: the retry reached the listener: $events")
        }
        if (transport.requests.isNotEmpty()) assertTrue("fetch_started" in events, "$name: events reach the listener: $events")
    }

    /** An exchange scenario: Altinn tokens through the provider's `altinn` option (see tests/vectors/README.md). */
    private fun runExchangeScenario(scenario: JsonNode) {
        val name = scenario["name"].asText()
        val clock = FakeClock(start)
        val sleeper = RecordingSleeper(clock)
        val transport = ScriptedTransport()
        val events = Collections.synchronizedList(mutableListOf<String>())
        val provider = provider(clock, sleeper, transport, events)
        val options = GrantOptions(scopes = doc["client"]["scopes"].map(JsonNode::asText))
        val spec = doc["altinn"]
        val altinn = AltinnExchange(spec["platform"].asText(), testOrg = spec["test_org"].asBoolean())
        val url = spec["url"].asText()
        for ((index, phase) in scenario["phases"].withIndex()) {
            clock.set(start + phase["at_ms"].asLong())
            sleeper.sleeps.clear()
            val before = transport.sent.size
            transport.script(phase["answers"].toList())
            val rejected = Vectors.str(phase, "reject")
            val results = concurrently(phase["callers"].asInt()) {
                rejected?.let(provider::reject)
                try {
                    json().put("token", provider.token(options, altinn).accessToken())
                } catch (e: MaskinportenException) {
                    json().put("error", e.kind.stableName).put("status", e.status?.toInt()).put("mp_code", e.mpCode)
                }
            }
            val expect = phase["expect"]
            val where = "$name phase $index"
            val sent = transport.sent.drop(before)
            assertEquals(expect["sent"].map(JsonNode::asText), sent.map { it.first }, "$where: requests sent")
            assertEquals(expect["requests"].asInt(), sent.size, "$where: requests")
            for ((what, to) in sent) if (what.startsWith("exchange ")) assertEquals(url, to, "$where: the exchange's URL")
            assertEquals(0, transport.left, "$where: answers left over")
            expect["sleeps_ms"]?.let { assertEquals(it.map(JsonNode::asLong), sleeper.sleeps.toList(), "$where: sleeps") }
            for (result in results) assertEquals(expect["result"], result, where)
        }
    }

    private fun runValidationScenario(scenario: JsonNode) {
        val name = scenario["name"].asText()
        val clock = FakeClock(start)
        val transport = ScriptedTransport()
        val events = Collections.synchronizedList(mutableListOf<String>())
        val validator = TokenValidator(Environment.test(), ValidatorOptions(), transport, { events += it.name }, clock)
        for ((index, phase) in scenario["phases"].withIndex()) {
            clock.set(start + phase["at_ms"].asLong())
            val before = transport.requests.size
            transport.script(phase["answers"].toList())
            val requirements = Requirements(scopes = phase["requirements"]["scopes"].map(JsonNode::asText))
            val token = phase["token"].asText()
            val results = concurrently(phase["callers"].asInt()) {
                when (val result = validator.validateRequest("Bearer $token", requirements)) {
                    is ValidationResult.Valid -> json().set<ObjectNode>("valid", json().put("consumer_org", result.token.consumer.orgNumber))
                    is ValidationResult.Refused -> json().put("error", result.error.kind.stableName)
                        .set<ObjectNode>("rejection", rejectionJson(result.rejection))
                }
            }
            val expect = phase["expect"]
            val where = "$name phase $index"
            assertEquals(expect["requests"].asInt(), transport.requests.size - before, "$where: JWKS requests")
            assertEquals(0, transport.left, "$where: answers left over")
            for (result in results) assertEquals(expect["result"], result, where)
        }
        if (transport.requests.isNotEmpty()) assertTrue(events.any { it.startsWith("jwks_") }, "$name: JWKS events reach the listener")
    }

    companion object {
        fun json(): ObjectNode = Vectors.mapper.createObjectNode()

        /** The vectors' view of a rejection: status, the challenge's `error` code and `scope`. */
        fun rejectionJson(rejection: Rejection): ObjectNode {
            val challenge = rejection.wwwAuthenticate ?: ""
            val code = challenge.substringAfter("error=\"", "").substringBefore('"').ifEmpty { null }
            val scope = if (", scope=\"" in challenge) challenge.substringAfter(", scope=\"").removeSuffix("\"") else null
            return json().put("status", rejection.status.toInt()).put("error", code).put("scope", scope)
        }

        /** Runs [body] on [callers] threads released at once; their results in order. */
        fun <T> concurrently(callers: Int, body: () -> T): List<T> {
            val pool = Executors.newFixedThreadPool(callers)
            val gate = CountDownLatch(1)
            try {
                val futures = (1..callers).map { pool.submit<T> { gate.await(); body() } }
                gate.countDown()
                return futures.map { it.get(60, TimeUnit.SECONDS) }
            } finally {
                pool.shutdownNow()
            }
        }
    }
}
