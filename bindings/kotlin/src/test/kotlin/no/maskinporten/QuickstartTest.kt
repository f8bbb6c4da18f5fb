package no.maskinporten

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path

/** The README quickstarts are this project's tested code, not prose. */
class QuickstartTest {
    private fun snippet(file: String, marker: String): String =
        Files.readString(Path.of("src/test/kotlin/readme/$file")).substringAfter("// $marker:start\n").substringBefore("// $marker:end").trim()

    private val readmeText = Files.readString(Path.of(System.getProperty("maskinporten.readme") ?: "README.md"))

    @Test
    fun readmeCarriesTheTestedQuickstarts() {
        val provider = snippet("Quickstart.kt", "quickstart")
        assertTrue(provider.contains("TokenProvider(client)"))
        assertTrue(readmeText.contains(provider), "README.md's Kotlin quickstart differs from src/test/kotlin/readme/Quickstart.kt")
        val validator = snippet("ValidatorQuickstart.kt", "validator")
        assertTrue(validator.contains("TokenValidator(environment)"))
        assertTrue(readmeText.contains(validator), "README.md's validator quickstart differs from src/test/kotlin/readme/ValidatorQuickstart.kt")
    }

    @Test
    fun quickstartsRunAgainstTheSimulator() {
        Simulator.start().use { sim ->
            val request = readme.maskinportenRequest(Vectors.dir.resolve("keys/client.p12"), "vector-password", sim.environment())
            val header = request.headers().firstValue("Authorization").orElseThrow()
            assertTrue(header.startsWith("Bearer ey"), "a JWT access token")
            assertEquals(1, sim.stats()["tokens_issued"].asInt())

            val api = readme.AccountsApi(sim.environment())
            assertEquals(200 to "accounts of 311000004", api.handle(header))
            val (status, body) = api.handle(null)
            assertEquals(401, status)
            assertTrue(body.contains("token_missing"), body)
            assertEquals(403, api.handle("Bearer " + TokenProvider(
                Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), sim.environment()),
            ).token("test:scope.write").accessToken()).first)
        }
    }
}
