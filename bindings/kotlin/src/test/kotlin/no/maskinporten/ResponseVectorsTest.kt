package no.maskinporten

import com.fasterxml.jackson.databind.JsonNode
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows

/** tests/vectors/responses.json: tokens, OAuth errors with MP codes, proxies' HTML and empty bodies. */
class ResponseVectorsTest {
    private fun textOrNull(node: JsonNode?): String? = node?.takeIf { !it.isNull }?.asText()

    @TestFactory
    fun responses(): List<DynamicTest> = Vectors.cases("responses.json").also { assertTrue(it.isNotEmpty()) }.map { case ->
        DynamicTest.dynamicTest(case["name"].asText()) {
            val status = case["status"].asInt().toUShort()
            val body = case["body"].asText().toByteArray(Charsets.UTF_8)
            val contentType = textOrNull(case["content_type"])
            val now = case["now"].asLong()
            val expected = case["expected"]
            if (expected != null) {
                val token = parseTokenResponse(status, body, contentType, now)
                assertEquals(expected["access_token"].asText(), token.accessToken())
                assertEquals(expected["token_type"].asText(), token.tokenType())
                assertEquals(expected["expires_in"].asLong(), token.expiresIn())
                assertEquals(textOrNull(expected["scope"]), token.scope())
                assertEquals(expected["expires_at"].asLong(), token.expiresAt())
                assertFalse(token.toString().contains(token.accessToken()), "toString must redact the token")
            } else {
                val want = case["expected_error"]
                val error = assertThrows<MaskinportenException> { parseTokenResponse(status, body, contentType, now) }
                assertEquals(want["kind"].asText(), error.kind.stableName, error.detail)
                assertEquals(textOrNull(want["mp_code"]), error.mpCode)
                assertEquals(textOrNull(want["error"]), error.error)
                assertEquals(want["retryable"].asBoolean(), error.retryable)
                assertEquals(want["status"].asInt(), error.status?.toInt())
                // As in the core's own vector test: has_hint=true means a hint must be there; false
                // means the vector does not require one (the core also hints codes like server_error).
                if (want["has_hint"]?.asBoolean() == true) assertTrue(!error.hint.isNullOrBlank(), "a hint is expected")
                when (want["kind"].asText()) {
                    "oauth_error" -> assertTrue(error is MaskinportenException.OAuth)
                    "unavailable" -> assertTrue(error is MaskinportenException.Unavailable)
                    "malformed_response" -> assertTrue(error is MaskinportenException.MalformedResponse)
                }
                if (error !is MaskinportenException.OAuth) assertNull(error.mpCode)
            }
        }
    }
}
