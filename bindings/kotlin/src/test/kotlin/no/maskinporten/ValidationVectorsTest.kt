package no.maskinporten

import com.fasterxml.jackson.databind.JsonNode
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows

/**
 * tests/vectors/validation.json through the real [TokenValidator] (the JWKS served by a scripted
 * transport): every case's token or error kind and HTTP rejection, and the `headers` list read by
 * [bearerToken] and by [TokenValidator.validateRequest].
 */
class ValidationVectorsTest {
    companion object {
        fun requirements(spec: JsonNode) = Requirements(
            scopes = spec["scopes"].map(JsonNode::asText),
            scopeMatch = if (spec["scope_match"]?.asText() == "all") ScopeMatch.ALL else ScopeMatch.ANY,
            audience = Vectors.str(spec, "audience"),
            requirePid = spec["require_pid"]?.asBoolean() ?: false,
            consumerOrgs = spec["consumer_orgs"]?.map(JsonNode::asText) ?: emptyList(),
            anyScopeUnchecked = spec["any_scope_unchecked"]?.asBoolean() ?: false,
            esealConsumers = spec["eseal_consumers"]?.asBoolean() ?: false,
            consent = spec["consent"]?.takeUnless(JsonNode::isNull)?.let {
                ConsentRequirement(id = Vectors.str(it, "id"), from = Vectors.str(it, "from"))
            },
            systemUser = spec["system_user"]?.takeUnless(JsonNode::isNull)?.let {
                SystemUserRequirement(org = Vectors.str(it, "org"), systemId = Vectors.str(it, "system_id"))
            },
        )

        /** A validator whose transport serves the vectors' JWKS once, at the case's time. */
        fun validator(document: JsonNode, nowSeconds: Long): Pair<TokenValidator, ScriptedTransport> {
            val transport = ScriptedTransport(listOf(ScriptedTransport.ok(Vectors.text(document["jwks_file"].asText()))))
            val environment = Environment.fromName(document["issuer"].asText())
            return TokenValidator(environment, ValidatorOptions(), transport, FlowEventListener.NONE, FakeClock(nowSeconds * 1000)) to transport
        }
    }

    private val document = Vectors.document("validation.json")

    @TestFactory
    fun cases(): List<DynamicTest> = document["cases"].toList().also { assertTrue(it.isNotEmpty()) }.map { case ->
        DynamicTest.dynamicTest(case["name"].asText()) {
            val (validator, transport) = validator(document, case["now"].asLong())
            val token = case["token"].asText()
            val requirements = requirements(case["requirements"])
            val expected = case["expected"]
            if (expected != null) {
                val validated = validator.validate(token, requirements)
                assertEquals(Vectors.str(expected, "consumer_org"), validated.consumer.orgNumber)
                assertEquals(expected["consumer_authority"].asText(), validated.consumer.authority)
                assertEquals(expected["consumer_id"].asText(), validated.consumer.id)
                assertEquals(Vectors.str(expected, "supplier_org"), validated.supplier?.orgNumber)
                assertEquals(expected["consumer_sub_unit"].map(JsonNode::asText), validated.consumer.subUnit)
                assertEquals(expected["client_id"].asText(), validated.clientId)
                assertEquals(expected["expires_at"].asLong(), validated.expiresAt)
                val header = if (token.contains(' ')) token else "bearer $token"
                assertEquals(validated, validator.validate(header, requirements), "validate takes a whole header value too")
                assertTrue(validator.validateRequest(header, requirements) is ValidationResult.Valid)
                assertEquals(listOf("GET ${document["issuer"].asText()}jwk"), transport.requests, "one JWKS fetch, reused")
            } else {
                val kind = case["expected_error"].asText()
                val error = assertThrows<MaskinportenException> { validator.validate(token, requirements) }
                assertEquals(kind, error.kind.stableName, error.detail)
                val refused = validator.result(token, requirements)
                refused as ValidationResult.Refused
                assertEquals(kind, refused.error.kind.stableName)
                assertEquals(case["expected_rejection"], FlowVectorsTest.rejectionJson(refused.rejection), "the HTTP answer")
                assertTrue(refused.rejection.headers.any { it.name == "Cache-Control" && it.value == "no-store" })
                // The error and the answer name the check, never the token.
                val signature = token.substringAfterLast('.')
                if (signature.length > 16) {
                    assertFalse(error.message!!.contains(signature))
                    assertFalse(refused.rejection.body.contains(signature))
                }
                assertFalse(error.retryable)
                assertTrue(transport.requests.size <= 1)
            }
        }
    }

    @TestFactory
    fun headers(): List<DynamicTest> = document["headers"].toList().also { assertTrue(it.isNotEmpty()) }.mapIndexed { index, case ->
        val authorization = Vectors.str(case, "authorization")
        DynamicTest.dynamicTest("header $index: ${authorization?.take(24)}") {
            val expectedToken = Vectors.str(case, "expected_token")
            if (expectedToken != null) {
                assertEquals(expectedToken, bearerToken(authorization))
                return@dynamicTest
            }
            val kind = case["expected_error"].asText()
            val error = assertThrows<MaskinportenException.InvalidToken> { bearerToken(authorization) }
            assertEquals(kind, error.kind.stableName)
            val (validator, transport) = validator(document, 1_767_225_600)
            val refused = validator.validateRequest(authorization, Requirements(scopes = listOf("test:scope.read")))
            refused as ValidationResult.Refused
            assertEquals(kind, refused.error.kind.stableName)
            assertEquals(case["expected_rejection"], FlowVectorsTest.rejectionJson(refused.rejection))
            if (kind == "token_missing") {
                // RFC 6750 §3.1: a request without a token gets a bare challenge, no error code.
                assertEquals("Bearer", refused.rejection.wwwAuthenticate)
                assertFalse(refused.rejection.body.contains("\"error\""))
            }
            assertEquals(emptyList<String>(), transport.requests, "a request without a readable token fetches nothing")
        }
    }
}
