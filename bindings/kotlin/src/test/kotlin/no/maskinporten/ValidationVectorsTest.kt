package no.maskinporten

import com.fasterxml.jackson.databind.JsonNode
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows

/** tests/vectors/validation.json: the access-token validator, case by case. */
class ValidationVectorsTest {
    companion object {
        fun requirements(spec: JsonNode) = Requirements(
            scopes = spec["scopes"].map(JsonNode::asText),
            scopeMatch = if (spec["scope_match"]?.asText() == "all") ScopeMatch.ALL else ScopeMatch.ANY,
            audience = Vectors.str(spec, "audience"),
            requirePid = spec["require_pid"]?.asBoolean() ?: false,
            consumerOrgs = spec["consumer_orgs"]?.map(JsonNode::asText) ?: emptyList(),
        )
    }

    @TestFactory
    fun validation(): List<DynamicTest> {
        val document = Vectors.document("validation.json")
        val jwks = Vectors.bytes(document["jwks_file"].asText())
        val issuer = document["issuer"].asText()
        return document["cases"].toList().also { assertTrue(it.isNotEmpty()) }.map { case ->
            DynamicTest.dynamicTest(case["name"].asText()) {
                val now = case["now"].asLong()
                val validator = Validator(Environment.fromName(issuer))
                assertEquals("$issuer" + "jwk", validator.jwksRequest(now)!!.url, "first use asks for the JWKS")
                validator.updateJwks(jwks, now)
                val token = case["token"].asText()
                val expected = case["expected"]
                if (expected != null) {
                    val validated = validator.validate(token, now, requirements(case["requirements"]))
                    assertEquals(expected["consumer_org"].asText(), validated.consumer.orgNumber)
                    assertEquals(Vectors.str(expected, "supplier_org"), validated.supplier?.orgNumber)
                    assertEquals(expected["consumer_sub_unit"].map(JsonNode::asText), validated.consumer.subUnit)
                    assertEquals(expected["client_id"].asText(), validated.clientId)
                    assertEquals(expected["expires_at"].asLong(), validated.expiresAt)
                    assertEquals(validated, validator.validate("Bearer $token", now, requirements(case["requirements"])))
                } else {
                    val error = assertThrows<MaskinportenException.InvalidToken> {
                        validator.validate(token, now, requirements(case["requirements"]))
                    }
                    assertEquals(case["expected_error"].asText(), error.kind, error.detail)
                    // The error names the check, never the token.
                    val signature = token.substringAfterLast('.')
                    if (signature.length > 16) assertFalse(error.message!!.contains(signature))
                    assertFalse(error.retryable)
                }
            }
        }
    }
}
