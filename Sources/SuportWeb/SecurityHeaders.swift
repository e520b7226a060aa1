import HTTPTypes
import Hummingbird

/// Headers every response carries: a strict Content-Security-Policy (our own stylesheet, no
/// script, no frames, forms only to us), no sniffing, no framing, no referrer (requester
/// links carry tokens), and no caching of pages that hold people's mail.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = DeskContext

    static let policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as HTTPError {
            response = error.response
        }
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

extension HTTPError {
    /// The error as a plain response, so the headers above are added to it too.
    var response: Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: (body ?? status.reasonPhrase) + "\n")))
    }
}
