// The README's Kotlin quickstart, verbatim between the markers; QuickstartTest runs it against
// the simulator and checks the README still carries exactly this text.
package readme

// quickstart:start
import no.maskinporten.Client
import no.maskinporten.Environment
import no.maskinporten.GrantOptions
import no.maskinporten.Key
import no.maskinporten.MaskinportenException
import no.maskinporten.http.MaskinportenHttpClient
import no.maskinporten.kind
import no.maskinporten.mpCode
import java.net.URI
import java.net.http.HttpRequest
import java.nio.file.Files
import java.nio.file.Path

fun maskinportenRequest(p12: Path, password: String, environment: Environment = Environment.test()): HttpRequest {
    // The enterprise certificate (virksomhetssertifikat) and the client registered in Samarbeidsportalen.
    val key = Key.fromPkcs12(Files.readAllBytes(p12), password)
    val client = Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, environment)

    // Thread-safe; caches and refreshes tokens, one token request in flight per scope set.
    val maskinporten = MaskinportenHttpClient(client)
    val token = try {
        maskinporten.token(GrantOptions(scopes = listOf("test:scope.read")))
    } catch (e: MaskinportenException) {
        // e.g. kind=oauth_error mpCode=MP-200: the scope is not registered on the client
        throw IllegalStateException("Maskinporten said ${e.kind} ${e.mpCode}: ${e.message}", e)
    }
    return HttpRequest.newBuilder(URI.create("https://api.example.no/resource"))
        .header("Authorization", token.authorizationHeader())
        .build()
}
// quickstart:end
