import Foundation
import MIME
import Testing
@testable import Tickets

@Suite struct LanguageGuessTests {
    @Test(arguments: [
        ("Bon dia, el node del terrat no funciona des d'ahir i no tinc connexió. Gràcies!", Language.ca),
        ("Hola, el nodo de la azotea no funciona desde ayer y no tengo conexión. Muchas gracias por todo.", .es),
        ("Hello, the remote access to the telescope fails since the update. Could you please have a look?", .en),
        ("Us escric perquè la quota del mes ha passat dos cops i no sé per què.\n> Hola, the previous message was in English and quoted.", .ca),
    ])
    func textIsToldByItsOwnWords(_ text: String, _ expected: Language) {
        #expect(LanguageGuess.language(ofText: text) == expected)
    }

    @Test(arguments: ["OK", "No funciona", "El router de la masia", "", "Sí. Ok, thanks"])
    func tooLittleToTellIsNoGuess(_ text: String) {
        #expect(LanguageGuess.language(ofText: text) == nil)
    }

    @Test func aDeclaredLanguageComesFirst() {
        let m = Message(bytes: Array("From: a@b.example\r\nContent-Language: es-ES\r\nSubject: x\r\n\r\nThe text is in English, and that is all.\r\n".utf8))
        #expect(LanguageGuess.language(of: m) == .es)
        let other = Message(bytes: Array("From: a@b.example\r\nContent-Language: de, en-GB\r\n\r\nok\r\n".utf8))
        #expect(LanguageGuess.language(of: other) == .en)
    }
}
