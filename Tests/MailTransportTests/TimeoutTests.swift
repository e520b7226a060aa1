import Foundation
import Testing
@testable import MailTransport

/// A server that accepts the connection and never says a word: every client must give up
/// on its own, with a clear error, instead of hanging the daemon.
@Suite struct TimeoutTests {
    /// A listening socket on 127.0.0.1 that accepts and then stays silent.
    final class SilentServer: @unchecked Sendable {
        let fd: Int32
        let port: Int
        private var accepted: [Int32] = []

        init() throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            fd = listener
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
            listen(listener, 8)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
            port = Int(UInt16(bigEndian: addr.sin_port))
            Thread.detachNewThread { [weak self] in
                while true {
                    let c = accept(listener, nil, nil)
                    if c < 0 { return }
                    self?.accepted.append(c)
                }
            }
        }

        deinit {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
            for c in accepted { close(c) }
        }
    }

    @Test func imapGivesUpOnASilentServer() throws {
        let server = try SilentServer()
        var endpoint = Endpoint(host: "127.0.0.1", port: server.port, tls: .starttls, username: "u", password: "secret-pw-123")
        endpoint.connectTimeout = 1.5
        let started = Date()
        #expect {
            _ = try IMAPConnection(endpoint)
        } throws: { error in
            guard let e = error as? TransportError else { return false }
            return e.isTransient && !"\(e)".contains("secret-pw-123")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func smtpGivesUpOnASilentServer() throws {
        let server = try SilentServer()
        var endpoint = Endpoint(host: "127.0.0.1", port: server.port, tls: .starttls, username: "u", password: "secret-pw-123")
        endpoint.connectTimeout = 1.5
        endpoint.readTimeout = 2
        let outcome = SMTPClient(endpoint, helo: "x").send(Array("Subject: x\r\n\r\nx\r\n".utf8), from: "a@b.example", to: ["c@d.example"])
        guard case .unreachable(let why) = outcome else { Issue.record("\(outcome)"); return }
        #expect(why.contains("timed out") || why.contains("Timeout") || why.contains("timeout"))
        #expect(!why.contains("secret-pw-123"))
    }

    @Test func loopbackIsRecognised() {
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1"] {
            #expect(Endpoint(host: host, port: 1, tls: .none, username: "", password: "").isLoopback)
        }
        for host in ["mail.example.org", "10.0.0.1", "128.0.0.1"] {
            #expect(!Endpoint(host: host, port: 1, tls: .none, username: "", password: "").isLoopback)
        }
    }
}
