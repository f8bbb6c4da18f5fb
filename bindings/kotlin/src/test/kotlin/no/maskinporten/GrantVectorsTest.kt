package no.maskinporten

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows
import java.util.Base64

/** tests/vectors/grants.json and grant_errors.json: byte-identical grants, and the error kinds. */
class GrantVectorsTest {
    @TestFactory
    fun grants(): List<DynamicTest> = Vectors.cases("grants.json").also { assertTrue(it.isNotEmpty()) }.map { case ->
        DynamicTest.dynamicTest(case["name"].asText()) {
            val expected = case["expected"]
            val (jwt, request) = Vectors.runGrantCase(case)
            assertEquals(expected["jwt"].asText(), jwt, "the JWT must be byte-identical")
            assertEquals(expected["body"].asText(), request.body())
            assertEquals("POST", request.method())
            // The decoded parts match too (a readable diff when the JWT does not).
            val parts = jwt.split('.')
            val decoder = Base64.getUrlDecoder()
            assertEquals(expected["header"], Vectors.mapper.readTree(decoder.decode(parts[0])))
            assertEquals(expected["claims"], Vectors.mapper.readTree(decoder.decode(parts[1])))
        }
    }

    @TestFactory
    fun grantErrors(): List<DynamicTest> = Vectors.cases("grant_errors.json").also { assertTrue(it.isNotEmpty()) }.map { case ->
        DynamicTest.dynamicTest(case["name"].asText()) {
            val error = assertThrows<MaskinportenException> { Vectors.runGrantCase(case) }
            assertEquals(case["expected_error"].asText(), error.kind.stableName, error.detail)
            assertTrue(error.detail.isNotBlank())
            assertTrue(!error.retryable)
        }
    }
}
