import Testing
@testable import MailTransport

@Suite struct CurlRuntimeTests {
    @Test func linkedLibcurlSpeaksIMAPAndSMTP() {
        #expect(CurlRuntime.required.isSubset(of: CurlRuntime.protocols))
        #expect(CurlRuntime.version.first?.isNumber == true)
    }
}
