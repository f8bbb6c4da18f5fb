// The README's Kotlin quickstarts, verbatim between the markers; QuickstartTest runs them against
// the simulator and checks the README still carries exactly this text.
package readme

// quickstart:start
import no.maskinporten.Client
import no.maskinporten.Environment
import no.maskinporten.GrantOptions
import no.maskinporten.Key
import no.maskinporten.MaskinportenException
import no.maskinporten.TokenProvider
import no.maskinporten.kind
import no.maskinporten.mpCode
import no.maskinporten.stableName
import java.net.URI
import java.net.http.HttpRequest
import java.nio.file.Files
import java.nio.file.Path

fun maskinportenRequest(p12: Path, password: String, environment: Environment): HttpRequest {
    // The enterprise certificate (virksomhetssertifikat) and the client registered in Samarbeidsportalen.
    val key = Key.fromPkcs12(Files.readAllBytes(p12), password)
    val client = Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, environment)

    // Keep one per client (thread-safe): caches and refreshes tokens, one token request in flight
    // per scope set, retries 5xx/429/no answer with back-off; every rule is the core's.
    val provider = TokenProvider(client)
    val token = try {
        provider.token(GrantOptions(scopes = listOf("test:scope.read")))
    } catch (e: MaskinportenException) {
        // e.g. oauth_error MP-200: the scope is not registered on the client
        throw IllegalStateException("Maskinporten said ${e.kind.stableName} ${e.mpCode}: ${e.message}", e)
    }
    return HttpRequest.newBuilder(URI.create("https://api.example.no/resource"))
        .header("Authorization", token.authorizationHeader())
        .build()
}
// quickstart:end
