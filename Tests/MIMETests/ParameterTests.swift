import Testing
@testable import MIME

/// RFC 2045 §5.1 parameters and RFC 2231 extensions.
@Suite struct ParameterTests {
    func params(_ value: String) -> (String, [String: String]) { Parameters.split(value, log: DefectLog()) }

    @Test func quotedAndTokenValues() {
        let (head, p) = params("text/plain; charset=\"iso-8859-1\"; format=flowed")
        #expect(head == "text/plain")
        #expect(p == ["charset": "iso-8859-1", "format": "flowed"])
    }

    @Test func continuationsWithCharsetAndPercentEncoding() {
        let (_, p) = params("attachment; filename*0*=utf-8'ca'Factura%20de; filename*1*=%20l%C2%B7any.pdf")
        #expect(p["filename"] == "Factura de l·any.pdf")
    }

    @Test func continuationsOutOfOrderAndMixedQuoting() {
        let (_, p) = params("attachment; filename*1=\"part two.txt\"; filename*0=\"part one \"")
        #expect(p["filename"] == "part one part two.txt")
    }

    @Test func singleExtendedValue() {
        let (_, p) = params("attachment; filename*=iso-8859-1''r%E9sum%E9.doc")
        #expect(p["filename"] == "résumé.doc")
    }

    @Test func extendedValueWinsOverPlain() {
        let (_, p) = params("attachment; filename=\"fallback.pdf\"; filename*=utf-8''rebut%20%E2%82%AC.pdf")
        #expect(p["filename"] == "rebut €.pdf")
    }

    @Test func encodedWordInQuotedNameAsOutlookSends() {
        let (_, p) = params("application/pdf; name=\"=?utf-8?B?Q29tcHJvdmFudC5wZGY=?=\"")
        #expect(p["name"] == "Comprovant.pdf")
    }

    @Test func unquotedValueWithSpaces() {
        let (_, p) = params("attachment; filename=my file.pdf; size=10")
        #expect(p["filename"] == "my file.pdf")
        #expect(p["size"] == "10")
    }

    @Test func quotedValueWithSemicolonAndEscapes() {
        let (_, p) = params("attachment; filename=\"a; b \\\"c\\\".txt\"")
        #expect(p["filename"] == "a; b \"c\".txt")
    }

    @Test func filenameFromContentTypeNameWhenNoDisposition() {
        let m = message("Content-Type: multipart/mixed; boundary=x", "", "--x", "Content-Type: application/pdf; name=\"old-style.pdf\"",
                        "Content-Transfer-Encoding: base64", "", "JVBERg==", "--x--", "")
        #expect(m.attachments.first?.filename == "old-style.pdf")
    }

    @Test func contentTypeWithoutSubtypeFallsBackToTextPlain() {
        let m = message("Content-Type: text; charset=utf-8", "", "hola")
        #expect(m.root.contentType.mimeType == "text/plain")
        #expect(m.text == "hola")
        #expect(m.defectKinds.contains(.malformedContentType))
    }
}
