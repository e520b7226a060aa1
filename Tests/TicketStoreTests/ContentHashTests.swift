import Testing
@testable import TicketStore

@Suite struct ContentHashTests {
    @Test func knownVectors() {
        #expect(ContentHash.sha256Hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentHash.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.sha256Hex(Array("abc".utf8)[1...]) == ContentHash.sha256Hex(Array("bc".utf8)))
    }
}

@Suite struct PiecewiseHashTests {
    @Test func piecesHashAsTheirJoin() {
        let a = Array("ab".utf8), b = Array("c".utf8)
        #expect(ContentHash.sha256Hex(pieces: [a[...], b[...]]) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.sha256Hex(pieces: []) == ContentHash.sha256Hex([UInt8]()))
        #expect(ContentHash.sha256Hex(pieces: [a[...]]) != ContentHash.sha256Hex(pieces: [a[...], b[...]]))
    }
}
